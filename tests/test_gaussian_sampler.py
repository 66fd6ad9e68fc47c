import keras
import numpy as np
import tensorflow as tf

from tfdl.layers import GaussianSampler

MEAN = np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.7]], dtype="float32")
LOG_VAR = np.array([[0.2, -0.4, 1.0], [-2.0, 0.0, 0.5]], dtype="float32")


def noise(seed=3):
    """The eps a fresh sampler with this seed draws, recovered from z."""
    z = GaussianSampler(seed=seed)([MEAN, LOG_VAR])
    return (np.asarray(z) - MEAN) / np.exp(0.5 * LOG_VAR)


def test_same_seed_same_noise_and_different_seed_different_noise():
    assert np.allclose(noise(3), noise(3))
    assert not np.allclose(noise(3), noise(4))


def test_noise_is_standard_normal():
    z = GaussianSampler(seed=0)([np.full((20000, 1), 1.0, "float32"), np.full((20000, 1), np.log(4.0), "float32")])
    z = np.asarray(z)
    assert abs(z.mean() - 1.0) < 0.05 and abs(z.std() - 2.0) < 0.05


def test_gradients_are_the_reparameterization_trick_checked_numerically():
    eps = noise(3)
    mean, log_var = tf.constant(MEAN), tf.constant(LOG_VAR)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([mean, log_var])
        z = GaussianSampler(seed=3)([mean, log_var])
    # elementwise layer: gradient of sum(z) is the diagonal of the Jacobian
    grad_mean, grad_log_var = tape.gradient(z, [mean, log_var])
    np.testing.assert_allclose(grad_mean, np.ones_like(MEAN), rtol=1e-6)
    np.testing.assert_allclose(grad_log_var, 0.5 * np.exp(0.5 * LOG_VAR) * eps, rtol=1e-5, atol=1e-6)

    # central finite differences with the same noise (fresh sampler, same seed)
    h = 1e-2
    def f(m, lv):
        return np.asarray(GaussianSampler(seed=3)([m, lv]), dtype="float64")
    fd_mean = (f(MEAN + h, LOG_VAR) - f(MEAN - h, LOG_VAR)) / (2 * h)
    fd_log_var = (f(MEAN, LOG_VAR + h) - f(MEAN, LOG_VAR - h)) / (2 * h)
    np.testing.assert_allclose(grad_mean, fd_mean, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(grad_log_var, fd_log_var, rtol=1e-3, atol=1e-3)


def test_config_round_trip_keeps_the_seed_and_the_draws():
    layer = GaussianSampler(seed=7, name="s")
    clone = GaussianSampler.from_config(layer.get_config())
    assert clone.get_config()["seed"] == 7
    np.testing.assert_allclose(layer([MEAN, LOG_VAR]), clone([MEAN, LOG_VAR]))


def test_inside_a_functional_model_and_saved(roundtrip):
    mean, log_var = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([mean, log_var], GaussianSampler(seed=1)([mean, log_var]))
    assert tuple(model.output.shape) == (None, 3)
    loaded = roundtrip(model)
    assert isinstance(loaded.layers[-1], GaussianSampler)
    assert loaded.layers[-1].seed == 1
