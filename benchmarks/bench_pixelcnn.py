"""Sampling speed of PixelCNN: tfdl's compiled sampler vs a per-pixel ``model.predict`` loop.

The model is keras.io's PixelCNN architecture for 28x28 binary images (7x7
mask-A convolution with 128 filters, 5 residual blocks, 2 mask-B 1x1 layers;
532,673 parameters). Sampling time does not depend on the weights, so the
model is untrained. The peer is keras.io's sampling loop: one
``model.predict`` of the whole batch per pixel. Ours is ``model.sample``: the
pixel loop inside one ``tf.function``, each pixel computed only on the region
of each layer it depends on; a second row times the same compiled loop
recomputing the whole image at every pixel (``local=False``).
"""

import time

import numpy as np

from tfdl.bench import Result
from tfdl.models import PixelCNN

NUM_IMAGES = 2
TASK = "PixelCNN (keras.io, 532,673 params) sample binary 28x28, batch {}"


def predict_loop(model, num, seed=0):
    """keras.io's sampler: one ``model.predict`` per pixel on the whole batch."""
    rng = np.random.default_rng(seed)
    pixels = np.zeros((num, 28, 28, 1), np.float32)
    for row in range(28):
        for col in range(28):
            logits = model.predict(pixels, verbose=0)[:, row, col, 0]
            pixels[:, row, col, 0] = rng.random(num) < 1 / (1 + np.exp(-logits))
    return pixels


def seconds_per_image(fn, num):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) / num


def run():
    model = PixelCNN(input_shape=(28, 28, 1), filters=128, num_residual=5, num_head=2, seed=0)
    model.sample(1, seed=0)  # trace the compiled samplers (any batch size)
    model.sample(1, seed=0, local=False)
    model.predict(np.zeros((NUM_IMAGES, 28, 28, 1), np.float32), verbose=0)
    ours = seconds_per_image(lambda: model.sample(NUM_IMAGES, seed=1).numpy(), NUM_IMAGES)
    whole = seconds_per_image(lambda: model.sample(1, seed=1, local=False).numpy(), 1)
    peer = seconds_per_image(lambda: predict_loop(model, NUM_IMAGES), NUM_IMAGES)
    common = dict(article="autoregressive", peer="per-pixel model.predict loop (keras.io)", unit="s/image",
                  higher_is_better=False, data="none (sampling)")
    return [
        Result(task=TASK.format(NUM_IMAGES), ours="tfdl PixelCNN.sample (compiled, local)",
               ours_value=ours, peer_value=peer, **common),
        Result(task=TASK.format(1), ours="tfdl PixelCNN.sample(local=False) (compiled, whole image)",
               ours_value=whole, peer_value=peer, **common),
    ]
