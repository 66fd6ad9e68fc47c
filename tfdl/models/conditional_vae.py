"""A class-conditional VAE (Kingma et al., "Semi-Supervised Learning with Deep Generative Models", 2014, M2
with every label observed; Sohn et al. 2015): the label goes into the encoder and the decoder.

Training maximizes ``E_q(z|x,y)[log p(x|z,y)] - KL(q(z|x,y) || N(0, I))``. With the class given to the
decoder, z is free to hold what the class does not say (for digits the slant and stroke, for clothes the
cut, width and shade): decoding an image's z with another label is the "analogy" (style transfer) of
Kingma et al.'s figure 1.

The model reads one array: the image's pixels followed by its one-hot label (``join``), so that ``fit``,
``elbo`` and ``log_prob`` take the VAE's single input; the likelihood covers the pixels only.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from tfdl import validation
from tfdl.models.vae import VAE


def conditional_pair(input_dim, num_classes, latent_dim, hidden_units=(256,)):
    """Dense encoder ``[pixels, one-hot] -> [mean, log_var]`` and decoder ``[z, one-hot] -> pixel logits``.

    Args:
        input_dim: pixels of one (flattened) image.
        num_classes: number of labels.
        latent_dim: size of z.
        hidden_units: ReLU layer widths of the encoder; the decoder mirrors them.
    """
    input_dim = validation.positive_int(input_dim, "input_dim")
    num_classes = validation.positive_int(num_classes, "num_classes")
    latent_dim = validation.positive_int(latent_dim, "latent_dim")
    hidden_units = validation.positive_ints(hidden_units, "hidden_units")
    inputs = keras.Input((input_dim + num_classes,))
    h = inputs
    for units in hidden_units:
        h = layers.Dense(units, activation="relu")(h)
    heads = [layers.Dense(latent_dim, name="z_mean")(h), layers.Dense(latent_dim, name="z_log_var")(h)]
    codes = keras.Input((latent_dim + num_classes,))
    h = codes
    for units in reversed(hidden_units):
        h = layers.Dense(units, activation="relu")(h)
    logits = layers.Dense(input_dim, name="logits")(h)
    return keras.Model(inputs, heads, name="encoder"), keras.Model(codes, logits, name="decoder")


@keras.saving.register_keras_serializable(package="tfdl")
class ConditionalVAE(VAE):
    """A VAE whose encoder and decoder both read the label; ``fit(join(images, labels))``.

    Args:
        encoder, decoder: from ``conditional_pair`` (the decoder's input is z followed by the one-hot label).
        num_classes: number of labels.
        likelihood, beta, seed: as ``VAE``.

    Example:

    >>> vae = ConditionalVAE(*conditional_pair(784, 10, latent_dim=16), num_classes=10, seed=0)
    >>> vae.compile(optimizer="adam")
    >>> vae.fit(vae.join(x, y), epochs=10)  # doctest: +SKIP
    >>> vae.transfer(x[:5], y[:5], targets=[3] * 5)  # doctest: +SKIP
    """

    def __init__(self, encoder, decoder, num_classes, likelihood="bernoulli", beta=1.0, seed=None, **kwargs):
        super().__init__(encoder, decoder, likelihood=likelihood, beta=beta, seed=seed, **kwargs)
        self.num_classes = validation.positive_int(num_classes, "num_classes")
        if int(decoder.inputs[0].shape[-1]) <= self.num_classes:
            raise ValueError(f"Expected a decoder input of z and {self.num_classes} label columns. Received: "
                             f"decoder input of {decoder.inputs[0].shape[-1]}")

    @property
    def latent_dim(self):
        return int(self.decoder.inputs[0].shape[-1]) - self.num_classes

    def join(self, images, labels):
        """The model's input: flattened images followed by the one-hot labels, float32 ``[n, D + classes]``."""
        images = np.asarray(images, "float32").reshape(len(images), -1)
        return np.concatenate([images, self._one_hot(labels, len(images))], axis=1)

    def _one_hot(self, labels, count):
        labels = np.asarray(labels)
        if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 \
                or labels.max() >= self.num_classes:
            raise ValueError(f"Expected labels: {count} integers in [0, {self.num_classes}). Received: labels of "
                             f"shape {labels.shape}, dtype {labels.dtype}")
        return np.eye(self.num_classes, dtype="float32")[labels]

    def _reconstruction_log_prob(self, x, z, training=False):
        pixels, label = x[:, : -self.num_classes], x[:, -self.num_classes:]
        return self._log_likelihood(pixels, self._params(ops.concatenate([z, label], axis=-1), training))

    def call(self, inputs, training=False):
        mean, _ = self._posterior_params(inputs, training)
        return self._mean(self._params(ops.concatenate([mean, inputs[:, -self.num_classes:]], -1), training))

    def decode(self, z, labels):
        """The mean of p(x|z, label) of each code and label."""
        z = ops.cast(z, self.variable_dtype)
        return super().decode(ops.concatenate([z, self._one_hot(labels, int(z.shape[0]))], axis=-1))

    def transfer(self, images, labels, targets):
        """Each image's posterior mean z (given its label) decoded with a target label: ``[n, D]``."""
        return self.decode(self.encode(self.join(images, labels))[0], targets)

    def sample(self, num, labels, seed=None, mean=False):
        """Draws ``num`` images of the given labels: z ~ N(0, I), then x ~ p(x|z, label) (or its mean)."""
        num = validation.positive_int(num, "num")
        mean = validation.boolean(mean, "mean")
        z_seed, x_seed = tf.unstack(tf.random.experimental.stateless_split(self._seed_tensor(seed), 2))
        z = tf.random.stateless_normal((num, self.latent_dim), z_seed, dtype=self.variable_dtype)
        if mean:
            return self.decode(z, labels)
        return self.likelihood(ops.concatenate([z, self._one_hot(labels, num)], axis=-1)).sample(seed=x_seed)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
