"""Checks shared by the PixelCNN / PixelRNN tests (not a test module)."""

import itertools

import numpy as np
import tensorflow as tf


def raster_jacobian(model, x):
    """``sum_n |d logits_n / d x_n|`` over the images of ``x`` as a ``[D, D]`` matrix.

    Rows are outputs and columns inputs, both in raster order (channels
    innermost); an entry is 0 exactly when no image's output depends on that
    input (summing over images makes a dead ReLU in one image harmless). One
    backward pass: copy ``d`` of each image only back-propagates output ``d``.
    """
    n, size = len(x), int(np.prod(x.shape[1:]))
    copies = tf.constant(np.repeat(np.asarray(x, np.float32), size, axis=0))
    pick = tf.constant(np.tile(np.eye(size, dtype=np.float32), (n, 1)))
    with tf.GradientTape() as tape:
        tape.watch(copies)
        logits = tf.reshape(model(copies), (n * size, size))
        selected = tf.reduce_sum(logits * pick)
    jacobian = tape.gradient(selected, copies).numpy().reshape(n, size, size)
    return np.abs(jacobian).sum(axis=0)


def all_binary_images(shape):
    """Every binary image of ``shape``, ``[2**D, *shape]``."""
    size = int(np.prod(shape))
    return np.array(list(itertools.product([0.0, 1.0], repeat=size)), np.float32).reshape(-1, *shape)
