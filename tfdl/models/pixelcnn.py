"""PixelCNN for binary or 8-bit images (van den Oord et al. 2016)."""

import keras
import tensorflow as tf

from tfdl import validation
from tfdl.layers.masked_conv2d import MaskedConv2D
from tfdl.models.pixel_autoregressive import PixelAutoregressiveModel


@keras.saving.register_keras_serializable(package="tfdl")
class PixelCNN(PixelAutoregressiveModel):
    """PixelCNN: masked convolutions give every pixel a Bernoulli or 256-way conditional.

    ``p(x) = prod_i p(x_i | x_<i)`` in raster order (R, G, B within a pixel
    when ``channels == 3``), each factor ``sigmoid(+-logit_i)`` or, with
    ``likelihood="categorical"``, a softmax over 256 intensities.
    Layers: a ``kernel_size`` mask-"A" convolution with ``filters`` channels,
    ``num_residual`` residual blocks (1x1 -> 3x3 mask "B" with
    ``filters // 2`` -> 1x1, ReLU, added to the block's input), ``num_head``
    1x1 mask-"B" ReLU layers and a 1x1 mask-"B" layer with one logit (or 256)
    per channel, its channel groups making channel ``k``'s logits see only
    channels ``< k`` of the current pixel. 1x1 layers are mask-"B"
    convolutions too so that RGB channel groups stay ordered. With the defaults of keras.io's
    example (``filters=128, num_residual=5, num_head=2``) on ``(28, 28, 1)`` it
    has 532,673 parameters.

    Args:
        input_shape: ``(height, width, channels)``, channels 1 or 3.
        filters: channels of the hidden layers.
        num_residual: residual blocks.
        kernel_size: odd size of the first (mask "A") convolution.
        num_head: 1x1 ReLU layers before the output layer.
        likelihood: ``"bernoulli"`` (binary images) or ``"categorical"``
            (integer intensities 0..255 stored as float).
        seed: sampling seed.

    Call: images ``[batch, H, W, C]`` -> logits ``[batch, H, W, C]``
    (Bernoulli) or ``[batch, H, W, C, 256]`` (categorical).
    ``log_prob`` is exact; ``sample`` computes each new pixel at its own
    position only, from each layer's cached outputs (``cached_logits``; one
    forward pass of arithmetic for the whole image), or (``method="region"``)
    from the region of each layer it depends on (``pixel_logits``).

    Example:

    >>> model = PixelCNN(input_shape=(8, 8, 1), filters=16, num_residual=1)
    >>> model(np.zeros((2, 8, 8, 1), "float32")).shape
    (2, 8, 8, 1)

    Reference: van den Oord, Kalchbrenner, Kavukcuoglu, "Pixel Recurrent
    Neural Networks", ICML 2016; keras.io example "PixelCNN" (ADMoreau);
    Ramachandran et al., "Fast Generation for Convolutional Autoregressive
    Models", ICLR 2017 workshop (cached sampling).
    """

    sampling_methods = ("cached", "region", "full")

    def __init__(
        self,
        input_shape,
        filters=64,
        num_residual=5,
        kernel_size=7,
        num_head=2,
        likelihood="bernoulli",
        seed=None,
        **kwargs,
    ):
        super().__init__(input_shape, likelihood=likelihood, seed=seed, **kwargs)
        channels = validation.one_of(self.image_shape[-1], (1, 3), "input_shape[-1]")
        self.filters = validation.positive_int(filters, "filters")
        self.num_residual = validation.positive_int(num_residual, "num_residual") if num_residual else 0
        self.kernel_size = validation.positive_int(kernel_size, "kernel_size")
        self.num_head = validation.positive_int(num_head, "num_head") if num_head else 0

        def conv(filters, size, mask="B", activation="relu"):
            return MaskedConv2D(
                filters, size, mask, channel_groups=channels, activation=activation, dtype=self.dtype_policy
            )

        self.input_layer = conv(self.filters, self.kernel_size, "A")
        self.residual_blocks = [
            [conv(self.filters, 1), conv(self.filters // 2, 3), conv(self.filters, 1)]
            for _ in range(self.num_residual)
        ]
        self.head = [conv(self.filters, 1) for _ in range(self.num_head)]
        self.output_layer = conv(channels * self.outputs_per_channel, 1, activation=None)
        self.build_network()
        self.cache_pad = max(self.kernel_size // 2, 1)  # how far the input layer and the 3x3 layers read

    def call(self, x):
        h = self.input_layer(self.rescale(x))
        for block in self.residual_blocks:
            y = h
            for layer in block:
                y = layer(y)
            h = h + y
        for layer in self.head:
            h = layer(h)
        return self.logits(self.output_layer(h))

    def region(self, r, c, reach):
        """``(row, column, height, width)`` of the region a layer must cover for pixel ``(r, c)``.

        ``reach`` is how many rows above / columns either side the layers
        still to come read. The region is clipped to the image with a fixed
        size, so "same" padding at its edges is either the image's own or
        never read by pixel ``(r, c)``.
        """
        height, width, _ = self.image_shape
        size = (min(height, reach + 1), min(width, 2 * reach + 1))
        start = (
            tf.clip_by_value(r - reach, 0, height - size[0]),
            tf.clip_by_value(c - reach, 0, width - size[1]),
        )
        return start, size

    def pixel_logits(self, x, r, c):
        """Logits ``[batch, C]`` (or ``[batch, C, 256]``) of pixel ``(r, c)``, computing each layer only where needed.

        Layer by layer the region shrinks with the receptive field still
        ahead (the 7x7 input layer reads 3 rows up and 3 columns either side,
        each 3x3 block one), down to the single pixel for the 1x1 head; the
        result equals ``self(x)[:, r, c, :]``.
        """

        def crop(h, source, target):
            (r0, c0), _ = source
            (r1, c1), size = target
            return tf.slice(h, [0, r1 - r0, c1 - c0, 0], [-1, size[0], size[1], -1])

        reach = self.kernel_size // 2 + self.num_residual
        source = self.region(r, c, reach)
        h = tf.slice(self.rescale(x), [0, *source[0], 0], [-1, *source[1], -1])
        reach -= self.kernel_size // 2
        target = self.region(r, c, reach)
        h = crop(self.input_layer(h), source, target)
        for conv1, conv3, conv2 in self.residual_blocks:
            source, target = target, self.region(r, c, reach - 1)
            reach -= 1
            h = crop(h, source, target) + conv2(crop(conv3(conv1(h)), source, target))
        for layer in self.head:
            h = layer(h)
        return self.logits(self.output_layer(h))[:, 0, 0]

    def initial_caches(self, raster, batch):
        """Each residual block's first 1x1 output (what its 3x3 convolution reads); the rest is per pixel."""
        return [raster.zeros(batch, self.filters, self.compute_dtype) for _ in self.residual_blocks]

    def cached_logits(self, raster, image, caches, r, c):
        """Logits ``[batch, C]`` (``[batch, C, 256]``) of pixel ``(r, c)``, and the caches with its activations."""
        index = raster.index(r, c)
        h = self.input_layer.call_pixel(self.rescale(raster.read(image, index, self.input_layer.taps())))
        blocks = list(caches)
        for i, (conv1, conv3, conv2) in enumerate(self.residual_blocks):
            blocks[i] = raster.write(blocks[i], index, conv1.call_pixel(h))
            h = h + conv2.call_pixel(conv3.call_pixel(raster.read(blocks[i], index, conv3.taps())))
        for layer in self.head:
            h = layer.call_pixel(h)
        return self.logits(self.output_layer.call_pixel(h)), blocks

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            num_residual=self.num_residual,
            kernel_size=self.kernel_size,
            num_head=self.num_head,
        )
        return config
