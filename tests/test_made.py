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


# Conditional MADE: p(x | context), the context feeding every layer unmasked.

ALL_BINARY_8 = np.array(list(itertools.product([0, 1], repeat=8)), "float32")


def conditional_jacobians(model, x, context, mask_index):
    x, context = tf.constant(x), tf.constant(context)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, context])
        logits = model([x, context], mask_index=mask_index)
    return tape.batch_jacobian(logits, x).numpy(), tape.batch_jacobian(logits, context).numpy()


@pytest.mark.parametrize("seed", [0, 1])
def test_conditional_autoregressive_in_x_and_dependent_on_context(seed):
    rng = np.random.default_rng(seed)
    d, c = int(rng.integers(3, 10)), int(rng.integers(1, 4))
    model = MADE(d, (16, 12), num_masks=2, order="random", conditional_dim=c,
                 direct_connections=seed == 1, seed=seed)
    x = rng.normal(size=(4, d)).astype("float32")
    context = rng.normal(size=(4, c)).astype("float32")
    for k in range(2):
        jac_x, jac_context = conditional_jacobians(model, x, context, k)
        positions = model.orders[k]
        forbidden = positions[None, :] >= positions[:, None]  # [i, j]: order(j) >= order(i)
        assert np.all(jac_x[:, forbidden] == 0)
        assert np.any(jac_x[:, ~forbidden] != 0)
        # every output, the first in the order included, depends on the context
        assert np.all(np.abs(jac_context).sum(axis=(0, 2)) > 0)


@pytest.mark.parametrize("num_masks", [1, 3])
def test_conditional_exact_normalisation_for_a_fixed_context(num_masks):
    model = MADE(8, (16, 16), num_masks=num_masks, order="random", conditional_dim=3, seed=4)
    totals = []
    for row in np.random.default_rng(0).normal(size=(2, 3)).astype("float32"):
        context = np.repeat(row[None], len(ALL_BINARY_8), axis=0)
        log_p = model.log_prob(ALL_BINARY_8, context=context).numpy().astype(np.float64)
        totals.append(np.exp(log_p).sum())
        assert abs(totals[-1] - 1.0) < 1e-5
    first = model.log_prob(ALL_BINARY_8[:4], context=np.zeros((4, 3), "float32"))
    other = model.log_prob(ALL_BINARY_8[:4], context=np.ones((4, 3), "float32"))
    assert not np.allclose(first, other)  # a different context, a different distribution


