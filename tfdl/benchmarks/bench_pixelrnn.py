"""Sampling speed of PixelRNN (Row LSTM, Diagonal BiLSTM): the cached sampler vs the previous one.

The models are ``tfdl.models.PixelRNN`` with its defaults (2 residual LSTM
layers of 32 units) for 28x28 binary images, untrained (sampling time does
not depend on the weights). Ours is ``model.sample`` (``method="cached"``):
one XLA-compiled loop carrying each LSTM's states from pixel to pixel and
computing every layer at the new pixel only (the Diagonal BiLSTM's
right-to-left direction a row at a time, once the row is drawn). The peer is
tfdl's previous sampler, ``method="full"``: the whole network on the whole
image at every pixel, on a batch of 4 (on 16 it takes minutes). A second row
per model puts the cached sampler on a batch of 16 next to one forward pass
of that batch (``model(x)`` in a compiled ``tf.function``).
"""

import tensorflow as tf

from tfdl.bench import Result
from tfdl.timing import seconds
from tfdl.models import PixelRNN

NEEDS_FASHION_MNIST = False
FULL_BATCH = 4
BATCH = 16
NAMES = {"row_lstm": "Row LSTM", "diagonal_bilstm": "Diagonal BiLSTM"}


def run(quick=False):
    """Quick: the Row LSTM's cached sampler next to one forward pass only."""
    results = []
    common = dict(article="autoregressive", higher_is_better=False, data="none (sampling)", unit="s/batch")
    for kind, name in list(NAMES.items())[:1] if quick else NAMES.items():
        model = PixelRNN(input_shape=(28, 28, 1), kind=kind, seed=0)
        task = f"PixelRNN {name} (2 layers, 32 units, {model.count_params():,} params) sample binary 28x28, batch {{}}"
        ours = "tfdl PixelRNN.sample (cached, XLA)"
        forward = tf.function(model)
        x = model.sample(BATCH, seed=0)  # also compiles the cached sampler for this batch size
        forward(x)
        cached = seconds(lambda: model.sample(BATCH, seed=1).numpy(), repeats=3)
        one_pass = seconds(lambda: forward(x).numpy(), repeats=5)
        results.append(Result(key=f"autoregressive/pixelrnn_{kind}_cached_vs_forward_pass",
                              task=task.format(BATCH), ours=ours, ours_value=cached,
                              peer="one forward pass of the batch (compiled model(x))", peer_value=one_pass, **common))
        if quick:
            continue
        model.sample(FULL_BATCH, seed=0)
        model.sample(1, seed=0, method="full")  # traces the full sampler (any batch size)
        cached_small = seconds(lambda: model.sample(FULL_BATCH, seed=1).numpy(), repeats=3)
        full = seconds(lambda: model.sample(FULL_BATCH, seed=1, method="full").numpy())
        results.append(Result(key=f"autoregressive/pixelrnn_{kind}_cached_vs_full", task=task.format(FULL_BATCH),
                              ours=ours, ours_value=cached_small,
                              peer="tfdl PixelRNN.sample(method='full') (previous sampler)", peer_value=full, **common))
    return results
