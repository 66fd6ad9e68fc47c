"""MADE and NADE as Keras models trained by maximum likelihood, and as TFP
distributions: dtype policies, compile arguments, mixed precision, seeds."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp

from tfdl.models import MADE, NADE

MODELS = {
    "made": lambda **kwargs: MADE(6, (12,), num_masks=2, order="random", seed=0, **kwargs),
    "nade": lambda **kwargs: NADE(6, 8, seed=0, **kwargs),
}
X = (np.random.default_rng(0).random((32, 6)) < np.linspace(0.2, 0.8, 6)).astype("float32")
ALL_BINARY_6 = np.array(list(itertools.product([0, 1], repeat=6)), "float32")


@pytest.mark.parametrize("name", MODELS)
def test_compile_rejects_a_loss_or_metrics(name):
    model = MODELS[name]()
    with pytest.raises(ValueError, match=r"negative log-likelihood.*Expected loss=None"):
        model.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"Expected metrics=None. Received: metrics=\['mae'\]"):
        model.compile(optimizer="adam", metrics=["mae"])


@pytest.mark.parametrize("name", MODELS)
def test_float64_policy_reaches_every_weight_and_round_trips(name, roundtrip):
    model = MODELS[name](dtype="float64", name="density")
    log_p = model.log_prob(ALL_BINARY_6)
    assert log_p.dtype == tf.float64
    assert {w.dtype for w in model.weights} - {"int32"} == {"float64"}  # MADE's mask counter
    assert abs(np.exp(log_p.numpy()).sum() - 1.0) < 1e-12  # exact in float64
    np.testing.assert_array_equal(model.log_prob(ALL_BINARY_6.astype("uint8")), log_p)
    model.compile(optimizer="adam")
    model.fit(X, epochs=1, batch_size=8, verbose=0)
    loaded = roundtrip(model)
    assert loaded.get_config() == model.get_config()
    assert (loaded.name, loaded.dtype_policy.name) == ("density", "float64")
    np.testing.assert_array_equal(loaded.log_prob(X), model.log_prob(X))


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("dtype_policy", ["mixed_float16"], indirect=True)
def test_fit_under_mixed_float16_with_float32_loss(name, dtype_policy):
    model = MODELS[name]()
    model.compile(optimizer=keras.optimizers.Adam(0.02))
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    history = model.fit(X, epochs=4, batch_size=8, verbose=0).history["loss"]
    assert np.all(np.isfinite(history)) and history[-1] < history[0]
    assert {w.dtype for w in model.trainable_weights} == {"float32"}
    log_p = model.log_prob(X)
    assert log_p.dtype == tf.float32
    # summed in float32 from the float16 logits (a float16 sum is off by ~1e-3)
    masks = [{"mask_index": k} for k in range(2)] if name == "made" else [{}]
    per_mask = []
    for kwargs in masks:
        logits = model(X, **kwargs).numpy().astype(np.float64)
        per_mask.append(np.sum(X * logits - np.logaddexp(0, logits), axis=1))
    expected = np.logaddexp.reduce(per_mask, axis=0) - np.log(len(masks))
    np.testing.assert_allclose(log_p, expected, rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(X, verbose=0), -np.mean(log_p), rtol=1e-6)
    assert model.sample(3, seed=0).dtype == tf.float16


@pytest.mark.parametrize("name", MODELS)
def test_unseeded_samples_follow_the_model_seed(name):
    first, second = MODELS[name](), MODELS[name]()
    first.build()
    second.build()
    second.set_weights(first.get_weights())
    draws = [first.sample(10).numpy() for _ in range(2)]
    for draw in draws:
        np.testing.assert_array_equal(draw, second.sample(10).numpy())
    assert not np.array_equal(draws[0], draws[1])


@pytest.mark.parametrize("name", MODELS)
def test_distribution_is_the_model_as_a_tfp_distribution(name):
    model = MODELS[name]()
    dist = model.distribution()
    assert isinstance(dist, tfp.distributions.Distribution)
    assert (dist.event_shape, dist.batch_shape, dist.dtype) == ([6], [], tf.float32)
    assert dist.reparameterization_type == tfp.distributions.NOT_REPARAMETERIZED
    np.testing.assert_array_equal(dist.log_prob(X), model.log_prob(X))
    np.testing.assert_allclose(dist.prob(ALL_BINARY_6).numpy().sum(), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(
        dist.log_prob(X.reshape(4, 8, 6)), model.log_prob(X).numpy().reshape(4, 8)
    )
    np.testing.assert_array_equal(dist.sample(50, seed=4), model.sample(50, seed=4))
    assert dist.sample([2, 3], seed=1).shape == [2, 3, 6]
    # inside TFP's own meta-distributions (which pass stateless seeds)
    pairs = tfp.distributions.Sample(dist, 2)
    np.testing.assert_allclose(
        pairs.log_prob(X.reshape(16, 2, 6)), model.log_prob(X).numpy().reshape(16, 2).sum(1),
        rtol=1e-6,
    )
    assert pairs.sample(5, seed=(1, 2)).shape == [5, 2, 6]
    np.testing.assert_array_equal(pairs.sample(5, seed=(1, 2)), pairs.sample(5, seed=(1, 2)))


def test_conditional_made_distribution_batches_over_the_context():
    model = MADE(5, (10,), num_masks=2, order="random", conditional_dim=2, seed=0)
    rng = np.random.default_rng(1)
    context = rng.normal(size=(3, 2)).astype("float32")
    dist = model.distribution(context)
    assert (dist.event_shape, dist.batch_shape) == ([5], [3])
    x = (rng.random((4, 3, 5)) < 0.5).astype("float32")
    repeated = np.tile(context, (4, 1))  # row i * 3 + j: sample i, context j
    expected = model.log_prob(x.reshape(12, 5), context=repeated).numpy().reshape(4, 3)
    np.testing.assert_allclose(dist.log_prob(x), expected, rtol=1e-6)
    one_x = model.log_prob(np.tile(x[0, 0], (3, 1)), context=context)  # broadcast to batch [3]
    np.testing.assert_allclose(dist.log_prob(x[0, 0]), one_x, rtol=1e-6)
    np.testing.assert_array_equal(
        dist.sample(4, seed=2), model.sample(12, seed=2, context=repeated).numpy().reshape(4, 3, 5)
    )
    single = model.distribution(context[0])
    assert single.batch_shape == [] and single.sample(2, seed=0).shape == [2, 5]


def test_distribution_errors():
    with pytest.raises(ValueError, match="Received: context=None"):
        MADE(5, (8,), conditional_dim=2, seed=0).distribution()
    with pytest.raises(ValueError, match=r"context with shape \[batch, 2\]"):
        MADE(5, (8,), conditional_dim=2, seed=0).distribution(np.zeros((3, 4), "float32"))
    with pytest.raises(ValueError, match=r"Expected no context \(NADE is unconditional\)"):
        NADE(5, 8, seed=0).distribution(np.zeros((3, 2), "float32"))
    dist = NADE(5, 8, seed=0).distribution()
    with pytest.raises(ValueError, match="runs eagerly"):
        tf.function(lambda: dist.sample(2, seed=0))()



@pytest.mark.parametrize("name", MODELS)
def test_mirrored_strategy_gives_the_same_first_update(mirrored, name):
    """Two replicas' gradients are summed, so each replica's loss is halved (once the step doubled)."""

    def first_update(strategy):
        with strategy.scope():
            model = MODELS[name]()
            model.compile(optimizer=keras.optimizers.SGD(0.5))
        model.fit(X, epochs=1, batch_size=len(X), shuffle=False, verbose=0)
        return model.get_weights()

    start = MODELS[name]()
    start.build()
    one = first_update(tf.distribute.OneDeviceStrategy("/cpu:0"))
    assert max(float(np.abs(a - a0).max()) for a, a0 in zip(one, start.get_weights())) > 1e-3
    for a, b in zip(one, first_update(mirrored)):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
