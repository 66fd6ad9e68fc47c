import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp
from scipy.special import logsumexp
from scipy.stats import norm

import tfdl
from tfdl.models import VAE
from tfdl.models.autoencoder import log_likelihood
from tfdl.models.vae import _diagonal_normal_log_prob, conv_pair, dense_pair, kl_to_standard_normal

tfd = tfp.distributions


@pytest.fixture(scope="module")
def digits():
    return (
        tfdl.data.load("digits", binarize="threshold", flatten=True),
        tfdl.data.load("digits", "test", binarize="threshold", flatten=True),
    )


@pytest.fixture(scope="module")
def trained(digits):
    keras.utils.set_random_seed(0)
    encoder, decoder = dense_pair((64,), latent_dim=2, hidden_units=(32,))
    vae = VAE(encoder, decoder, seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(3e-3))
    vae.fit(digits[0], epochs=15, batch_size=64, verbose=0)
    return vae


def test_kl_closed_form_matches_tfp():
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(5, 3)).astype("float32")
    log_var = rng.normal(size=(5, 3)).astype("float32")
    expected = tfd.kl_divergence(
        tfd.MultivariateNormalDiag(mean, tf.exp(0.5 * log_var)),
        tfd.MultivariateNormalDiag(tf.zeros(3), tf.ones(3)),
    )
    np.testing.assert_allclose(kl_to_standard_normal(mean, log_var), expected, rtol=1e-5)
    assert np.allclose(kl_to_standard_normal(np.zeros((1, 3)), np.zeros((1, 3))), 0.0)


def test_log_likelihoods_match_tfp():
    rng = np.random.default_rng(1)
    params = rng.normal(size=(4, 3, 2)).astype("float32")
    for x in ((rng.random((4, 3, 2)) > 0.5).astype("float32"), rng.random((4, 3, 2)).astype("float32")):
        expected = -tf.reduce_sum(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=params), axis=(1, 2)
        )
        binary = tfd.Independent(tfd.Bernoulli(logits=params, dtype=tf.float32), 2).log_prob(x)
        np.testing.assert_allclose(log_likelihood("bernoulli", x, params), expected, rtol=1e-5)
        if set(np.unique(x)) <= {0.0, 1.0}:
            np.testing.assert_allclose(log_likelihood("bernoulli", x, params), binary, rtol=1e-5)
    log_scale = np.float32(-0.3)
    expected = tfd.Independent(tfd.Normal(params, np.exp(log_scale)), 2).log_prob(x)
    np.testing.assert_allclose(log_likelihood("gaussian", x, params, log_scale), expected, rtol=1e-5)


def test_fit_with_validation_data_reports_the_three_losses(digits):
    x, x_test = digits
    encoder, decoder = dense_pair((64,), latent_dim=2, hidden_units=(16,))
    vae = VAE(encoder, decoder, seed=1)
    vae.compile(optimizer="adam")
    history = vae.fit(
        x[:256], epochs=2, batch_size=64, validation_data=(x_test[:64],), verbose=0,
        callbacks=[keras.callbacks.TerminateOnNaN()],
    )
    names = {"loss", "reconstruction_loss", "kl_loss"}
    assert names | {f"val_{n}" for n in names} == set(history.history)
    for epoch in range(2):
        h = history.history
        assert np.isclose(h["loss"][epoch], h["reconstruction_loss"][epoch] + h["kl_loss"][epoch], rtol=1e-4)
    evaluated = vae.evaluate(x_test[:64], return_dict=True, verbose=0)
    assert set(evaluated) == names
    # evaluate's loss is the negative mean ELBO, one z per example
    assert abs(evaluated["loss"] + np.mean(vae.elbo(x_test[:64]))) < 2.0


