"""What PixelCNN and PixelRNN share: pixels in raster order.

``p(x) = prod_{r, c, k} p(x[r, c, k] | pixels before (r, c), channels before k)``
with each conditional a Bernoulli (binary images) or a 256-way categorical
(8-bit images) whose logits the network computes for all pixels at once
(teacher forcing); sampling draws the pixels one at a time.
"""

import keras
import tensorflow as tf

from tfdl import validation

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


class PixelAutoregressiveModel(keras.Model):
    """Base class: log-likelihood, maximum-likelihood training and sampling.

    Subclasses build their layers in ``__init__``, feed ``self.rescale(x)`` to
    the network and return ``self.logits(outputs)`` from ``call``: logits
    ``[batch, H, W, C]`` (Bernoulli) or ``[batch, H, W, C, 256]``
    (categorical) for any ``H, W``; the network's last layer has
    ``self.outputs_per_channel`` channels per image channel (channel-major)
    and must be causal in raster order, then channel order. A subclass whose
    logits at one pixel need less than the whole image overrides
    ``pixel_logits``, which sampling uses.

    Args:
        input_shape: ``(height, width, channels)`` of the images.
        distribution: ``"bernoulli"`` (binary images, values 0 or 1) or
            ``"categorical"`` (8-bit images: integer intensities 0..255
            stored as float; images in [0, 1] must be scaled by 255 and
            rounded first). The network sees ``x / 255`` then.
        seed: seed of the sampler's ``keras.random.SeedGenerator``.
    """

    def __init__(self, input_shape, distribution="bernoulli", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = validation.positive_ints(input_shape, "input_shape")
        if len(self.image_shape) != 3:
            raise ValueError(
                f"Expected input_shape=(height, width, channels). Received: input_shape={input_shape}"
            )
        self.distribution = validation.one_of(distribution, ("bernoulli", "categorical"), "distribution")
        self.outputs_per_channel = LEVELS if distribution == "categorical" else 1
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self._samplers = {}

    def build_network(self):
        """Creates the weights by calling the network once on a zero image."""
        self(keras.ops.zeros((1, *self.image_shape)))

    def rescale(self, x):
        """The network's input: ``x`` (Bernoulli) or ``x / 255`` (categorical)."""
        return x / (LEVELS - 1) if self.distribution == "categorical" else x

    def logits(self, outputs):
        """``[..., C * 256]`` outputs -> ``[..., C, 256]`` categorical logits; Bernoulli unchanged."""
        if self.distribution == "bernoulli":
            return outputs
        return keras.ops.reshape(outputs, (*keras.ops.shape(outputs)[:-1], self.image_shape[-1], LEVELS))

    def pixel_logits(self, x, r, c):
        """Logits ``[batch, C]`` (``[batch, C, 256]``) of pixel ``(r, c)``; subclasses may compute less."""
        return self(x)[:, r, c]

    def log_prob(self, x):
        """Exact log-likelihood in nats, ``[batch]``, of images ``x`` ``[batch, H, W, C]``."""
        x = keras.ops.convert_to_tensor(x, dtype="float32")
        validation.feature_shape(x, self.image_shape)
        if self.distribution == "bernoulli":
            x = validation.binary(x)
            logits = self(x)
            return keras.ops.sum(x * logits - keras.ops.softplus(logits), axis=(1, 2, 3))
        x = intensities(x)
        log_probs = keras.ops.log_softmax(self(x), axis=-1)
        observed = keras.ops.one_hot(keras.ops.cast(x, "int32"), LEVELS)
        return keras.ops.sum(observed * log_probs, axis=(1, 2, 3, 4))

    def train_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        with tf.GradientTape() as tape:
            loss = -keras.ops.mean(self.log_prob(x))
            if self.losses:
                loss = loss + keras.ops.sum(self.losses)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        self.loss_tracker.update_state(-keras.ops.mean(self.log_prob(x)))
        return {"loss": self.loss_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker]

    def sample(self, num, seed=None, local=True):
        """Draws ``num`` images ``[num, H, W, C]`` pixel by pixel.

        The whole loop over pixels runs inside one compiled ``tf.function``.
        With ``u`` drawn up front by ``keras.random.uniform`` (from ``seed``,
        or from the model's seed generator), so the same seed gives the same
        images, a Bernoulli pixel ``i`` is 1 when ``u_i < sigmoid(logit_i)``
        and a categorical one is the number of levels whose cumulative
        probability is below ``u_i`` (inverse CDF).

        Args:
            num: number of images.
            seed: int for reproducible samples, or None.
            local: compute each pixel's logits with ``pixel_logits`` (for
                PixelCNN only the region of each layer a new pixel depends
                on: the same samples, much less arithmetic); False recomputes
                the whole image at every pixel.
        """
        num = validation.positive_int(num, "num")
        uniform = keras.random.uniform(
            (num, *self.image_shape), seed=self.seed_generator if seed is None else seed
        )
        local = bool(local)
        if local not in self._samplers:
            self._samplers[local] = tf.function(
                lambda u: self._sample_loop(u, local),
                input_signature=[tf.TensorSpec((None, *self.image_shape), "float32")],
                autograph=False,
            )
        return self._samplers[local](uniform)

    def _sample_loop(self, uniform, local):
        height, width, channels = self.image_shape

        def body(i, x):
            r, c, k = i // (width * channels), (i // channels) % width, i % channels
            logits = self.pixel_logits(x, r, c) if local else self(x)[:, r, c]
            logit, u = tf.gather(logits, k, axis=1), uniform[:, r, c, k]
            if self.distribution == "bernoulli":
                pixel = tf.cast(u < tf.sigmoid(logit), x.dtype)
            else:
                below = tf.math.cumsum(tf.nn.softmax(logit), axis=-1) < u[:, None]
                pixel = tf.minimum(tf.reduce_sum(tf.cast(below, x.dtype), axis=-1), LEVELS - 1)
            position = tf.reshape(tf.one_hot(i, height * width * channels), self.image_shape)
            return i + 1, x + pixel[:, None, None, None] * position

        _, x = tf.while_loop(
            lambda i, x: i < height * width * channels,
            body,
            (tf.constant(0), tf.zeros_like(uniform)),
        )
        return x

    def get_config(self):
        config = super().get_config()
        config.update(input_shape=self.image_shape, distribution=self.distribution, seed=self.seed)
        return config
