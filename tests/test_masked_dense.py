"""MaskedDense and MADE's masks: exact matrices on small cases, connectivity, config."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdl.layers import MaskedDense, made_masks
from tfdl.layers.masked_dense import autoregressive_order


def as_int(masks):
    return [m.astype(int).tolist() for m in masks]


def test_masks_natural_order_equal_degrees_by_hand():
    # input degrees 1,2,3; hidden degrees cycle over [1, 2] -> 1, 2
    assert as_int(made_masks(3, [2], hidden_degrees="equal")) == [
        [[1, 1], [0, 1], [0, 0]],
        [[0, 1, 1], [0, 0, 1]],
    ]


def test_masks_reversed_order_by_hand():
    # input degrees 3,2,1; hidden degrees 1, 2
    assert as_int(made_masks(3, [2], order="reversed", hidden_degrees="equal")) == [
        [[0, 0], [0, 1], [1, 1]],
        [[1, 1, 0], [1, 0, 0]],
    ]


def test_masks_two_hidden_layers_and_explicit_permutation_by_hand():
    # input degrees 1..4; hidden 1: 1,2,3; hidden 2: 1,2
    masks = as_int(made_masks(4, [3, 2], hidden_degrees="equal"))
    assert masks[1] == [[1, 1], [0, 1], [0, 0]]
    assert masks[2] == [[0, 1, 1, 1], [0, 0, 1, 1]]
    # order[i] = position of input i: input degrees 3, 1, 2; hidden degrees 1, 2
    assert as_int(made_masks(3, [2], order=[2, 0, 1], hidden_degrees="equal")) == [
        [[0, 0], [1, 1], [0, 1]],
        [[1, 0, 1], [1, 0, 0]],
    ]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_masks_are_autoregressive_by_path_counting(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(2, 12))
    hidden = rng.integers(1, 20, size=int(rng.integers(1, 4))).tolist()
    order = autoregressive_order(d, "random", seed)
    masks = made_masks(d, hidden, order=order, seed=seed)
    paths = masks[0]
    for mask in masks[1:]:
        paths = paths @ mask  # paths[j, i]: number of paths from input j to output i
    forbidden = order[:, None] >= order[None, :]
    assert np.all(paths[forbidden] == 0)
    # the same seed gives the same masks; "random" orders come from the seed
    assert as_int(made_masks(d, hidden, "random", seed=seed)) == as_int(
        made_masks(d, hidden, "random", seed=seed)
    )


@pytest.mark.parametrize("order", [[0, 0, 1], [0, 1], [1, 2, 3], [0.0, 1.0, 2.0], "shuffled"])
def test_bad_order_raises(order):
    with pytest.raises(ValueError, match="order"):
        made_masks(3, [4], order=order)


def test_bad_hidden_degrees_raises():
    with pytest.raises(ValueError, match="hidden_degrees"):
        made_masks(3, [4], hidden_degrees="uniform")


def test_layer_computes_masked_affine_map_and_never_changes_the_kernel():
    mask = np.array([[1, 0, 1], [0, 1, 1]], "float32")
    layer = MaskedDense(3, mask, activation="relu", bias_initializer="ones")
    x = np.array([[1.0, -2.0], [0.5, 3.0]], "float32")
    y = layer(x)
    kernel = layer.kernel.numpy()
    np.testing.assert_allclose(y, np.maximum(x @ (kernel * mask) + 1.0, 0.0), rtol=1e-6)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) ** 2)
    grad = tape.gradient(loss, layer.kernel).numpy()
    assert np.all(grad[mask == 0] == 0) and np.any(grad[mask == 1] != 0)
    np.testing.assert_array_equal(layer.kernel.numpy(), kernel)


def test_layer_picks_a_mask_from_a_stack():
    masks = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], "float32")
    layer = MaskedDense(2, masks, use_bias=False)
    x = np.array([[2.0, 3.0]], "float32")
    layer.build((None, 2))
    kernel = layer.kernel.numpy()
    for k in range(2):
        np.testing.assert_allclose(layer(x, mask_index=k), x @ (kernel * masks[k]), rtol=1e-6)
    np.testing.assert_allclose(layer(x, mask_index=tf.constant(1)), x @ (kernel * masks[1]))


def test_layer_config_round_trip():
    layer = MaskedDense(3, [[1, 0, 1], [0, 1, 1]], activation="tanh", use_bias=False)
    config = layer.get_config()
    assert config["mask"] == [[1, 0, 1], [0, 1, 1]]
    clone = MaskedDense.from_config(config)
    assert clone.get_config() == config


def test_layer_errors():
    with pytest.raises(ValueError, match=r"Received: mask.shape=\(2, 2\)"):
        MaskedDense(3, np.ones((2, 2)))
    with pytest.raises(ValueError, match="zeros and ones"):
        MaskedDense(2, [[0.5, 1], [1, 1]])
    with pytest.raises(ValueError, match="units=0"):
        MaskedDense(0, np.ones((2, 0)))
    with pytest.raises(ValueError, match="Expected inputs with 2 features"):
        MaskedDense(2, np.ones((2, 2)))(np.ones((1, 5), "float32"))


def test_equal_degrees_cover_the_whole_range():
    # 4 hidden units over degrees [1, 2]: two of each; 3 units over [1, 5]: 1, 2, 4
    masks = made_masks(3, [4], hidden_degrees="equal")
    assert masks[0].astype(int).tolist() == [[1, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]]
    masks = made_masks(6, [3], hidden_degrees="equal")
    assert masks[0].sum(axis=0).tolist() == [1, 2, 4]  # a unit of degree m sees m inputs


@pytest.mark.parametrize("functional", [False, True])
def test_input_width_is_checked_at_every_call_not_only_the_first(functional):
    layer = MaskedDense(3, [[1, 0, 1], [0, 1, 1]], name="md")
    layer(np.ones((1, 2), "float32"))  # built for 2 features
    message = r"layer 'md'.*expected axis -1 of input shape to have value 2.*\((None|4), 3\)"
    with pytest.raises(ValueError, match=message):
        layer(keras.Input((3,)) if functional else np.ones((4, 3), "float32"))


def test_integer_inputs_give_the_float_outputs():
    layer = MaskedDense(2, [[1, 1], [0, 1]])
    x = np.array([[1, 0], [2, 3]])
    layer.build((None, 2))
    layer.kernel.assign([[0.5, -0.25], [1.5, 0.75]])  # an integer kernel would be [[0, 0], [1, 0]]
    np.testing.assert_allclose(layer(x), [[0.5, -0.25], [1.0, 1.75]])


def test_activation_set_to_none_is_linear_and_still_serializes(roundtrip):
    layer = MaskedDense(2, [[1, 1], [0, 1]], activation="relu", bias_initializer="ones")
    x = np.array([[-3.0, 1.0]], "float32")
    layer(x)
    layer.activation = None
    kernel = layer.kernel.numpy() * [[1, 1], [0, 1]]
    np.testing.assert_allclose(layer(x), x @ kernel + 1.0, rtol=1e-6)
    assert layer.get_config()["activation"] == "linear"
    model = keras.Sequential([keras.Input((2,)), layer])
    np.testing.assert_array_equal(roundtrip(model)(x), model(x))