def test_elbo_below_iwae_bounds_increasing_in_k(trained, digits):
    x_test = digits[1]
    seeds = (0, 1, 2)
    elbo = np.mean([np.mean(trained.elbo(x_test, seed=s)) for s in seeds])
    bounds = [
        np.mean([np.mean(trained.log_prob(x_test, k, seed=s, max_batch=4096)) for s in seeds])
        for k in (1, 4, 32, 256)
    ]
    # k=1 is an unbiased estimate of the ELBO (Monte Carlo KL instead of closed form)
    assert abs(bounds[0] - elbo) < 0.2
    assert elbo < bounds[1] < bounds[2] < bounds[3]
    assert bounds[1] - bounds[0] > 0.05  # well beyond the Monte Carlo noise of the means


def test_iwae_approaches_log_likelihood_by_quadrature(trained, digits):
    """With a 2-d latent space log p(x) = log int p(x|z) p(z) dz on a grid."""
    x = digits[1][:4]
    grid = np.linspace(-7, 7, 281, dtype="float32")
    z = np.stack(np.meshgrid(grid, grid), -1).reshape(-1, 2)
    probs = np.asarray(trained.decode(z), dtype="float64").clip(1e-7, 1 - 1e-7)
    log_px_z = x @ np.log(probs).T + (1 - x) @ np.log(1 - probs).T  # [4, grid]
    log_pz = -0.5 * (z**2).sum(1) - np.log(2 * np.pi)
    exact = logsumexp(log_px_z + log_pz, axis=1) + 2 * np.log(grid[1] - grid[0])
    iwae = np.asarray(trained.log_prob(x, num_samples=5000, seed=1, max_batch=4096))
    elbo = np.asarray(trained.elbo(np.repeat(x, 500, axis=0), seed=1)).reshape(4, 500).mean(1)
    np.testing.assert_allclose(iwae, exact, atol=0.3)
    assert np.all(elbo < exact)  # a single-z ELBO is noisy; its mean is below log p(x)


def test_chunking_does_not_change_the_estimate(trained, digits):
    x = digits[1][:8]
    whole = trained.log_prob(x, num_samples=50, seed=2, max_batch=400)
    # different chunks draw different noise: equal in distribution, so compare means loosely
    chunked = trained.log_prob(x, num_samples=50, seed=2, max_batch=16)
    assert abs(np.mean(whole) - np.mean(chunked)) < 1.0
    assert np.asarray(trained.log_prob(x[:3], num_samples=7, seed=0, max_batch=2)).shape == (3,)


def test_seeded_methods_are_deterministic(trained, digits):
    x = digits[1][:10]
    np.testing.assert_array_equal(trained.log_prob(x, 20, seed=5), trained.log_prob(x, 20, seed=5))
    np.testing.assert_array_equal(trained.elbo(x, seed=5), trained.elbo(x, seed=5))
    np.testing.assert_array_equal(trained.sample(4, seed=5), trained.sample(4, seed=5))
    assert trained.sample(3).shape == (3, 64)  # the seed generator's seed: int64, cast for tfp
    assert not np.array_equal(trained.sample(4, seed=5), trained.sample(4, seed=6))
    samples = np.asarray(trained.sample(4, seed=5))
    assert samples.shape == (4, 64) and set(np.unique(samples)) <= {0.0, 1.0}
    means = np.asarray(trained.sample(4, seed=5, mean=True))
    assert means.min() >= 0 and means.max() <= 1


def test_training_is_deterministic_under_seed(digits):
    def train():
        keras.utils.set_random_seed(3)
        encoder, decoder = dense_pair((64,), latent_dim=2, hidden_units=(8,))
        vae = VAE(encoder, decoder, seed=3)
        vae.compile(optimizer="adam")
        return vae.fit(digits[0][:128], epochs=2, batch_size=32, verbose=0).history["loss"]

    assert train() == train()


