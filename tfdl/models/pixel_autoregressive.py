"""What PixelCNN and PixelRNN share: Bernoulli pixels in raster order.

``p(x) = prod_{r, c, k} p(x[r, c, k] | pixels before (r, c), channels before k)``
with each conditional a Bernoulli whose logit the network computes for all
pixels at once (teacher forcing); sampling draws the pixels one at a time.
"""

import keras
import tensorflow as tf

from tfdl import validation


class PixelAutoregressiveModel(keras.Model):
    """Base class: log-likelihood, maximum-likelihood training and sampling.

    Subclasses build their layers in ``__init__`` and compute per-pixel logits
    ``[batch, H, W, C]`` in ``call`` (any ``H, W``); the network must be causal
    in raster order. A subclass whose logit at one pixel needs less than the
    whole image overrides ``pixel_logits``, which sampling uses.

    Args:
        input_shape: ``(height, width, channels)`` of the binary images.
        seed: seed of the sampler's ``keras.random.SeedGenerator``.
    """

    def __init__(self, input_shape, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = validation.positive_ints(input_shape, "input_shape")
        if len(self.image_shape) != 3:
            raise ValueError(
                f"Expected input_shape=(height, width, channels). Received: input_shape={input_shape}"
            )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self._samplers = {}

    def build_network(self):
        """Creates the weights by calling the network once on a zero image."""
        self(keras.ops.zeros((1, *self.image_shape)))

    def pixel_logits(self, x, r, c):
        """Logits ``[batch, C]`` of pixel ``(r, c)`` of images ``x``; subclasses may compute less."""
        return self(x)[:, r, c, :]

    def log_prob(self, x):
        """Exact log-likelihood in nats, ``[batch]``, of binary images ``x`` ``[batch, H, W, C]``."""
        x = keras.ops.convert_to_tensor(x, dtype="float32")
        validation.feature_shape(x, self.image_shape)
        x = validation.binary(x)
        logits = self(x)
        return keras.ops.sum(x * logits - keras.ops.softplus(logits), axis=(1, 2, 3))

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
        """Draws ``num`` binary images ``[num, H, W, C]`` pixel by pixel.

        The whole loop over pixels runs inside one compiled ``tf.function``.
        Pixel ``i`` is 1 when ``u_i < sigmoid(logit_i)`` with ``u`` drawn up
        front by ``keras.random.uniform`` (from ``seed``, or from the model's
        seed generator), so the same seed gives the same images.

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
            logits = self.pixel_logits(x, r, c) if local else self(x)[:, r, c, :]
            logit = tf.gather(logits, k, axis=1)
            pixel = tf.cast(uniform[:, r, c, k] < tf.sigmoid(logit), x.dtype)
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
        config.update(input_shape=self.image_shape, seed=self.seed)
        return config
