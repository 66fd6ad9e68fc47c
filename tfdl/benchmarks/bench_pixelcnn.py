"""Sampling speed of PixelCNN: the cached sampler vs the previous one, one forward pass and keras.io's loop.

The model is keras.io's PixelCNN architecture for 28x28 binary images (7x7
mask-A convolution with 128 filters, 5 residual blocks, 2 mask-B 1x1 layers;
532,673 parameters). Sampling time does not depend on the weights, so the
model is untrained. Ours is ``model.sample`` (``method="cached"``): the pixel
loop in one XLA-compiled ``tf.function``, each new pixel computing every layer
at its own position only from per-layer caches, one forward pass of
arithmetic in all (Ramachandran et al. 2017). It is timed on a batch of 16
next to tfdl's previous sampler (``method="region"``: at every pixel, each
layer on the region the pixel depends on) and next to one forward pass of the
same batch (``model(x)`` in a compiled ``tf.function``): the goal is at most
5 forward passes' time, a speed-up of at least 0.2x. The last row is keras.io's
sampling loop, one ``model.predict`` of the whole batch per pixel, on a
batch of 2, timed over the first ``PREDICT_ROWS`` rows and scaled to 28
(every pixel costs one ``predict`` of the whole image, whatever its row;
the whole loop took ~3 minutes on the shared 2-core CPU).
"""

import numpy as np
import tensorflow as tf

from tfdl.bench import Result
from tfdl.timing import seconds
from tfdl.models import PixelCNN

NEEDS_FASHION_MNIST = False
BATCH = 16
PREDICT_BATCH = 2
PREDICT_ROWS = 7
TASK = "PixelCNN (keras.io, 532,673 params) sample binary 28x28, batch {}"
CACHED = "tfdl PixelCNN.sample (cached, XLA)"


def predict_loop(model, num, seed=0, rows=28):
    """keras.io's sampler: one ``model.predict`` per pixel on the whole batch (the first ``rows`` rows)."""
    rng = np.random.default_rng(seed)
    pixels = np.zeros((num, 28, 28, 1), np.float32)
    for row in range(rows):
        for col in range(28):
            logits = model.predict(pixels, verbose=0)[:, row, col, 0]
            pixels[:, row, col, 0] = rng.random(num) < 1 / (1 + np.exp(-logits))
    return pixels


def run(quick=False):
    """Quick: the cached sampler next to one forward pass only."""
    model = PixelCNN(input_shape=(28, 28, 1), filters=128, num_residual=5, num_head=2, seed=0)
    forward = tf.function(model)
    x = model.sample(BATCH, seed=0)  # also compiles the cached sampler for this batch size
    forward(x)
    cached = seconds(lambda: model.sample(BATCH, seed=1).numpy(), repeats=3)
    one_pass = seconds(lambda: forward(x).numpy(), repeats=5)
    common = dict(article="autoregressive", higher_is_better=False, data="none (sampling)")
    versus_pass = Result(
        key="autoregressive/pixelcnn_cached_vs_forward_pass", task=TASK.format(BATCH) + "; goal >= 0.2x",
        ours=CACHED, ours_value=cached, unit="s/batch",
        peer="one forward pass of the batch (compiled model(x))", peer_value=one_pass, **common)
    if quick:
        return [versus_pass]
    model.sample(1, seed=0, method="region")  # traces the region sampler (any batch size)
    model.sample(PREDICT_BATCH, seed=0)
    model.predict(x[:PREDICT_BATCH], verbose=0)
    region = seconds(lambda: model.sample(BATCH, seed=1, method="region").numpy())
    cached_small = seconds(lambda: model.sample(PREDICT_BATCH, seed=1).numpy(), repeats=3)
    peer = seconds(lambda: predict_loop(model, PREDICT_BATCH, rows=PREDICT_ROWS)) * 28 / PREDICT_ROWS
    return [
        Result(key="autoregressive/pixelcnn_cached_vs_region", task=TASK.format(BATCH), ours=CACHED,
               ours_value=cached, unit="s/batch",
               peer="tfdl PixelCNN.sample(method='region') (previous sampler)", peer_value=region, **common),
        versus_pass,
        Result(key="autoregressive/pixelcnn_cached_vs_predict_loop", task=TASK.format(PREDICT_BATCH),
               ours=CACHED, ours_value=cached_small / PREDICT_BATCH,
               unit="s/image",
               peer=f"per-pixel model.predict loop (keras.io; first {PREDICT_ROWS} rows timed, scaled to 28)", peer_value=peer / PREDICT_BATCH,
               **common),
    ]