def test_shapes_of_encode_decode_reconstruct_interpolate(trained, digits):
    x = digits[1][:3]
    mean, log_var = trained.encode(x)
    assert mean.shape == (3, 2) and log_var.shape == (3, 2)
    assert trained.decode(mean).shape == (3, 64)
    np.testing.assert_allclose(trained.reconstruct(x), trained.decode(mean), rtol=1e-6)
    path = np.asarray(trained.interpolate(x, x[::-1], steps=5))
    assert path.shape == (3, 5, 64)
    np.testing.assert_allclose(path[:, 0], trained.decode(mean), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(path[:, -1], trained.decode(mean[::-1]), rtol=1e-5, atol=1e-6)


def test_bad_input_raises_value_error(trained, digits):
    x = digits[1][:4]
    with pytest.raises(ValueError, match=r"shape \[batch, 64\].*x.shape=\(4, 8, 8\)"):
        trained.elbo(x.reshape(4, 8, 8))
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        trained.log_prob(x * 2.0, num_samples=2)
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        trained.fit(x - 1.0, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        trained.log_prob(x, num_samples=0)
    encoder, decoder = dense_pair((64,), 2)
    with pytest.raises(ValueError, match="likelihood='poisson'"):
        VAE(encoder, decoder, likelihood="poisson")
    with pytest.raises(ValueError, match="beta=-1"):
        VAE(encoder, decoder, beta=-1)
    with pytest.raises(ValueError, match="input_shape=\\(30, 30, 1\\)"):
        conv_pair((30, 30, 1))


def test_gaussian_likelihood_trains_and_accepts_any_values(digits):
    x = digits[0][:256] * 3.0 - 1.0
    encoder, decoder = dense_pair((64,), latent_dim=2, hidden_units=(16,))
    vae = VAE(encoder, decoder, likelihood="gaussian", seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = vae.fit(x, epochs=5, batch_size=64, verbose=0).history["loss"]
    assert history[-1] < history[0]
    assert float(vae.log_scale) != 0.0
    assert np.all(np.isfinite(vae.log_prob(x[:5], num_samples=10)))


def test_conv_pair_defaults_are_the_keras_io_architecture():
    encoder, decoder = conv_pair((28, 28, 1), latent_dim=2)
    # keras.io "Variational AutoEncoder" model summaries
    assert encoder.count_params() == 69_076 and decoder.count_params() == 65_089
    vae = VAE(encoder, decoder, seed=0)
    x = (np.random.default_rng(0).random((2, 28, 28, 1)) > 0.5).astype("float32")
    assert vae.log_prob(x, num_samples=3).shape == (2,)


LOAD_SCRIPT = """
import sys
import numpy as np
import keras
import tfdl
model = keras.saving.load_model(sys.argv[1])
mean, log_var = model.encode(np.load(sys.argv[2]))
np.save(sys.argv[3], np.stack([mean, log_var]))
print(type(model).__name__, model.likelihood_family, model.beta, model.seed)
"""


def test_save_and_load_in_a_fresh_process(trained, digits, tmp_path):
    x = digits[1][:16]
    trained.save(tmp_path / "vae.keras")
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "load.py").write_text(LOAD_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(tmp_path / "load.py"), str(tmp_path / "vae.keras"),
         str(tmp_path / "x.npy"), str(tmp_path / "out.npy")],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "VAE bernoulli 1.0 0" in done.stdout
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), np.stack(trained.encode(x)))


def test_in_process_round_trip_keeps_outputs_and_seeded_draws(trained, digits, roundtrip):
    x = digits[1][:8]
    loaded = roundtrip(trained)
    np.testing.assert_array_equal(loaded.reconstruct(x), trained.reconstruct(x))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), trained.predict(x, verbose=0))
    np.testing.assert_array_equal(loaded.log_prob(x, 10, seed=1), trained.log_prob(x, 10, seed=1))


def test_fit_under_mirrored_strategy(digits, mirrored):
    assert mirrored.num_replicas_in_sync == 2  # conftest
    with mirrored.scope():
        vae = VAE(*dense_pair((64,), 2, hidden_units=(8,)), seed=0)
        vae.compile(optimizer="adam")
    history = vae.fit(digits[0][:128], epochs=2, batch_size=32, verbose=0).history
    assert history["loss"][1] < history["loss"][0]
    assert np.all(np.isfinite(vae.log_prob(digits[1][:4], num_samples=5, seed=0)))


