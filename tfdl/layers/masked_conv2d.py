"""Masked 2-D convolution for PixelCNN (van den Oord et al. 2016)."""

import keras
import numpy as np

from tfdl import validation
from tfdl.layers._activation import ActivationAttribute


def pixelcnn_mask(kernel_size, in_channels, out_channels, mask_type="B", channel_groups=1):
    """0/1 mask ``[kh, kw, in, out]`` that keeps a convolution causal in raster order.

    Rows above the centre and columns left of the centre on the centre row are
    kept; rows below and columns to the right are removed. At the centre, with
    channels split into ``channel_groups`` contiguous groups (3 for R, G, B),
    output group ``g`` receives input groups ``< g`` (mask "A") or ``<= g``
    (mask "B"). With one group, mask "A" removes the centre and "B" keeps it.

    Args:
        kernel_size: ``(kh, kw)``, odd integers.
        in_channels, out_channels: channel counts (each >= ``channel_groups``).
        mask_type: ``"A"`` (first layer: the current pixel is unseen) or ``"B"``.
        channel_groups: 1 or 3.

    Returns:
        float32 NumPy array ``[kh, kw, in_channels, out_channels]``.

    Example:

    >>> pixelcnn_mask((3, 3), 1, 1, "A")[:, :, 0, 0]
    array([[1., 1., 1.],
           [1., 0., 0.],
           [0., 0., 0.]], dtype=float32)
    """
    if (isinstance(kernel_size, (int, np.integer)) or len(tuple(kernel_size)) != 2
            or any(k % 2 == 0 for k in validation.positive_ints(kernel_size, "kernel_size"))):
        raise ValueError(f"Expected kernel_size as two odd integers (kh, kw). Received: kernel_size={kernel_size!r}")
    validation.one_of(mask_type, ("A", "B"), "mask_type")
    validation.one_of(channel_groups, (1, 3), "channel_groups")
    for name, count in (("in_channels", in_channels), ("out_channels", out_channels)):
        if validation.positive_int(count, name) < channel_groups:
            raise ValueError(f"Expected {name} >= channel_groups={channel_groups}. Received: {name}={count!r}")
    kh, kw = kernel_size
    mask = np.zeros((kh, kw, in_channels, out_channels), np.float32)
    mask[: kh // 2] = 1.0
    mask[kh // 2, : kw // 2] = 1.0
    in_group = np.arange(in_channels) * channel_groups // in_channels
    out_group = np.arange(out_channels) * channel_groups // out_channels
    if mask_type == "A":
        mask[kh // 2, kw // 2] = in_group[:, None] < out_group[None, :]
    else:
        mask[kh // 2, kw // 2] = in_group[:, None] <= out_group[None, :]
    return mask


@keras.saving.register_keras_serializable(package="tfdl")
class MaskedConv2D(keras.layers.Layer):
    """A "same"-padded, stride-1 convolution whose kernel is masked to stay causal.

    ``outputs = activation(conv(inputs, kernel * mask) + bias)`` where ``mask``
    is ``pixelcnn_mask`` (fixed, computed in ``build``; the weights are never
    rewritten). Output pixel ``(r, c)`` depends only on input pixels before it
    in raster order, and on the current pixel's channel groups as the mask type
    allows (R, then G, then B when ``channel_groups=3``).

    Args:
        filters: number of output channels.
        kernel_size: odd int or ``(kh, kw)``.
        mask_type: ``"A"`` or ``"B"``.
        channel_groups: 1 (no channel ordering) or 3 (RGB ordering).
        activation, use_bias, kernel_initializer, bias_initializer: as in
            ``keras.layers.Conv2D``.

    Input shape: ``[batch, height, width, in_channels]``.
    Output shape: ``[batch, height, width, filters]``.

    Example:

    >>> layer = MaskedConv2D(16, 7, mask_type="A")
    >>> layer(np.zeros((2, 8, 8, 1), "float32")).shape
    (2, 8, 8, 16)

    Reference: van den Oord, Kalchbrenner, Kavukcuoglu, "Pixel Recurrent
    Neural Networks", ICML 2016.
    """

    activation = ActivationAttribute()

    input_spec = keras.InputSpec(ndim=4)  # [batch, height, width, channels]

    def __init__(
        self,
        filters,
        kernel_size,
        mask_type="B",
        channel_groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = validation.positive_int(filters, "filters")
        kernel_size = validation.positive_ints(kernel_size, "kernel_size")
        if len(kernel_size) == 1:
            kernel_size = kernel_size * 2
        if len(kernel_size) != 2 or any(k % 2 == 0 for k in kernel_size):
            raise ValueError(
                f"Expected kernel_size of one or two odd integers. Received: kernel_size={kernel_size}"
            )
        self.kernel_size = kernel_size
        self.mask_type = validation.one_of(mask_type, ("A", "B"), "mask_type")
        self.channel_groups = validation.one_of(channel_groups, (1, 3), "channel_groups")
        if self.filters < self.channel_groups:
            raise ValueError(
                f"Expected filters >= channel_groups={channel_groups}. Received: filters={filters}"
            )
        self.activation = activation
        self.use_bias = validation.boolean(use_bias, "use_bias")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        in_channels = input_shape[-1]
        if in_channels < self.channel_groups:
            raise ValueError(
                f"Expected at least {self.channel_groups} input channels. "
                f"Received: input_shape={input_shape}"
            )
        self.mask = pixelcnn_mask(
            self.kernel_size, in_channels, self.filters, self.mask_type, self.channel_groups
        )
        # Later calls: Keras checks every input's rank and channels (ValueError).
        self.input_spec = keras.InputSpec(ndim=4, axes={-1: in_channels})
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.mask.shape,
            initializer=self.kernel_initializer,
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )

    def call(self, inputs):
        mask = keras.ops.cast(self.mask, self.compute_dtype)  # float16 under mixed precision
        outputs = keras.ops.conv(inputs, self.kernel * mask, padding="same")
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def taps(self):
        """Offsets ``(dr, dc)`` from an output pixel of the inputs its mask keeps, row by row (``dr <= 0``)."""
        kh, kw = self.kernel_size
        return [(i - kh // 2, j - kw // 2) for i in range(kh // 2 + 1) for j in range(kw) if self.mask[i, j].any()]

    def call_pixel(self, window):
        """The output ``[batch, filters]`` at one pixel, for sampling one pixel at a time.

        Args:
            window: the inputs at the pixel's ``taps()``, one after the
                other: ``[batch, len(taps()) * in_channels]``.
        """
        kh, kw = self.kernel_size
        kernel = keras.ops.cast(self.kernel, self.compute_dtype) * keras.ops.cast(self.mask, self.compute_dtype)
        kernel = keras.ops.stack([kernel[dr + kh // 2, dc + kw // 2] for dr, dc in self.taps()])
        outputs = keras.ops.matmul(window, keras.ops.reshape(kernel, (-1, self.filters)))
        if self.use_bias:
            outputs = outputs + keras.ops.cast(self.bias, self.compute_dtype)
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            mask_type=self.mask_type,
            channel_groups=self.channel_groups,
            activation=keras.activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            bias_initializer=keras.initializers.serialize(self.bias_initializer),
        )
        return config
