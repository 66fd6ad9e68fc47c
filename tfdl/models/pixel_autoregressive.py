"""What PixelCNN and PixelRNN share: pixels in raster order.

``p(x) = prod_{r, c, k} p(x[r, c, k] | pixels before (r, c), channels before k)``
with each conditional a Bernoulli (binary images) or a 256-way categorical
(8-bit images) whose logits the network computes for all pixels at once
(teacher forcing); sampling draws the pixels one at a time.
"""

import keras
import tensorflow as tf

from tfdl import deprecation, validation
from tfdl.models._maximum_likelihood import NegativeLogLikelihoodModel
from tfdl.models.base import bernoulli_log_prob, categorical_log_prob

LEVELS = 256


def intensities(x, name="x"):
    """Checks that every value of ``x`` is an integer in ``0..255`` (eagerly: ValueError).

    Inside a traced function it returns ``x`` guarded by a run-time assertion.
    """
    x = tf.convert_to_tensor(x)
    ok = tf.reduce_all((x >= 0) & (x <= LEVELS - 1) & (x == tf.round(x)))
    message = f"Expected integer intensities 0..{LEVELS - 1} (as float) in {name} for a categorical model"
    if tf.executing_eagerly():
        if not bool(ok):
            raise ValueError(
                f"{message}. Received values in [{float(tf.reduce_min(x))}, "
                f"{float(tf.reduce_max(x))}] that are not all such integers; "
                "scale images in [0, 1] by 255 and round first."
            )
        return x
    with tf.control_dependencies([tf.debugging.Assert(ok, [message])]):
        return tf.identity(x)


class Raster:
    """Per-pixel activations cached while sampling, in raster order.

    A cache is a tensor ``[(H + pad) * (W + 2 pad), batch, channels]``: the
    image's pixels row by row with ``pad`` rows of zeros above and ``pad``
    columns of zeros either side, so every offset a masked kernel reads
    (rows ``-pad..0``, columns ``-pad..pad``) is a position whose zeros are
    the convolution's "same" padding.

    Args:
        height, width: the image's size.
        pad: the largest row or column offset any cache is read at.
    """

    def __init__(self, height, width, pad):
        self.height, self.width, self.pad = height, width, pad
        self.padded_width = width + 2 * pad
        self.size = (height + pad) * self.padded_width

    def zeros(self, batch, channels, dtype):
        """An empty cache ``[size, batch, channels]``."""
        return tf.zeros((self.size, batch, channels), dtype)

    def index(self, r, c):
        """Position of pixel ``(r, c)`` in a cache."""
        return (r + self.pad) * self.padded_width + c + self.pad

    def read(self, cache, index, taps):
        """``cache`` at the pixels ``taps`` ``[(dr, dc), ...]`` from ``index``: ``[batch, len(taps) * channels]``."""
        offsets = tf.constant([dr * self.padded_width + dc for dr, dc in taps], tf.int32)
        window = tf.transpose(tf.gather(cache, index + offsets), (1, 0, 2))
        return tf.reshape(window, (tf.shape(window)[0], -1))

    def write(self, cache, index, value):
        """``cache`` with ``value`` ``[batch, channels]`` at ``index``."""
        return tf.tensor_scatter_nd_update(cache, [[index]], value[None])

    def read_row(self, cache, r):
        """Row ``r`` of ``cache`` (``-pad <= r < H``) as ``[batch, W, channels]``."""
        return tf.transpose(tf.slice(cache, [self.index(r, 0), 0, 0], [self.width, -1, -1]), (1, 0, 2))

    def write_row(self, cache, r, value):
        """``cache`` with ``value`` ``[batch, W, channels]`` as row ``r``."""
        index = self.index(r, 0) + tf.range(self.width)
        return tf.tensor_scatter_nd_update(cache, index[:, None], tf.transpose(value, (1, 0, 2)))


