import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfdl
from tests.pixel_checks import all_binary_images, check_trains_like_float32, raster_jacobian
from tfdl.reproductions import snippets
from tfdl.reproductions.autoregressive.pixels import dependency_map


def tiny(shape=(5, 5, 1), **kwargs):
    kwargs = {"filters": 8, "num_residual": 2, "kernel_size": 3, "num_head": 1, **kwargs}
    return tfdl.models.PixelCNN(input_shape=shape, **kwargs)


def test_public_api_shapes():
    model = tfdl.models.PixelCNN(input_shape=(8, 8, 1))
    x = (np.random.default_rng(0).random((3, 8, 8, 1)) > 0.5).astype("float32")
    assert model(x).shape == (3, 8, 8, 1)
    assert model.log_prob(x).shape == (3,)
    assert model.sample(2, seed=0).shape == (2, 8, 8, 1)


def test_keras_io_parameter_count():
    model = tfdl.models.PixelCNN(input_shape=(28, 28, 1), filters=128, num_residual=5, num_head=2)
    assert model.count_params() == 532_673


@pytest.mark.parametrize("seed,shape", [(0, (5, 5, 1)), (1, (6, 6, 1)), (2, (4, 7, 1)), (3, (5, 4, 3))])
def test_autoregressive_by_gradients(seed, shape):
    keras.utils.set_random_seed(seed)
    model = tiny(shape)
    x = np.random.default_rng(seed).normal(size=(4, *shape)).astype("float32")
    jacobian = raster_jacobian(model, x)
    assert np.all(jacobian[np.triu_indices_from(jacobian)] == 0)
    assert np.all(np.abs(np.tril(jacobian, -1)).sum(axis=1)[1:] > 0)  # every later logit sees the past


def test_exact_normalization_3x3():
    keras.utils.set_random_seed(0)
    model = tiny((3, 3, 1))
    log_probs = model.log_prob(all_binary_images((3, 3, 1))).numpy().astype(np.float64)
    assert abs(np.exp(log_probs).sum() - 1.0) < 1e-5


def test_pixel_logits_equal_the_full_pass_and_sampling_matches_the_distribution():
    keras.utils.set_random_seed(0)
    for shape, kernel_size in [((7, 8, 1), 3), ((6, 5, 3), 5)]:
        model = tiny(shape, num_residual=2, kernel_size=kernel_size)  # reads 3 or 4 rows up
        x = np.random.default_rng(0).normal(size=(3, *shape)).astype("float32")
        full = model(x).numpy()
        for r in range(shape[0]):
            for c in range(shape[1]):
                np.testing.assert_allclose(model.pixel_logits(x, r, c), full[:, r, c], rtol=1e-5, atol=1e-5)
    model = tiny((7, 7, 1), num_residual=1)
    a, b = model.sample(16, seed=3), model.sample(16, seed=3)
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 1.0}
    assert not np.array_equal(model.sample(16), model.sample(16))

    small = tiny((2, 2, 1), filters=4, num_residual=1)
    samples = small.sample(4000, seed=1).numpy().reshape(4000, 4)
    images = all_binary_images((2, 2, 1))
    expected = np.exp(small.log_prob(images).numpy())
    codes = samples @ np.array([8, 4, 2, 1])
    observed = np.bincount(codes.astype(int), minlength=16) / 4000
    assert np.abs(observed - expected).max() < 4 * np.sqrt(0.25 / 4000)


@pytest.mark.parametrize("shape,kernel_size", [((6, 7, 1), 5), ((4, 5, 3), 3)])
def test_cached_sampler_draws_the_pixels_of_the_region_and_full_samplers(shape, kernel_size):
    keras.utils.set_random_seed(1)
    model = tiny(shape, filters=9, kernel_size=kernel_size)
    cached = model.sample(5, seed=4).numpy()
    np.testing.assert_array_equal(cached, model.sample(5, seed=4, method="region"))
    np.testing.assert_array_equal(cached, model.sample(5, seed=4, method="full"))
    assert np.array_equal(np.unique(cached), [0, 1])