def test_conditional_fit_without_targets_lowers_the_loss():
    rng = np.random.default_rng(0)
    context = (rng.random((96, 1)) < 0.5).astype("float32")
    x = (rng.random((96, 6)) < np.where(context == 1, 0.9, 0.1)).astype("float32")
    model = MADE(6, (16,), num_masks=2, order="random", conditional_dim=1, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(0.03))
    history = model.fit([x, context], epochs=6, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < history[0]
    assert int(model.mask_counter.numpy()) == 6 * 6
    loss = model.evaluate([x, context], batch_size=32, verbose=0)
    np.testing.assert_allclose(loss, -np.mean(model.log_prob(x, context=context)), rtol=1e-5)
    # the model uses the context: each half is likelier under its own context
    own, swapped = (np.mean(model.log_prob(x, context=c)) for c in (context, 1 - context))
    assert own > swapped


def test_conditional_sampling_follows_the_context():
    model = MADE(4, (8,), conditional_dim=2, seed=0)
    model.build()
    model.output_layer.bias.assign(np.zeros(4))
    kernel = model.output_layer.kernel.numpy()
    kernel[-2:] = [[8.0] * 4, [-8.0] * 4]  # context rows: e0 -> x = 1, e1 -> x = 0
    model.output_layer.kernel.assign(kernel)
    context = np.repeat(np.eye(2, dtype="float32"), 50, axis=0)
    samples = model.sample(100, seed=3, context=context).numpy()
    np.testing.assert_array_equal(samples, model.sample(100, seed=3, context=context).numpy())
    assert samples[:50].mean() > 0.9 and samples[50:].mean() < 0.1


def test_conditional_keras_round_trip(roundtrip):
    model = MADE(5, (9, 7), num_masks=2, order="random", conditional_dim=2,
                 direct_connections=True, seed=2)
    rng = np.random.default_rng(1)
    x = (rng.random((32, 5)) < 0.5).astype("float32")
    context = rng.normal(size=(32, 2)).astype("float32")
    model.compile(optimizer="adam")
    model.fit([x, context], epochs=1, batch_size=8, verbose=0)
    loaded = roundtrip(model)
    assert loaded.get_config() == model.get_config()
    assert loaded.get_config()["conditional_dim"] == 2
    for k in range(2):
        np.testing.assert_array_equal(
            loaded([x, context], mask_index=k), model([x, context], mask_index=k)
        )
    np.testing.assert_array_equal(
        loaded.log_prob(x, context=context), model.log_prob(x, context=context)
    )
    np.testing.assert_array_equal(
        loaded.sample(5, seed=0, context=context[:5]), model.sample(5, seed=0, context=context[:5])
    )


def test_conditional_errors():
    model = MADE(6, (8,), conditional_dim=3, seed=0)
    x = np.zeros((2, 6), "float32")
    wrong_width = r"context with shape \[batch, 3\]. Received: context.shape=\(2, 4\)"
    with pytest.raises(ValueError, match=wrong_width):
        model([x, np.zeros((2, 4), "float32")])
    with pytest.raises(ValueError, match=r"Received: context.shape=\(2, 2\)"):
        model.log_prob(x, context=np.zeros((2, 2), "float32"))
    with pytest.raises(ValueError, match=r"context of shape \[batch, 3\] .*Received: context=None"):
        model(x)
    with pytest.raises(ValueError, match="Received: context=None"):
        model.log_prob(x)
    with pytest.raises(ValueError, match="Received: context=None"):
        model.sample(2, seed=0)
    with pytest.raises(ValueError, match=r"num=2 rows. Received: context.shape=\(3, 3\)"):
        model.sample(2, seed=0, context=np.zeros((3, 3), "float32"))
    with pytest.raises(ValueError, match=r"Expected no context .*Received: context.shape=\(2, 3\)"):
        MADE(6, (8,), seed=0).log_prob(x, context=np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="Received: conditional_dim=0"):
        MADE(6, conditional_dim=0)


def test_seed_fixes_the_initial_weights_whatever_the_global_seed():
    def built(seed, global_seed):
        keras.utils.set_random_seed(global_seed)
        model = MADE(12, (16, 8), num_masks=2, direct_connections=True, seed=seed)
        model.build()
        return model.get_weights()

    first, second, other = built(3, 0), built(3, 1), built(4, 0)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    kernels = [w for w in first if w.ndim == 2]
    assert len(kernels) == 4  # two hidden, output, direct
    assert all(not np.array_equal(a, b) for a, b in zip(kernels, (w for w in other if w.ndim == 2)))
    assert not np.array_equal(kernels[0][:8, :8], kernels[1][:8, :8])  # a seed per layer


def test_masks_are_saved_with_the_model_not_redrawn_from_the_seed(roundtrip):
    model = MADE(7, (9, 5), num_masks=2, order="random", seed=11)
    config = model.get_config()
    redrawn = MADE.from_config({**config, "seed": 12})  # another seed, the saved orders and degrees
    for a, b in zip(model._masked_layers, redrawn._masked_layers):
        np.testing.assert_array_equal(a.kernel_mask, b.kernel_mask)
    np.testing.assert_array_equal(redrawn.orders, model.orders)
    loaded = roundtrip(model)
    x = (np.random.default_rng(0).random((4, 7)) < 0.5).astype("float32")
    np.testing.assert_array_equal(loaded.log_prob(x).numpy(), model.log_prob(x).numpy())
    legacy = MADE.from_config({k: v for k, v in config.items() if k not in ("orders", "degrees")})
    for a, b in zip(model._masked_layers, legacy._masked_layers):  # old files: masks drawn from the seed
        np.testing.assert_array_equal(a.kernel_mask, b.kernel_mask)


def test_saved_degrees_of_the_wrong_size_raise():
    config = MADE(5, (4,), seed=0).get_config()
    with pytest.raises(ValueError, match="degrees="):
        MADE.from_config({**config, "degrees": [[[1, 2, 3]]]})


@pytest.mark.parametrize("activation, by_hand", [("sigmoid", lambda a: 1 / (1 + np.exp(-a))), ("relu", lambda a: np.maximum(a, 0))])
def test_hidden_activation_is_saved_and_used(activation, by_hand, roundtrip):
    model = MADE(5, (8,), activation=activation, direct_connections=True, seed=3)
    x = (np.random.default_rng(2).random((6, 5)) < 0.5).astype("float32")
    model.build()
    hidden, out, direct = (model.get_layer(n) for n in ("hidden_0", "logits", "direct"))
    logits = by_hand(x @ (hidden.kernel.numpy() * hidden.kernel_mask) + hidden.bias.numpy())
    logits = logits @ (out.kernel.numpy() * out.kernel_mask) + out.bias.numpy()
    logits += x @ (direct.kernel.numpy() * direct.kernel_mask)
    np.testing.assert_allclose(model(x), logits, rtol=1e-5, atol=1e-6)
    loaded = roundtrip(model)
    assert loaded.get_config()["activation"] == activation == model.get_config()["activation"]
    np.testing.assert_array_equal(loaded.log_prob(x), model.log_prob(x))
    assert MADE(5, (8,), seed=3).get_config()["activation"] == "relu"  # the default, as before
    with pytest.raises(ValueError, match="sigmod"):
        MADE(5, (8,), activation="sigmod")
