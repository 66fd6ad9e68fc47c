import warnings

import keras
import numpy as np
import pytest

import tfdl
from tfdl.layers import DiagonalBiLSTM, RowLSTM
from tests.pixel_checks import all_binary_images, check_trains_like_float32, raster_jacobian

KINDS = ["row_lstm", "diagonal_bilstm"]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm(gates, cell):
    i, f, o, g = np.split(gates, 4, axis=-1)
    cell = sigmoid(f) * cell + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(cell), cell


def test_row_lstm_equals_a_loop_over_pixels():
    layer = RowLSTM(3, kernel_size=3)
    x = np.random.default_rng(0).normal(size=(2, 4, 5, 2)).astype("float32")
    out = layer(x).numpy()
    wi, ws, b = (w.numpy().astype(np.float64) for w in (layer.input_kernel, layer.state_kernel, layer.bias))
    h = np.zeros((2, 4 + 1, 5 + 2, 3))  # one zero row on top, a zero column each side
    cell = np.zeros((2, 5, 3))
    for r in range(4):
        xr = np.pad(x[:, r], ((0, 0), (1, 1), (0, 0)))
        gates = np.stack(
            [sum(xr[:, c + j] @ wi[j] for j in range(2)) + sum(h[:, r, c + j] @ ws[j] for j in range(3)) + b for c in range(5)],
            axis=1,
        )
        hr, cell = lstm(gates, cell)
        h[:, r + 1, 1:-1] = hr
    np.testing.assert_allclose(out, h[:, 1:, 1:-1], atol=1e-5)


def test_diagonal_bilstm_equals_a_loop_over_pixels():
    layer = DiagonalBiLSTM(3)
    x = np.random.default_rng(1).normal(size=(2, 4, 5, 2)).astype("float32")
    out = layer(x).numpy()

    def direction(x, weights):
        wi, ws, b = (w.numpy().astype(np.float64) for w in weights)
        height, width = x.shape[1:3]
        h = np.zeros((2, height + 1, width + 1, 3))
        cell = np.zeros((2, height + 1, width + 1, 3))
        for c in range(width):
            for r in range(height):
                # state of the pixel above (r - 1, c) and of the one to the left (r, c - 1)
                gates = x[:, r, c] @ wi + b + h[:, r, c + 1] @ ws[0] + h[:, r + 1, c] @ ws[1]
                h[:, r + 1, c + 1], cell[:, r + 1, c + 1] = lstm(gates, cell[:, r + 1, c])
        return h[:, 1:, 1:]

    forward = direction(x, layer.directions[0])
    backward = direction(x[:, :, ::-1], layer.directions[1])[:, :, ::-1]
    expected = forward + np.pad(backward[:, :-1], ((0, 0), (1, 0), (0, 0), (0, 0)))
    np.testing.assert_allclose(out, expected, atol=1e-5)


@pytest.mark.parametrize("kind", KINDS)
def test_public_api_shapes(kind):
    model = tfdl.models.PixelRNN(input_shape=(8, 8, 1), kind=kind)
    x = (np.random.default_rng(0).random((3, 8, 8, 1)) > 0.5).astype("float32")
    assert model(x).shape == (3, 8, 8, 1)
    assert model.log_prob(x).shape == (3,)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed,shape", [(0, (5, 5, 1)), (1, (6, 6, 1)), (2, (4, 6, 1))])
def test_autoregressive_by_gradients(kind, seed, shape):
    keras.utils.set_random_seed(seed)
    model = tfdl.models.PixelRNN(input_shape=shape, kind=kind, num_layers=2, units=4)
    x = np.random.default_rng(seed).normal(size=(4, *shape)).astype("float32")
    jacobian = raster_jacobian(model, x)
    assert np.all(jacobian[np.triu_indices_from(jacobian)] == 0)
    assert np.all(np.abs(np.tril(jacobian, -1)).sum(axis=1)[1:] > 0)


@pytest.mark.parametrize("kind", KINDS)
def test_exact_normalization_and_sampling(kind):
    keras.utils.set_random_seed(0)
    model = tfdl.models.PixelRNN(input_shape=(3, 3, 1), kind=kind, num_layers=1, units=4)
    log_probs = model.log_prob(all_binary_images((3, 3, 1))).numpy().astype(np.float64)
    assert abs(np.exp(log_probs).sum() - 1.0) < 1e-5
    samples = model.sample(8, seed=2)
    assert samples.shape == (8, 3, 3, 1) and set(np.unique(samples)) <= {0.0, 1.0}
    np.testing.assert_array_equal(samples, model.sample(8, seed=2))


@pytest.mark.parametrize("kind", KINDS)
def test_cached_sampler_draws_the_pixels_of_the_full_sampler(kind):
    keras.utils.set_random_seed(1)
    model = tfdl.models.PixelRNN(input_shape=(5, 6, 1), kind=kind, num_layers=2, units=4)
    cached = model.sample(5, seed=4).numpy()
    np.testing.assert_array_equal(cached, model.sample(5, seed=4, method="full"))
    assert np.array_equal(np.unique(cached), [0, 1])


