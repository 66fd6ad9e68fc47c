"""NADE: autoregressive property, fast path vs naive loop, normalisation, sampling, saving."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdl.models import NADE


def naive_logits(model, x):
    """One separate hidden computation per dimension, in float64."""
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
    model = NADE(d, h)
    x = tf.constant(rng.normal(size=(3, d)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = model(x)
    jac = tape.batch_jacobian(logits, x).numpy()
    forbidden = np.arange(d)[None, :] >= np.arange(d)[:, None]
    assert np.all(jac[:, forbidden] == 0)
    if d > 1:
        assert np.all(jac[:, ~forbidden] != 0)


@pytest.mark.parametrize("d", [9, 11, 30])  # 3 blocks of 3; 3 of 4 with padding; 5 of 6
def test_fast_path_equals_naive_loop(d):
    model = NADE(d, 7)
    x = (np.random.default_rng(0).random((6, d)) < 0.5).astype("float32")
    model.build()
    for variable in (model.c, model.b):
        variable.assign(np.random.default_rng(1).normal(size=variable.shape))
    np.testing.assert_allclose(model(x).numpy(), naive_logits(model, x), atol=1e-5)


def test_exact_normalisation_over_all_binary_vectors():
    model = NADE(10, 16)
    x = np.array(list(itertools.product([0, 1], repeat=10)), "float32")
    total = np.exp(model.log_prob(x).numpy().astype(np.float64)).sum()
    assert abs(total - 1.0) < 1e-5


def test_sampling_is_reproducible_and_matches_the_density():
    model = NADE(3, 6)
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
    model = NADE(8, 16)
    model.compile(optimizer=keras.optimizers.Adam(0.02))
    history = model.fit(x, epochs=5, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < history[0]


def test_keras_round_trip(roundtrip):
    model = NADE(10, 16)
    x = (np.random.default_rng(1).random((16, 10)) < 0.5).astype("float32")
    model.compile(optimizer="adam")
    model.fit(x, epochs=1, batch_size=8, verbose=0)
    loaded = roundtrip(model)
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