class PixelAutoregressiveModel(deprecation.RenamedNames, NegativeLogLikelihoodModel):
    """Base class: log-likelihood, maximum-likelihood training and sampling.

    Subclasses build their layers in ``__init__`` (passing
    ``dtype=self.dtype_policy``), feed ``self.rescale(x)`` to the network and
    return ``self.logits(outputs)`` from ``call``: logits ``[batch, H, W, C]``
    (Bernoulli) or ``[batch, H, W, C, 256]`` (categorical) for any ``H, W``,
    in the variable dtype (float32 under mixed precision); the network's last
    layer has ``self.outputs_per_channel`` channels per image channel
    (channel-major) and must be causal in raster order, then channel order.

    Cached sampling (Ramachandran et al. 2017): a layer's output at pixel
    ``(r, c)`` depends only on pixels before it, so it is final once computed
    and each new pixel needs every layer at that one position only, reading
    what earlier pixels left in caches. A subclass creates its caches in
    ``initial_caches`` (mostly ``Raster`` caches, read at offsets up to
    ``cache_pad``), computes one pixel in ``cached_logits`` and, where a
    layer needs a finished row, the row in ``cached_row_end``. A cache read
    elementwise (not through a matmul) at another pixel than the one written
    must be a separate tensor from the one written: XLA otherwise copies it
    at every pixel.

    Args:
        input_shape: ``(height, width, channels)`` of the images.
        likelihood: ``"bernoulli"`` (binary images, values 0 or 1) or
            ``"categorical"`` (8-bit images: integer intensities 0..255
            stored as float; images in [0, 1] must be scaled by 255 and
            rounded first). The network sees ``x / 255`` then. Stored as
            ``likelihood_family``; ``distribution`` is its deprecated spelling.
        seed: seed of the sampler's ``keras.random.SeedGenerator``.
        dtype: the model's dtype policy (``"float64"``, or
            ``"mixed_float16"`` which the global policy also selects): the
            network computes in its compute dtype, the log-likelihood and the
            loss are in its variable dtype.

    Reference: Ramachandran, Le Paine, Khorrami et al., "Fast Generation for
    Convolutional Autoregressive Models", ICLR 2017 workshop.
    """

    own_loss = "the negative log-likelihood of the images"
    renamed_arguments = {"distribution": "likelihood"}  # tfdl <= 7c8d4d4
    renamed_attributes = {"distribution": "likelihood_family"}
    sampling_methods = ("cached", "full")

    def __init__(self, input_shape, likelihood="bernoulli", seed=None, **kwargs):
        likelihood = deprecation.renamed(
            kwargs, "distribution", "likelihood", likelihood, "bernoulli", type(self).__name__
        )
        super().__init__(**kwargs)
        self.image_shape = validation.positive_ints(input_shape, "input_shape")
        if len(self.image_shape) != 3:
            raise ValueError(
                f"Expected input_shape=(height, width, channels). Received: input_shape={input_shape}"
            )
        self.likelihood_family = validation.one_of(likelihood, ("bernoulli", "categorical"), "likelihood")
        self.outputs_per_channel = LEVELS if likelihood == "categorical" else 1
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._samplers = {}

    def build_network(self):
        """Creates the weights by calling the network once on a zero image."""
        self(keras.ops.zeros((1, *self.image_shape)))

    def rescale(self, x):
        """The network's input: ``x`` (Bernoulli) or ``x / 255`` (categorical)."""
        return x / (LEVELS - 1) if self.likelihood_family == "categorical" else x

    def logits(self, outputs):
        """``[..., C * 256]`` outputs -> ``[..., C, 256]`` categorical logits; both in the variable dtype."""
        outputs = keras.ops.cast(outputs, self.variable_dtype)
        if self.likelihood_family == "bernoulli":
            return outputs
        return keras.ops.reshape(outputs, (*keras.ops.shape(outputs)[:-1], self.image_shape[-1], LEVELS))

    def log_prob(self, x):
        """Exact log-likelihood in nats, ``[batch]``, of images ``x`` ``[batch, H, W, C]`` (variable dtype)."""
        x = keras.ops.convert_to_tensor(x)
        validation.feature_shape(x, self.image_shape)
        if self.likelihood_family == "bernoulli":
            x = validation.binary(x)
            logits = self(x)
            return bernoulli_log_prob(keras.ops.cast(x, logits.dtype), logits)
        x = intensities(x)
        return categorical_log_prob(x, self(x))

    def sample(self, num, seed=None, method="cached"):
        """Draws ``num`` images ``[num, H, W, C]`` pixel by pixel.

        The whole loop over pixels runs inside one compiled ``tf.function``.
        With ``u`` drawn up front by ``keras.random.uniform`` (from ``seed``,
        or from the model's seed generator), so the same seed gives the same
        images whatever the method, a Bernoulli pixel ``i`` is 1 when
        ``u_i < sigmoid(logit_i)`` and a categorical one is the number of
        levels whose cumulative probability is below ``u_i`` (inverse CDF).

        Args:
            num: number of images.
            seed: int for reproducible samples, or None.
            method: ``"cached"`` (each new pixel computes every layer at its
                own position only, from per-layer caches: about the
                arithmetic of one forward pass in all; compiled by XLA),
                ``"full"`` (the whole image at every pixel) or, where the
                model has it (PixelCNN), ``"region"`` (at every pixel, each
                layer on the region the pixel depends on).

        Returns:
            images in the variable dtype.
        """
        num = validation.positive_int(num, "num")
        method = validation.one_of(method, self.sampling_methods, "method")
        uniform = keras.random.uniform(
            (num, *self.image_shape),
            seed=self.seed_generator if seed is None else seed,
            dtype=self.variable_dtype,
        )
        if method not in self._samplers:
            loop = self._sample_cached if method == "cached" else lambda u: self._sample_naive(u, method)
            self._samplers[method] = tf.function(
                loop,
                input_signature=[tf.TensorSpec((None, *self.image_shape), self.variable_dtype)],
                autograph=False,
                jit_compile=method == "cached",
            )
        return self._samplers[method](uniform)

    def draw(self, logits, u):
        """Pixels ``[batch]`` from their logits ``[batch]`` (``[batch, 256]``) and uniforms ``u`` (inverse CDF)."""
        if self.likelihood_family == "bernoulli":
            return tf.cast(u < tf.sigmoid(logits), u.dtype)
        below = tf.math.cumsum(tf.nn.softmax(logits), axis=-1) < u[:, None]
        return tf.minimum(tf.reduce_sum(tf.cast(below, u.dtype), axis=-1), LEVELS - 1)

    def _sample_naive(self, uniform, method):
        height, width, channels = self.image_shape

        def body(i, x):
            r, c, k = i // (width * channels), (i // channels) % width, i % channels
            logits = self.pixel_logits(x, r, c) if method == "region" else self(x)[:, r, c]
            pixel = self.draw(tf.gather(logits, k, axis=1), uniform[:, r, c, k])
            position = tf.reshape(tf.one_hot(i, height * width * channels, dtype=x.dtype), self.image_shape)
            return i + 1, x + pixel[:, None, None, None] * position

        _, x = tf.while_loop(
            lambda i, x: i < height * width * channels,
            body,
            (tf.constant(0), tf.zeros_like(uniform)),
        )
        return x

    def _sample_cached(self, uniform):
        height, width, channels = self.image_shape
        raster = Raster(height, width, self.cache_pad)
        batch = tf.shape(uniform)[0]
        image = raster.zeros(batch, channels, self.compute_dtype)
        caches = self.initial_caches(raster, batch)

        def pixel(r, c, image, caches):
            drawn = tf.zeros((batch, channels), self.compute_dtype)
            for k in range(channels):  # channel k's logits see the channels drawn before it
                logits, updated = self.cached_logits(raster, image, caches, r, c)
                value = tf.cast(self.draw(logits[:, k], uniform[:, r, c, k]), self.compute_dtype)
                drawn = drawn + value[:, None] * tf.one_hot(k, channels, dtype=value.dtype)
                image = raster.write(image, raster.index(r, c), drawn)
            return r, c + 1, image, updated

        def row(r, image, caches):
            _, _, image, caches = tf.while_loop(
                lambda r, c, image, caches: c < width, pixel, (r, tf.constant(0), image, caches)
            )
            return r + 1, image, self.cached_row_end(raster, caches, r)

        _, image, _ = tf.while_loop(lambda r, image, caches: r < height, row, (tf.constant(0), image, caches))
        image = tf.reshape(image, (height + raster.pad, raster.padded_width, batch, channels))
        image = image[raster.pad :, raster.pad : raster.pad + width]
        return tf.cast(tf.transpose(image, (2, 0, 1, 3)), uniform.dtype)

    def cached_row_end(self, raster, caches, r):
        """Caches after row ``r`` is drawn; layers that need the finished row override this."""
        return caches

    def get_config(self):
        config = super().get_config()
        config.update(input_shape=self.image_shape, likelihood=self.likelihood_family, seed=self.seed)
        return config