def test_fit_with_x_alone_and_round_trip(roundtrip):
    x = tfdl.data.load("digits", binarize="threshold")[:64]
    model = tiny((8, 8, 1))
    model.compile(optimizer="adam")
    history = model.fit(x, epochs=3, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    loaded = roundtrip(model)
    np.testing.assert_array_equal(model(x[:4]), loaded(x[:4]))
    np.testing.assert_array_equal(model.log_prob(x[:4]), loaded.log_prob(x[:4]))
    np.testing.assert_array_equal(model.sample(2, seed=5), loaded.sample(2, seed=5))


@pytest.mark.parametrize("name", ["mixed_float16", "float64"])
def test_trains_in_mixed_float16_and_float64_like_float32(name, dtype_policy):
    x = tfdl.data.load("digits", binarize="threshold")[:32]
    check_trains_like_float32(lambda **kwargs: tiny((8, 8, 1), **kwargs), x, name, dtype_policy)


def test_compile_rejects_a_loss_or_metrics_it_would_ignore():
    model = tiny((5, 5, 1))
    for argument in [{"loss": "binary_crossentropy"}, {"metrics": ["mae"]}]:
        with pytest.raises(ValueError, match=r"PixelCNN trains on its own loss .*Expected (loss|metrics)=None"):
            model.compile(optimizer="adam", **argument)


def test_bad_input():
    model = tiny((5, 5, 1))
    with pytest.raises(ValueError, match="Expected x with shape"):
        model.log_prob(np.zeros((2, 6, 5, 1), "float32"))
    with pytest.raises(ValueError, match="binary"):
        model.log_prob(np.full((2, 5, 5, 1), 0.5, "float32"))
    with pytest.raises(ValueError, match="method"):
        model.sample(2, method="fast")
    with pytest.raises(ValueError, match="input_shape"):
        tfdl.models.PixelCNN(input_shape=(5, 5))
    with pytest.raises(ValueError, match="input_shape"):
        tfdl.models.PixelCNN(input_shape=(5, 5, 2))


def load_snippet():
    return snippets.run("pixelrnn_like")


def output_gradient(model, x, r, c):
    """The reproduction's gradient map: |d sum_k output[:, r, c, k] / d x| summed over images."""
    return dependency_map(model, x, r, c)


def test_article_snippet_depends_on_later_pixels_pixel_models_do_not():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(4, 6, 6, 1)).astype("float32")
    snippet = load_snippet().build((6, 6, 1))
    assert snippet.output_shape == (None, 6, 6, 3) and snippet.loss == "mse"
    later = np.arange(36).reshape(6, 6) >= 2 * 6 + 3  # pixel (2, 3) and after
    snippet_gradient = output_gradient(snippet, x, 2, 3)
    assert snippet_gradient[2, 3] > 0 and snippet_gradient[3, 3] > 0 and snippet_gradient[2, 4] > 0
    for model in [
        tiny((6, 6, 1)),
        tfdl.models.PixelRNN(input_shape=(6, 6, 1), kind="row_lstm", units=4),
        tfdl.models.PixelRNN(input_shape=(6, 6, 1), kind="diagonal_bilstm", units=4),
    ]:
        gradient = output_gradient(model, x, 2, 3)
        assert np.all(gradient[later] == 0) and gradient[~later].sum() > 0


def tiny_categorical(shape, **kwargs):
    return tiny(shape, likelihood="categorical", **kwargs)


def test_categorical_shapes_and_autoregressive_over_pixels_and_channels():
    keras.utils.set_random_seed(0)
    shape = (3, 3, 3)
    model = tiny_categorical(shape)
    x = np.random.default_rng(0).integers(0, 256, size=(4, *shape)).astype("float32")
    assert model(x).shape == (4, 3, 3, 3, 256)
    weights = tf.constant(np.random.default_rng(1).normal(size=256).astype("float32"))
    jacobian = raster_jacobian(lambda images: tf.reduce_sum(model(images) * weights, axis=-1), x)
    assert np.all(jacobian[np.triu_indices_from(jacobian)] == 0)  # not (r', c', k') at or after (r, c, k)
    assert np.all(np.abs(np.tril(jacobian, -1)).sum(axis=1)[1:] > 0)
    # Within a pixel: G's logits see R, B's see R and G.
    assert jacobian[1, 0] > 0 and jacobian[2, 0] > 0 and jacobian[2, 1] > 0