def _elbo_z(vae, x, seed):
    """The z that ``vae.elbo(x, seed)`` draws: mean + exp(log_var / 2) * eps."""
    mean, log_var = vae.encode(x)
    return mean + tf.exp(0.5 * log_var) * tf.random.stateless_normal(mean.shape, [seed, 0], dtype=mean.dtype)


def test_posterior_prior_and_likelihood_are_the_models_distributions(trained, digits):
    x = digits[1][:6]
    mean, log_var = trained.encode(x)
    posterior, prior = trained.posterior(x), trained.prior
    assert posterior.batch_shape == [6] and posterior.event_shape == [2]
    assert prior.batch_shape == [] and prior.event_shape == [2]
    z = posterior.sample(seed=(1, 2))
    expected = norm.logpdf(np.float64(z), np.float64(mean), np.exp(0.5 * np.float64(log_var))).sum(axis=1)
    np.testing.assert_allclose(posterior.log_prob(z), expected, rtol=1e-5)
    np.testing.assert_allclose(posterior.log_prob(z), _diagonal_normal_log_prob(z, mean, log_var), rtol=1e-5)
    np.testing.assert_allclose(prior.log_prob(z), norm.logpdf(z).sum(axis=1), rtol=1e-6)
    np.testing.assert_allclose(prior.log_prob(z), _diagonal_normal_log_prob(z), rtol=1e-6)
    likelihood = trained.likelihood(z)
    assert likelihood.batch_shape == [6] and likelihood.event_shape == [64]
    logits = np.asarray(trained.decoder(z), "float64")
    by_hand = -(x * np.logaddexp(0, -logits) + (1 - x) * np.logaddexp(0, logits)).sum(axis=1)
    np.testing.assert_allclose(likelihood.log_prob(x), by_hand, rtol=1e-5)
    model_log_likelihood = log_likelihood("bernoulli", x, trained.decoder(z))
    np.testing.assert_allclose(likelihood.log_prob(x), model_log_likelihood, rtol=1e-5)
    # the ELBO assembled from the three objects at the z elbo draws
    z = _elbo_z(trained, x, seed=3)
    elbo = trained.likelihood(z).log_prob(x) - tfd.kl_divergence(posterior, prior)
    np.testing.assert_allclose(elbo, trained.elbo(x, seed=3), rtol=1e-5)


def test_gaussian_likelihood_on_images_has_the_image_as_event():
    vae = VAE(*conv_pair((8, 8, 1), latent_dim=2, filters=(4,), dense=4), likelihood="gaussian", seed=0)
    vae.log_scale.assign(-0.5)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 8, 8, 1)).astype("float32")
    z = rng.normal(size=(3, 2)).astype("float32")
    likelihood = vae.likelihood(z)
    assert likelihood.batch_shape == [3] and likelihood.event_shape == [8, 8, 1]
    scale, mean = np.exp(-0.5), np.asarray(vae.decoder(z), "float64")
    by_hand = (-0.5 * ((x - mean) / scale) ** 2 - np.log(scale) - 0.5 * np.log(2 * np.pi)).sum((1, 2, 3))
    np.testing.assert_allclose(likelihood.log_prob(x), by_hand, rtol=1e-5)
    kl = tfd.kl_divergence(vae.posterior(x), vae.prior)
    elbo = vae.likelihood(_elbo_z(vae, x, seed=4)).log_prob(x) - kl
    np.testing.assert_allclose(elbo, vae.elbo(x, seed=4), rtol=1e-5)


def test_uint8_input_is_cast_not_rescaled(trained, digits):
    x = digits[1][:16]
    x8 = x.astype("uint8")
    np.testing.assert_array_equal(trained.elbo(x8, seed=1), trained.elbo(x, seed=1))
    np.testing.assert_array_equal(trained.log_prob(x8, 5, seed=1), trained.log_prob(x, 5, seed=1))
    np.testing.assert_array_equal(trained.predict(x8, verbose=0), trained.predict(x, verbose=0))
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        trained.elbo(x8 * 255)
    vae, twin = (VAE(*dense_pair((64,), 2, hidden_units=(8,)), seed=0) for _ in range(2))
    twin.set_weights(vae.get_weights())
    for model in (vae, twin):
        model.compile(optimizer="adam")
    assert vae.evaluate(x8, verbose=0) == twin.evaluate(x, verbose=0)  # same sampler seed
    assert np.isfinite(vae.fit(x8, batch_size=8, verbose=0).history["loss"][0])


