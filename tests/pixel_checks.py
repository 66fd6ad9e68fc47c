"""Checks shared by the PixelCNN / PixelRNN tests (not a test module)."""

import itertools

import keras
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


def check_trains_like_float32(make, x, name, dtype_policy):
    """One SGD step of ``make(**kwargs)`` in precision ``name`` moves the weights as float32 does.

    ``"float64"`` is ``make(dtype="float64")``; ``"mixed_float16"`` sets the
    global policy with ``dtype_policy``, the tests' fixture, which restores it.

    Under mixed_float16 the optimizer is a ``LossScaleOptimizer`` (scale
    2**8, which no gradient here overflows): it divides the gradients by the
    scale, so a step whose loss was not scaled first moves the weights 256
    times too little. The log-likelihood and samples come back in the
    variable dtype (float32, float64); in float64 the cached sampler draws
    the full sampler's pixels.
    """
    keras.utils.set_random_seed(0)
    reference = make()
    start = reference.get_weights()
    reference.compile(optimizer=keras.optimizers.SGD(0.5))
    expected_loss = reference.fit(x, batch_size=len(x), epochs=1, shuffle=False, verbose=0).history["loss"][0]
    if name == "mixed_float16":
        dtype_policy(name)
    model = make(**({"dtype": "float64"} if name == "float64" else {}))
    model.set_weights(start)
    optimizer = keras.optimizers.SGD(0.5)
    if name == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer, initial_scale=2.0**8)
    model.compile(optimizer=optimizer)
    loss = model.fit(x, batch_size=len(x), epochs=1, shuffle=False, verbose=0).history["loss"][0]
    log_prob = model.log_prob(x)
    samples = model.sample(3, seed=1)
    if name == "float64":  # float16 rounds the cached and the full computation differently
        np.testing.assert_array_equal(samples, model.sample(3, seed=1, method="full"))
    variable_dtype = "float64" if name == "float64" else "float32"
    assert log_prob.dtype == variable_dtype and samples.dtype == variable_dtype
    assert set(np.unique(samples)) <= {0.0, 1.0}
    assert all(weight.dtype == variable_dtype for weight in model.weights)
    tolerance = 0.1 if name == "mixed_float16" else 1e-5  # float32 rounding of the reference
    assert abs(loss - expected_loss) < tolerance * abs(expected_loss)
    for after, expected, before in zip(model.get_weights(), reference.get_weights(), start):
        step = expected - before
        np.testing.assert_allclose(after - before, step, atol=tolerance * np.abs(step).max() + 1e-7)
