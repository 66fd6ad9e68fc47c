"""MADE: autoregressive property, exact normalisation, sampling, training, saving."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdl.models import MADE

ALL_BINARY_10 = np.array(list(itertools.product([0, 1], repeat=10)), "float32")


def jacobian(model, x, mask_index):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = model(x, mask_index=mask_index)
    return tape.batch_jacobian(logits, x).numpy()  # [batch, output i, input j]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_autoregressive_property_by_gradients_for_every_mask(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(3, 12))
    hidden = tuple(rng.integers(4, 24, size=int(rng.integers(1, 3))).tolist())
    order = ["random", "natural", "reversed"][seed]
    model = MADE(d, hidden, num_masks=3, order=order, direct_connections=seed == 0, seed=seed)
    x = rng.normal(size=(4, d)).astype("float32")
    for k in range(3):
        jac = jacobian(model, x, k)
        positions = model.orders[k]
        forbidden = positions[None, :] >= positions[:, None]  # [i, j]: order(j) >= order(i)
        assert np.all(jac[:, forbidden] == 0)
        assert np.any(jac[:, ~forbidden] != 0)


@pytest.mark.parametrize("num_masks", [1, 4])
def test_exact_normalisation_over_all_binary_vectors(num_masks):
    model = MADE(10, (16, 16), num_masks=num_masks, order="random", seed=3)
    total = np.exp(model.log_prob(ALL_BINARY_10).numpy().astype(np.float64)).sum()
    assert abs(total - 1.0) < 1e-5


def test_ensemble_is_the_mixture_of_its_masks():
    model = MADE(6, (12,), num_masks=3, order="random", seed=5)
    x = (np.random.default_rng(0).random((5, 6)) < 0.5).astype("float32")
    per_mask = []
    for k in range(3):
        p = 1 / (1 + np.exp(-model(x, mask_index=k).numpy().astype(np.float64)))
        per_mask.append(np.prod(np.where(x == 1, p, 1 - p), axis=1))
    np.testing.assert_allclose(
        np.exp(model.log_prob(x).numpy()), np.mean(per_mask, axis=0), rtol=1e-5
    )
    np.testing.assert_allclose(
        np.exp(model.log_prob(x, num_masks=2).numpy()), np.mean(per_mask[:2], axis=0), rtol=1e-5
    )


def test_sampling_is_reproducible_and_matches_the_density():
    model = MADE(3, (8,), num_masks=2, order="random", seed=1)
    model.build()
    for layer in model.hidden_layers + [model.output_layer]:
        layer.kernel.assign(3.0 * layer.kernel)  # a far-from-uniform distribution
    samples = model.sample(20000, seed=7).numpy()
    np.testing.assert_array_equal(samples, model.sample(20000, seed=7).numpy())
    assert not np.array_equal(samples[:100], model.sample(100, seed=8).numpy())
    patterns = np.array(list(itertools.product([0, 1], repeat=3)), "float32")
    expected = np.exp(model.log_prob(patterns).numpy())
    observed = [(samples == p).all(axis=1).mean() for p in patterns]
    np.testing.assert_allclose(observed, expected, atol=0.015)


def test_fit_without_targets_cycles_masks_and_lowers_the_loss():
    x = (np.random.default_rng(0).random((64, 8)) < np.linspace(0.1, 0.9, 8)).astype("float32")
    model = MADE(8, (16,), num_masks=3, order="random", seed=0)
    model.compile(optimizer=keras.optimizers.Adam(0.02))
    history = model.fit(x, epochs=5, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < history[0]
    assert int(model.mask_counter.numpy()) == 5 * 4


def test_keras_round_trip(roundtrip):
    model = MADE(7, (10, 9), num_masks=2, order="random", direct_connections=True)
    x = (np.random.default_rng(1).random((32, 7)) < 0.5).astype("float32")
    model.compile(optimizer="adam")
    model.fit(x, epochs=1, batch_size=8, verbose=0)
    loaded = roundtrip(model)
    assert loaded.get_config() == model.get_config()
    for k in range(2):
        np.testing.assert_array_equal(loaded(x, mask_index=k), model(x, mask_index=k))
    np.testing.assert_array_equal(loaded.log_prob(x), model.log_prob(x))
    np.testing.assert_array_equal(loaded.sample(5, seed=0), model.sample(5, seed=0))


def test_errors():
    model = MADE(12, (32, 32), order="random", seed=0)
    with pytest.raises(ValueError, match=r"shape \[batch, 12\]. Received: x.shape=\(2, 5\)"):
        model(np.zeros((2, 5), "float32"))
    with pytest.raises(ValueError, match=r"Received: x.shape=\(2, 13\)"):
        model.log_prob(np.zeros((2, 13), "float32"))
    with pytest.raises(ValueError, match="binary"):
        model.log_prob(np.full((2, 12), 0.5, "float32"))
    with pytest.raises(ValueError, match="permutation of 0..11"):
        MADE(12, order=[0] * 12)
    with pytest.raises(ValueError, match="num_masks between 1 and 1"):
        model.log_prob(np.zeros((1, 12), "float32"), num_masks=2)
    with pytest.raises(ValueError, match="hidden_units"):
        MADE(12, hidden_units=(0,))


def test_trains_under_mirrored_strategy(mirrored):
    strategy = mirrored
    x = (np.random.default_rng(2).random((32, 6)) < 0.5).astype("float32")
    with strategy.scope():
        model = MADE(6, (8,), num_masks=2, order="random", seed=0)
        model.compile(optimizer="adam")
    model.fit(x, epochs=1, batch_size=8, verbose=0)
    assert int(model.mask_counter.numpy()) == 4