@pytest.mark.parametrize("name", ["mixed_float16", "float64"])
def test_inference_returns_the_variable_dtype(name, digits, dtype_policy):
    dtype_policy(name)
    vae = VAE(*dense_pair((64,), 2, hidden_units=(8,)), seed=0)
    x = digits[1][:4]
    z = vae.prior.sample(4, seed=(0, 1))
    values = (
        vae.elbo(x), vae.log_prob(x, 3), vae.sample(2), vae.sample(2, mean=True),
        vae.interpolate(x, x, 3), vae.predict(x, verbose=0), vae.posterior(x).log_prob(z),
        vae.prior.log_prob(z), vae.likelihood(z).log_prob(x), *vae.encode(x),
    )
    for value in values:
        assert value.dtype == ("float64" if name == "float64" else "float32")
        assert np.all(np.isfinite(value))


def test_dense_pair_hidden_is_a_deprecated_spelling_of_hidden_units():
    with pytest.warns(DeprecationWarning, match="hidden= is deprecated; use hidden_units="):
        old = dense_pair((6,), 2, hidden=(5, 3))
    new = dense_pair((6,), 2, hidden_units=(5, 3))
    for old_model, new_model in zip(old, new):
        assert [w.shape for w in old_model.weights] == [w.shape for w in new_model.weights]
    assert [w.shape for w in new[0].weights][:2] == [(6, 5), (5,)]
    with pytest.raises(ValueError, match="not both"):
        dense_pair((6,), 2, hidden_units=(4,), hidden=(5,))
    with pytest.raises(TypeError, match="hiden"):
        dense_pair((6,), 2, hiden=(5,))


def test_impute_is_the_posterior_mean_given_the_observed_pixels_by_quadrature(trained, digits):
    """With a 2-d latent space E[x_miss | x_obs] = int p(x_obs|z) p(z) E[x|z] dz / int p(x_obs|z) p(z) dz."""
    x = digits[1][:6]
    observed = np.zeros(64, bool)
    observed[:32] = True  # the top half of each 8x8 image
    grid = np.linspace(-7, 7, 281, dtype="float32")
    z = np.stack(np.meshgrid(grid, grid), -1).reshape(-1, 2)
    probs = np.asarray(trained.decode(z), dtype="float64").clip(1e-7, 1 - 1e-7)
    top = x[:, observed]
    log_w = top @ np.log(probs[:, observed]).T + (1 - top) @ np.log(1 - probs[:, observed]).T - 0.5 * (z**2).sum(1)
    weights = np.exp(log_w - logsumexp(log_w, axis=1, keepdims=True))  # [6, grid]
    exact = weights @ probs[:, ~observed]
    filled = np.asarray(trained.impute(x, observed, num_samples=20000, rounds=2, seed=0))
    np.testing.assert_array_equal(filled[:, observed], x[:, observed])  # the given pixels are kept
    np.testing.assert_allclose(filled[:, ~observed], exact, atol=0.02)
    # one mask per input gives the same fill; the same seed, the same fill
    again = trained.impute(x, np.broadcast_to(observed, x.shape).copy(), num_samples=20000, rounds=2, seed=0)
    np.testing.assert_allclose(np.asarray(again), filled, atol=1e-6)


def test_impute_bad_mask_raises_value_error(trained, digits):
    x = digits[1][:3]
    with pytest.raises(ValueError, match=r"Expected observed as booleans of shape \(64,\) or \(3, 64\)"):
        trained.impute(x, np.ones(63, bool))
    with pytest.raises(ValueError, match="float64"):
        trained.impute(x, np.ones(64))
    with pytest.raises(ValueError, match="num_samples"):
        trained.impute(x, np.ones(64, bool), num_samples=0)
