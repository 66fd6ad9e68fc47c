"""ElmanCell: the article's RNN equations, checked against SimpleRNN and by hand."""

import keras
import numpy as np
import pytest

from tfdl.layers import ElmanCell


def _pair(units, x, **options):
    """RNN(ElmanCell) and SimpleRNN on the same weights, both called on x."""
    simple = keras.layers.SimpleRNN(units, **options)
    elman = keras.layers.RNN(ElmanCell(units), **options)
    simple(x), elman(x)
    # random non-zero bias so the bias term is exercised too
    weights = simple.get_weights()
    weights[2] = np.random.default_rng(1).normal(size=weights[2].shape).astype("float32")
    simple.set_weights(weights)
    elman.set_weights(simple.get_weights())
    return simple, elman


def test_weights_have_simple_rnn_names_shapes_and_order():
    layer = keras.layers.RNN(ElmanCell(16))
    layer(np.zeros((2, 3, 5), "float32"))
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [tuple(w.shape) for w in layer.weights] == [(5, 16), (16, 16), (16,)]


@pytest.mark.parametrize("return_sequences", [False, True])
def test_equals_simple_rnn_with_shared_weights(return_sequences):
    x = np.random.default_rng(0).normal(size=(4, 7, 5)).astype("float32")
    simple, elman = _pair(6, x, return_sequences=return_sequences, return_state=True)
    out_s, state_s = simple(x)
    out_e, state_e = elman(x)
    np.testing.assert_allclose(out_e, out_s, atol=1e-6)
    np.testing.assert_allclose(state_e, state_s, atol=1e-6)


def test_equals_simple_rnn_with_masked_padding():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    mask = np.array([[1] * 6, [1] * 4 + [0] * 2, [1] * 2 + [0] * 4], bool)
    simple, elman = _pair(5, x, return_sequences=True)
    out_s = simple(x, mask=mask)
    out_e = elman(x, mask=mask)
    np.testing.assert_allclose(out_e, out_s, atol=1e-6)
    # padded steps carry the last real state forward: final output == output at last real step
    np.testing.assert_allclose(out_e[1, -1], out_e[1, 3], atol=1e-6)
    short = elman(x[2:, :2])
    np.testing.assert_allclose(out_e[2, :2], short[0], atol=1e-6)


def test_output_projection_matches_hand_computed_equations():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    cell = ElmanCell(5, output_units=2, output_activation="sigmoid")
    layer = keras.layers.RNN(cell, return_sequences=True)
    layer(x)
    assert [w.name for w in layer.weights] == [
        "kernel", "recurrent_kernel", "bias", "output_kernel", "output_bias",
    ]
    weights = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in layer.weights]
    layer.set_weights(weights)
    w_xh, w_hh, b_h, w_hy, b_y = weights
    h = np.zeros((2, 5), "float32")
    expected = []
    for t in range(4):
        h = np.tanh(x[:, t] @ w_xh + h @ w_hh + b_h)
        expected.append(1 / (1 + np.exp(-(h @ w_hy + b_y))))
    np.testing.assert_allclose(layer(x), np.stack(expected, 1), atol=1e-5)


def test_config_round_trip():
    cell = ElmanCell(4, output_units=3, activation="relu", output_activation="softmax")
    clone = ElmanCell.from_config(cell.get_config())
    assert clone.get_config() == cell.get_config()


@pytest.mark.parametrize("kwargs", [{"units": 0}, {"units": 4, "output_units": -1}])
def test_bad_sizes_raise(kwargs):
    name = list(kwargs)[-1]
    with pytest.raises(ValueError, match=name):
        ElmanCell(**kwargs)


def test_activations_set_to_none_are_linear_and_still_serialize(roundtrip):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 3, 2)).astype("float32")
    cell = ElmanCell(3, output_units=2, output_activation="sigmoid")
    layer = keras.layers.RNN(cell)
    layer(x)
    cell.activation = None
    cell.output_activation = None
    w_xh, w_hh, b_h, w_hy, b_y = layer.get_weights()
    h = np.zeros((2, 3), "float32")
    for t in range(3):
        h = x[:, t] @ w_xh + h @ w_hh + b_h
    np.testing.assert_allclose(layer(x), h @ w_hy + b_y, atol=1e-5)
    config = cell.get_config()
    assert config["activation"] == config["output_activation"] == "linear"
    model = keras.Sequential([keras.Input((3, 2)), layer])
    np.testing.assert_array_equal(roundtrip(model)(x), model(x))
