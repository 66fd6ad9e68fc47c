import keras
import numpy as np
import pytest
import tensorflow as tf

import tfdl
from tfdl.models import VAE, Autoencoder
from tfdl.models.vae import conv_pair, dense_pair


@pytest.fixture(scope="module")
def x():
    return tfdl.data.load("digits", binarize="threshold", flatten=True)[:256]


def test_encoder_outputs_one_code_and_loss_is_bernoulli_cross_entropy(x):
    encoder, decoder = dense_pair((64,), latent_dim=3, hidden_units=(16,), variational=False)
    ae = Autoencoder(encoder, decoder)
    ae.compile(optimizer="adam")
    z = ae.encode(x[:5])
    assert z.shape == (5, 3)
    probs = np.asarray(ae.reconstruct(x[:5]), dtype="float64")
    expected = -np.mean(np.sum(x[:5] * np.log(probs) + (1 - x[:5]) * np.log(1 - probs), axis=1))
    assert np.isclose(ae.evaluate(x[:5], verbose=0, batch_size=5), expected, rtol=1e-4)


def test_training_reduces_reconstruction_loss_and_round_trips(x, roundtrip):
    keras.utils.set_random_seed(0)
    encoder, decoder = dense_pair((64,), latent_dim=4, hidden_units=(32,), variational=False)
    ae = Autoencoder(encoder, decoder)
    ae.compile(optimizer=keras.optimizers.Adam(3e-3))
    history = ae.fit(x, epochs=10, batch_size=32, validation_data=(x[:64],), verbose=0).history
    assert set(history) == {"loss", "val_loss"}
    assert history["loss"][-1] < 0.8 * history["loss"][0]
    loaded = roundtrip(ae)
    np.testing.assert_array_equal(loaded.encode(x[:8]), ae.encode(x[:8]))


def test_conv_autoencoder_and_bad_input(x):
    encoder, decoder = conv_pair((8, 8, 1), latent_dim=2, filters=(4, 8), dense=8, variational=False)
    ae = Autoencoder(encoder, decoder)
    images = x[:4].reshape(4, 8, 8, 1)
    assert ae.reconstruct(images).shape == (4, 8, 8, 1)
    with pytest.raises(ValueError, match=r"x.shape=\(4, 64\)"):
        ae.encode(x[:4])
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        ae.encode(images + 1.0)
    with pytest.raises(ValueError, match="likelihood='normal'"):
        Autoencoder(encoder, decoder, likelihood="normal")


MODELS = {
    "autoencoder": lambda: Autoencoder(*dense_pair((64,), 2, hidden_units=(8,), variational=False)),
    "vae": lambda: VAE(*dense_pair((64,), 2, hidden_units=(8,)), seed=0),
}


@pytest.mark.parametrize("name", MODELS)
def test_compile_rejects_a_loss_or_metrics_that_training_would_ignore(name):
    model = MODELS[name]()
    for argument, value in (("loss", "binary_crossentropy"), ("metrics", ["mse"])):
        with pytest.raises(ValueError, match=f"own loss.*Expected {argument}=None. Received: {argument}="):
            model.compile(optimizer="adam", **{argument: value})
    model.compile(optimizer="adam", loss=None)


@pytest.mark.parametrize("name", MODELS)
def test_predict_returns_the_reconstruction_and_round_trips(name, x, roundtrip):
    model = MODELS[name]()
    predicted = model.predict(x[:8], verbose=0)
    np.testing.assert_allclose(predicted, model.reconstruct(x[:8]), rtol=1e-6)
    np.testing.assert_allclose(model(x[:8]), predicted, rtol=1e-6)
    assert predicted.min() >= 0 and predicted.max() <= 1  # probabilities, not logits
    np.testing.assert_array_equal(roundtrip(model).predict(x[:8], verbose=0), predicted)


@pytest.mark.parametrize("name", MODELS)
def test_mixed_float16_step_scales_the_loss_and_moves_the_weights_as_float32(name, x, dtype_policy):
    """Keras wraps the optimizer in a LossScaleOptimizer (scale 2**15) that
    divides the gradients by the scale: a step whose loss was not scaled
    first would move the weights 2**15 times too little."""
    reference = MODELS[name]()
    start = reference.get_weights()
    reference.compile(optimizer=keras.optimizers.SGD(0.1))
    expected = reference.fit(x[:64], batch_size=64, shuffle=False, verbose=0).history
    dtype_policy("mixed_float16")
    model = MODELS[name]()
    model.set_weights(start)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    history = model.fit(x[:64], batch_size=64, shuffle=False, verbose=0).history
    assert set(history) == set(expected)
    for key, values in expected.items():
        np.testing.assert_allclose(history[key], values, rtol=1e-2, atol=1e-3)
    for after, expected_after, before in zip(model.get_weights(), reference.get_weights(), start):
        step = expected_after - before
        np.testing.assert_allclose(after - before, step, atol=2e-2 * np.abs(step).max() + 1e-7)
    assert model.decoder.layers[-1].compute_dtype == "float16"
    assert model.predict(x[:4], verbose=0).dtype == "float32"
    assert model.reconstruct(x[:4]).dtype == "float32"
    fresh = MODELS[name]()
    fresh.compile(optimizer=keras.optimizers.Adam(1e-2))
    losses = fresh.fit(x, batch_size=64, epochs=3, verbose=0).history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]


@pytest.mark.parametrize("name", MODELS)
def test_float64_policy_computes_and_trains_in_float64(name, x, dtype_policy):
    reference = MODELS[name]()
    dtype_policy("float64")
    model = MODELS[name]()
    model.set_weights(reference.get_weights())
    assert all(weight.dtype == "float64" for weight in model.trainable_weights)
    reconstruction = model.reconstruct(x[:8])
    assert reconstruction.dtype == "float64"
    np.testing.assert_allclose(reconstruction, reference.reconstruct(x[:8]), rtol=1e-5, atol=1e-7)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    losses = model.fit(x, batch_size=64, epochs=3, verbose=0).history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]


def test_mirrored_strategy_gives_the_same_first_update(x, mirrored):
    """Two replicas' gradients are summed, so each replica's loss is halved (once the step doubled)."""

    def first_update(strategy):
        keras.utils.set_random_seed(0)
        with strategy.scope():
            ae = MODELS["autoencoder"]()
            ae.compile(optimizer=keras.optimizers.SGD(0.5))
        start = [w.copy() for w in ae.get_weights()]
        ae.fit(x[:32], epochs=1, batch_size=32, shuffle=False, verbose=0)
        return start, ae.get_weights()

    start, one = first_update(tf.distribute.OneDeviceStrategy("/cpu:0"))
    same_start, two = first_update(mirrored)
    for a0, b0 in zip(start, same_start):
        np.testing.assert_array_equal(a0, b0)
    assert max(float(np.abs(a - a0).max()) for a, a0 in zip(one, start)) > 1e-3
    for a, b in zip(one, two):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)
