import keras
import numpy as np
import pytest
import tensorflow as tf

import tfdl
from tfdl.layers import MaskedConv2D, pixelcnn_mask
from tests.pixel_checks import raster_jacobian


def test_masks_exact_3x3():
    a = pixelcnn_mask((3, 3), 1, 1, "A")[:, :, 0, 0]
    b = pixelcnn_mask((3, 3), 1, 1, "B")[:, :, 0, 0]
    np.testing.assert_array_equal(a, [[1, 1, 1], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(b, [[1, 1, 1], [1, 1, 0], [0, 0, 0]])
    a5 = pixelcnn_mask((3, 5), 1, 1, "A")[:, :, 0, 0]
    np.testing.assert_array_equal(a5, [[1] * 5, [1, 1, 0, 0, 0], [0] * 5])


def test_rgb_channel_masks_at_centre():
    # R, G, B inputs (one channel each) to R, G, B outputs: [in, out].
    np.testing.assert_array_equal(
        pixelcnn_mask((1, 1), 3, 3, "A", 3)[0, 0], [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    )
    np.testing.assert_array_equal(
        pixelcnn_mask((1, 1), 3, 3, "B", 3)[0, 0], [[1, 1, 1], [0, 1, 1], [0, 0, 1]]
    )
    # Six hidden channels in groups (0,0,1,1,2,2) to three outputs.
    centre = pixelcnn_mask((3, 3), 6, 3, "A", 3)[1, 1]
    np.testing.assert_array_equal(centre, [[0, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    # Off-centre positions before the pixel see every channel.
    assert pixelcnn_mask((3, 3), 6, 3, "A", 3)[0].min() == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rgb_layer_is_causal_by_gradients(seed):
    keras.utils.set_random_seed(seed)
    layer = MaskedConv2D(3, 5, "A", channel_groups=3)
    x = np.random.default_rng(seed).random((1, 4, 5, 3)).astype("float32")
    jacobian = raster_jacobian(layer, x)
    assert np.all(jacobian[np.triu_indices_from(jacobian)] == 0)
    # G sees R of the same pixel, B sees R and G; R sees nothing of it.
    pixel = 3 * 7
    assert jacobian[pixel + 1, pixel] != 0 and jacobian[pixel + 2, pixel + 1] != 0
    assert jacobian[pixel, pixel - 3] != 0  # the pixel to the left


def test_output_equals_conv_with_masked_kernel_and_weights_unchanged():
    layer = MaskedConv2D(4, 3, "B", use_bias=False)
    x = np.random.default_rng(0).random((2, 5, 5, 2)).astype("float32")
    layer.build(x.shape)
    before = layer.kernel.numpy().copy()
    expected = tf.nn.conv2d(x, before * pixelcnn_mask((3, 3), 2, 4, "B"), 1, "SAME")
    np.testing.assert_allclose(layer(x), expected, atol=1e-6)
    np.testing.assert_array_equal(layer.kernel.numpy(), before)
    assert np.abs(before[2]).sum() > 0  # masked weights are left as they are


def test_config_round_trip_and_errors():
    layer = MaskedConv2D(6, (3, 5), "A", channel_groups=3, activation="relu")
    clone = MaskedConv2D.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="kernel_size"):
        MaskedConv2D(4, 4)
    with pytest.raises(ValueError, match="mask_type"):
        MaskedConv2D(4, 3, mask_type="C")
    with pytest.raises(ValueError, match="channel_groups"):
        MaskedConv2D(4, 3, channel_groups=2)
    assert tfdl.layers.MaskedConv2D is MaskedConv2D


def test_activation_set_to_none_is_linear_and_still_serializes(roundtrip):
    layer = MaskedConv2D(2, 3, "B", activation="relu")
    x = np.random.default_rng(1).normal(size=(1, 4, 4, 1)).astype("float32")
    layer(x)
    layer.activation = None
    expected = tf.nn.conv2d(x, layer.kernel.numpy() * pixelcnn_mask((3, 3), 1, 2, "B"), 1, "SAME")
    np.testing.assert_allclose(layer(x), expected, atol=1e-6)
    assert np.any(np.asarray(expected) < 0)  # relu would have changed them
    assert layer.get_config()["activation"] == "linear"
    model = keras.Sequential([keras.Input((4, 4, 1)), layer])
    np.testing.assert_array_equal(roundtrip(model)(x), model(x))