@pytest.mark.parametrize("shape", [(1, 1, 1), (1, 2, 1)])
def test_categorical_exact_normalization(shape):
    keras.utils.set_random_seed(0)
    model = tiny_categorical(shape, filters=4, num_residual=1)
    size = int(np.prod(shape))
    images = np.stack(np.meshgrid(*[np.arange(256)] * size, indexing="ij"), -1).reshape(-1, *shape)
    log_probs = np.concatenate(
        [model.log_prob(batch.astype("float32")).numpy() for batch in np.array_split(images, 8)]
    ).astype(np.float64)
    assert abs(np.exp(log_probs).sum() - 1.0) < 1e-4


def test_categorical_sampling_reproducible_cached_equals_region_and_full_and_matches_the_distribution():
    keras.utils.set_random_seed(0)
    model = tiny_categorical((4, 5, 3), num_residual=1)
    x = np.random.default_rng(0).integers(0, 256, size=(2, 4, 5, 3)).astype("float32")
    full = model(x).numpy()
    np.testing.assert_allclose(model.pixel_logits(x, 2, 3), full[:, 2, 3], rtol=1e-5, atol=1e-5)
    a, b = model.sample(8, seed=3), model.sample(8, seed=3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, model.sample(8, seed=3, method="region"))  # RGB channel masks too
    np.testing.assert_array_equal(a, model.sample(8, seed=3, method="full"))
    a = a.numpy()
    assert a.shape == (8, 4, 5, 3) and np.all(a == np.round(a)) and a.min() >= 0 and a.max() <= 255
    assert len(np.unique(a)) > 50  # an untrained model spreads over the levels

    one = tiny_categorical((1, 1, 1), filters=4, num_residual=1)
    samples = one.sample(4000, seed=1).numpy().astype(int).ravel()
    expected = np.exp(one.log_prob(np.arange(256, dtype="float32").reshape(256, 1, 1, 1)).numpy())
    observed = np.bincount(samples, minlength=256) / 4000
    assert np.abs(observed - expected).max() < 5 * np.sqrt(expected.max() / 4000)


def test_categorical_fit_round_trip_and_bad_input(roundtrip):
    x = np.round(tfdl.data.load("digits")[:64] * 255).astype("float32")
    model = tiny_categorical((8, 8, 1))
    model.compile(optimizer="adam")
    history = model.fit(x, epochs=3, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    loaded = roundtrip(model)
    assert loaded.get_config()["likelihood"] == "categorical" and "distribution" not in loaded.get_config()
    np.testing.assert_array_equal(model(x[:4]), loaded(x[:4]))
    np.testing.assert_array_equal(model.log_prob(x[:4]), loaded.log_prob(x[:4]))
    np.testing.assert_array_equal(model.sample(2, seed=5), loaded.sample(2, seed=5))
    for bad in [256.0, -1.0, 0.5]:
        with pytest.raises(ValueError, match=r"Expected integer intensities 0\.\.255 .*Received values in"):
            model.log_prob(np.full((2, 8, 8, 1), bad, "float32"))
    with pytest.raises(ValueError, match="likelihood"):
        tiny((5, 5, 1), likelihood="gaussian")


@pytest.mark.parametrize("make", [
    lambda **kw: tfdl.models.PixelCNN(input_shape=(4, 4, 1), filters=4, num_residual=1, seed=0, name="m", **kw),
    lambda **kw: tfdl.models.PixelRNN(input_shape=(4, 4, 1), num_layers=1, units=2, seed=0, name="m", **kw),
], ids=["pixelcnn", "pixelrnn"])
def test_distribution_is_a_deprecated_spelling_of_likelihood(make):
    with pytest.warns(DeprecationWarning, match="distribution= is deprecated; use likelihood="):
        old = make(distribution="categorical")
    new = make(likelihood="categorical")
    assert old.get_config() == new.get_config() and new.get_config()["likelihood"] == "categorical"
    with pytest.warns(DeprecationWarning, match=r"\.distribution is deprecated"):
        assert old.distribution == "categorical"
    with pytest.raises(ValueError, match="not both"):
        make(likelihood="categorical", distribution="bernoulli")
    old_config = {key: value for key, value in new.get_config().items() if key != "likelihood"}
    with warnings.catch_warnings():  # a config saved with the old name loads silently
        warnings.simplefilter("error", DeprecationWarning)
        loaded = type(new).from_config({**old_config, "distribution": "categorical"})
    assert loaded.get_config() == new.get_config()
