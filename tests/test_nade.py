"""NADE: autoregressive property, the recursion and its hand-written gradient vs the
naive formulation, normalisation, sampling, seeds, saving."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdl.models import NADE


def naive_logits(model, x):
    """One separate hidden computation per dimension, in float64 NumPy."""
    W, c, V, b = (v.numpy().astype(np.float64) for v in (model.W, model.c, model.V, model.b))
    logits = np.empty(x.shape)
    for i in range(x.shape[1]):
        h = 1 / (1 + np.exp(-(c + x[:, :i] @ W[:i])))
        logits[:, i] = h @ V[i] + b[i]
    return logits


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_autoregressive_property_by_gradients(seed):
    rng = np.random.default_rng(seed)
    d, h = int(rng.integers(2, 15)), int(rng.integers(1, 20))
    model = NADE(d, h, seed=seed)
    x = tf.constant(rng.normal(size=(3, d)).astype("float32"))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        logits = model(x)
    # without pfor: vectorising the compiled loops recompiles them (~10x slower here)
    jac = tape.batch_jacobian(logits, x, experimental_use_pfor=False).numpy()
    forbidden = np.arange(d)[None, :] >= np.arange(d)[:, None]
    assert np.all(jac[:, forbidden] == 0)
    if d > 1:
        assert np.all(jac[:, ~forbidden] != 0)


@pytest.mark.parametrize("d", [1, 9, 30])
def test_fast_path_equals_naive_loop(d):
    model = NADE(d, 7, seed=d)
    x = (np.random.default_rng(0).random((6, d)) < 0.5).astype("float32")
    model.build()
    for variable in (model.c, model.b):
        variable.assign(np.random.default_rng(1).normal(size=variable.shape))
    np.testing.assert_allclose(model(x).numpy(), naive_logits(model, x), atol=1e-5)


def naive_log_prob(x, W, c, V, b):
    """``log p(x)`` with one separate hidden computation per dimension, in TensorFlow."""
    logits = tf.stack(
        [tf.linalg.matvec(tf.sigmoid(c + x[:, :i] @ W[:i]), V[i]) for i in range(x.shape[1])],
        axis=1,
    ) + b
    return tf.reduce_sum(x * logits - tf.nn.softplus(logits), axis=1)


@pytest.mark.parametrize("d, jit_compile", [(12, False), (12, True), (1, False), (2, False)])
def test_hand_written_gradient_equals_autodiff_of_the_naive_formulation(d, jit_compile):
    rng = np.random.default_rng(d)
    model = NADE(d, 9, seed=0, dtype="float64")
    model.build()
    for variable in (model.c, model.b):
        variable.assign(rng.normal(size=variable.shape))
    x = tf.constant((rng.random((5, d)) < 0.5).astype("float64"))
    weights = tf.constant(rng.normal(size=5))  # a generic upstream gradient

    @tf.function(jit_compile=jit_compile)
    def fast():
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(weights * model.log_prob(x))
        return loss, tape.gradient(loss, [x, model.W, model.c, model.V, model.b])

    def naive():
        with tf.GradientTape() as tape:
            tape.watch(x)
            variables = [tf.convert_to_tensor(v) for v in (model.W, model.c, model.V, model.b)]
            tape.watch(variables)
            loss = tf.reduce_sum(weights * naive_log_prob(x, *variables))
        return loss, tape.gradient(loss, [x, *variables])

    (loss, gradients), (naive_loss, naive_gradients) = fast(), naive()
    np.testing.assert_allclose(loss, naive_loss, rtol=1e-12)
    for gradient, expected in zip(gradients, naive_gradients):
        np.testing.assert_allclose(gradient, expected, rtol=1e-9, atol=1e-12)


def test_float32_gradient_stays_close_at_mnist_length():
    # the backward pass recovers a_i by subtracting D = 784 rows again: float32 drift
    rng = np.random.default_rng(1)
    model = NADE(784, 16, seed=1)
    x = (rng.random((4, 784)) < 0.3).astype("float32")
    model.build()
    with tf.GradientTape() as tape:
        loss = -tf.reduce_sum(model.log_prob(x))
    fast = tape.gradient(loss, [model.W, model.V])
    exact = NADE(784, 16, seed=1, dtype="float64")
    exact.build()
    exact.set_weights([w.astype("float64") for w in model.get_weights()])
    with tf.GradientTape() as tape:
        loss = -tf.reduce_sum(exact.log_prob(x.astype("float64")))
    for gradient, expected in zip(fast, tape.gradient(loss, [exact.W, exact.V])):
        np.testing.assert_allclose(gradient, expected, rtol=1e-4, atol=1e-5)


def test_exact_normalisation_over_all_binary_vectors():
    model = NADE(10, 16, seed=0)
    x = np.array(list(itertools.product([0, 1], repeat=10)), "float32")
    total = np.exp(model.log_prob(x).numpy().astype(np.float64)).sum()
    assert abs(total - 1.0) < 1e-5


def test_sampling_is_reproducible_and_matches_the_density():
    model = NADE(3, 6, seed=0)
    model.build()
    model.W.assign(3.0 * model.W)
    model.V.assign(3.0 * model.V)
    samples = model.sample(20000, seed=3).numpy()
    np.testing.assert_array_equal(samples, model.sample(20000, seed=3).numpy())
    patterns = np.array(list(itertools.product([0, 1], repeat=3)), "float32")
    expected = np.exp(model.log_prob(patterns).numpy())
    observed = [(samples == p).all(axis=1).mean() for p in patterns]
    np.testing.assert_allclose(observed, expected, atol=0.015)


def test_fit_without_targets_lowers_the_loss():
    x = (np.random.default_rng(0).random((64, 8)) < np.linspace(0.1, 0.9, 8)).astype("float32")
    model = NADE(8, 16, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(0.02))
    history = model.fit(x, epochs=5, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < history[0]


def test_seed_fixes_the_initial_weights_and_the_unseeded_samples():
    first, second, other = NADE(10, 16, seed=3), NADE(10, 16, seed=3), NADE(10, 16, seed=4)
    for model in (first, second, other):
        model.build()
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.W.numpy(), other.W.numpy())
    assert not np.array_equal(first.W.numpy(), first.V.numpy())
    samples = [first.sample(20).numpy(), first.sample(20).numpy()]
    np.testing.assert_array_equal(samples[0], second.sample(20).numpy())
    np.testing.assert_array_equal(samples[1], second.sample(20).numpy())
    assert not np.array_equal(samples[0], samples[1])
    assert first.get_config()["seed"] == 3
    assert isinstance(NADE(10, 16).get_config()["seed"], int)  # drawn and stored


def test_keras_round_trip(roundtrip):
    model = NADE(10, 16, seed=0)
    x = (np.random.default_rng(1).random((16, 10)) < 0.5).astype("float32")
    model.compile(optimizer="adam")
    model.fit(x, epochs=1, batch_size=8, verbose=0)
    loaded = roundtrip(model)
    assert loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(loaded(x), model(x))
    np.testing.assert_array_equal(loaded.log_prob(x), model.log_prob(x))
    np.testing.assert_array_equal(loaded.sample(4, seed=0), model.sample(4, seed=0))


def test_errors():
    model = NADE(input_dim=10, hidden_units=16)
    with pytest.raises(ValueError, match=r"shape \[batch, 10\]. Received: x.shape=\(2, 4\)"):
        model(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"Received: x.shape=\(2, 11\)"):
        model.log_prob(np.zeros((2, 11), "float32"))
    with pytest.raises(ValueError, match="binary"):
        model.log_prob(np.full((2, 10), 0.3, "float32"))
    with pytest.raises(ValueError, match="hidden_units=0"):
        NADE(10, 0)