@pytest.mark.parametrize("kind", KINDS)
def test_fit_with_x_alone_and_round_trip(kind, roundtrip):
    x = tfdl.data.load("digits", binarize="threshold")[:32]
    model = tfdl.models.PixelRNN(input_shape=(8, 8, 1), kind=kind, num_layers=1, units=8)
    model.compile(optimizer="adam")
    history = model.fit(x, epochs=3, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    loaded = roundtrip(model)
    assert loaded.kind == kind
    np.testing.assert_array_equal(model.log_prob(x[:4]), loaded.log_prob(x[:4]))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["mixed_float16", "float64"])
def test_trains_in_mixed_float16_and_float64_like_float32(kind, name, dtype_policy):
    x = tfdl.data.load("digits", binarize="threshold")[:32]

    def make(**kwargs):
        return tfdl.models.PixelRNN(input_shape=(8, 8, 1), kind=kind, num_layers=1, units=4, **kwargs)

    check_trains_like_float32(make, x, name, dtype_policy)


def test_compile_rejects_a_loss_or_metrics_it_would_ignore():
    model = tfdl.models.PixelRNN(input_shape=(5, 5, 1), units=4)
    with pytest.raises(ValueError, match=r"PixelRNN trains on its own loss .*Expected metrics=None"):
        model.compile(optimizer="adam", metrics=["mae"])


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        tfdl.models.PixelRNN(input_shape=(5, 5, 1), kind="gru")
    with pytest.raises(ValueError, match="input_shape"):
        tfdl.models.PixelRNN(input_shape=(5, 5, 3))
    model = tfdl.models.PixelRNN(input_shape=(5, 5, 1), units=4)
    with pytest.raises(ValueError, match="Expected x with shape"):
        model.log_prob(np.zeros((2, 5, 6, 1), "float32"))
    with pytest.raises(ValueError, match="binary"):
        model.log_prob(np.full((2, 5, 5, 1), 0.3, "float32"))
    with pytest.raises(ValueError, match="method"):
        model.sample(2, method="region")


@pytest.mark.parametrize("kind", KINDS)
def test_categorical(kind, roundtrip):
    keras.utils.set_random_seed(0)
    model = tfdl.models.PixelRNN(input_shape=(4, 4, 1), kind=kind, num_layers=1, units=4, likelihood="categorical")
    x = np.random.default_rng(0).integers(0, 256, size=(3, 4, 4, 1)).astype("float32")
    assert model(x).shape == (3, 4, 4, 1, 256)
    weights = np.random.default_rng(1).normal(size=256).astype("float32")
    jacobian = raster_jacobian(lambda images: keras.ops.sum(model(images) * weights, axis=-1), x)
    assert np.all(jacobian[np.triu_indices_from(jacobian)] == 0) and jacobian[1:].sum() > 0
    small = tfdl.models.PixelRNN(input_shape=(1, 2, 1), kind=kind, num_layers=1, units=2, likelihood="categorical")
    images = np.stack(np.meshgrid(np.arange(256), np.arange(256), indexing="ij"), -1).reshape(-1, 1, 2, 1)
    assert abs(np.exp(small.log_prob(images.astype("float32")).numpy().astype(np.float64)).sum() - 1) < 1e-4
    a = model.sample(4, seed=2).numpy()
    np.testing.assert_array_equal(a, model.sample(4, seed=2))
    np.testing.assert_array_equal(a, model.sample(4, seed=2, method="full"))
    assert np.all(a == np.round(a)) and a.min() >= 0 and a.max() <= 255
    loaded = roundtrip(model)
    np.testing.assert_array_equal(model.log_prob(x), loaded.log_prob(x))
    np.testing.assert_array_equal(a, loaded.sample(4, seed=2))
    with pytest.raises(ValueError, match="integer intensities"):
        model.log_prob(x / 255)


def test_layers_is_a_deprecated_spelling_of_num_layers():
    def make(**kwargs):
        return tfdl.models.PixelRNN(input_shape=(4, 4, 1), units=2, seed=0, name="m", **kwargs)

    with pytest.warns(DeprecationWarning, match="layers= is deprecated; use num_layers="):
        old = make(layers=3)
    new = make(num_layers=3)
    assert old.get_config() == new.get_config() and old.num_layers == 3 and len(old.lstm_layers) == 3
    assert new.get_config()["num_layers"] == 3 and "layers" not in new.get_config()
    with pytest.raises(ValueError, match="not both"):
        make(num_layers=3, layers=1)
    old_config = {key: value for key, value in new.get_config().items() if key != "num_layers"}
    with warnings.catch_warnings():  # a config saved with the old name loads silently
        warnings.simplefilter("error", DeprecationWarning)
        assert tfdl.models.PixelRNN.from_config({**old_config, "layers": 3}).get_config() == new.get_config()
