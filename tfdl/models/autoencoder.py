"""A deterministic autoencoder: the baseline a variational autoencoder improves on.

The module also holds what the autoencoder and ``tfdl.models.VAE`` share: the
likelihood of the data given the decoder's output, the input checks and the
encoder/decoder plumbing (training itself is ``tfdl.models.base.OwnLossModel``'s).
"""

import keras
import tensorflow as tf
import tensorflow_probability as tfp
from keras import ops

from tfdl import validation
from tfdl.models.base import OwnLossModel, bernoulli_log_prob

tfd = tfp.distributions
LIKELIHOODS = ("bernoulli", "gaussian")


def data_distribution(likelihood, params, log_scale=None):
    """p(x | z) given the decoder's output, one event per example.

    Args:
        likelihood: ``"bernoulli"`` (``params`` are logits) or ``"gaussian"``
            (``params`` are means; ``log_scale`` is the log standard deviation
            shared by every dimension).
        params: decoder output ``[batch, *data_shape]``.
        log_scale: scalar tensor, for ``"gaussian"`` only.

    Returns:
        A ``tfd.Independent`` with batch shape ``[batch]`` and event shape
        ``data_shape``: ``log_prob(x)`` is ``[batch]`` in nats.
    """
    if likelihood == "bernoulli":
        base = tfd.Bernoulli(logits=params, dtype=params.dtype)
    else:
        base = tfd.Normal(loc=params, scale=ops.exp(log_scale))
    return tfd.Independent(base, reinterpreted_batch_ndims=len(params.shape) - 1)


def log_likelihood(likelihood, x, params, log_scale=None):
    """log p(x | z) in nats, ``[batch]``, summed over the data dimensions.

    The Bernoulli case is the closed form ``x * logits - softplus(logits)``
    (``tfdl.models.base.bernoulli_log_prob``, binary cross-entropy with
    logits), equal to ``data_distribution(...).log_prob(x)`` (the tests check
    it against ``tfp``) and faster than ``tfd.Bernoulli``.
    """
    if likelihood == "bernoulli":
        return bernoulli_log_prob(x, params)
    return data_distribution(likelihood, params, log_scale).log_prob(x)


def check_input(x, encoder, likelihood, name="x", dtype="float32"):
    """Returns ``x`` as a ``dtype`` tensor after checking its shape and values.

    Integer and boolean inputs (``uint8`` images of 0s and 1s) are cast to
    ``dtype``, their values unchanged. Raises ValueError (eagerly) for an
    empty ``x``, when ``x.shape[1:]`` differs from the encoder's input shape,
    and for values outside [0, 1] (Bernoulli) or not finite (Gaussian), naming
    the first bad value and its index. Inside a traced function the value
    check is a run-time assertion.
    """
    x = tf.cast(validation.array(x, name) if tf.executing_eagerly() else tf.convert_to_tensor(x), dtype)
    inputs = getattr(encoder, "inputs", None)
    if inputs:
        validation.feature_shape(x, tuple(inputs[0].shape[1:]), name)
    return validation.values(x, "unit_interval" if likelihood == "bernoulli" else "finite", name)


class _EncoderDecoder(OwnLossModel):
    """What Autoencoder and VAE share.

    Training is ``OwnLossModel``'s; each batch (``check_batch``) is cast to
    the model's variable dtype, where the losses stay (float32 under
    ``mixed_float16``, whose optimizer scales the loss), and its values
    checked: in [0, 1] for ``"bernoulli"``, finite for ``"gaussian"``
    (``fit``, ``evaluate`` and ``predict`` check arrays eagerly too); the
    encoder and decoder are rebuilt from their serialized configs.

    A subclass sets ``likelihood_family``, ``log_scale``, ``encoder`` and
    ``decoder``, and defines ``compute_losses(x, training)``.
    """

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("encoder", "decoder"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    @property
    def input_values(self):
        return "unit_interval" if self.likelihood_family == "bernoulli" else "finite"

    def _check_input(self, x, name="x"):
        return check_input(x, self.encoder, self.likelihood_family, name, self.variable_dtype)

    def check_array(self, x, name="x"):
        self._check_input(x, name)
        return x

    def check_batch(self, x):
        """The batch in the variable dtype, its values checked (``input_values``)."""
        return validation.values(ops.cast(x, self.variable_dtype), self.input_values, "x")

    # The decoder -------------------------------------------------------------

    def _params(self, z, training=False):
        """The decoder's output in the variable dtype (float32 under mixed precision)."""
        return ops.cast(self.decoder(z, training=training), self.variable_dtype)

    def _log_likelihood(self, x, params):
        return log_likelihood(self.likelihood_family, x, params, self.log_scale)

    def _mean(self, params):
        return ops.sigmoid(params) if self.likelihood_family == "bernoulli" else params

    def likelihood(self, z):
        """p(x|z): ``tfd.Independent`` with batch shape ``[batch]`` and event
        shape ``data_shape`` (Bernoulli with the decoder's logits, or Normal
        with its means and the model's ``exp(log_scale)``).

        Its ``log_prob(x)`` is the reconstruction log-likelihood the model
        trains on, in nats.
        """
        return data_distribution(self.likelihood_family, self._params(z), self.log_scale)

    def decode(self, z):
        """Decoded images: the mean of p(x|z), probabilities (``"bernoulli"``) or means (``"gaussian"``)."""
        return self._mean(self._params(z))

    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "likelihood": self.likelihood_family,
        }


@keras.saving.register_keras_serializable(package="tfdl")
class Autoencoder(_EncoderDecoder):
    """An encoder to one latent point and a decoder back, trained to reconstruct.

    The loss is the negative log-likelihood of the input under the decoder's
    output (binary cross-entropy summed over pixels for ``"bernoulli"``).
    Nothing shapes the latent space, so points that no input maps to can
    decode to junk: the "discontinuous" latent space that variational
    autoencoders fix (Kingma & Welling 2014; Hinton & Salakhutdinov 2006 for
    the autoencoder).

    ``model(x)`` and ``predict(x)`` return the reconstruction, as
    ``reconstruct`` does (probabilities for ``"bernoulli"``). ``compile``
    takes no ``loss`` or ``metrics``: the model trains on its own loss.

    Args:
        encoder: Keras model ``x -> z``, ``[batch, latent_dim]``.
        decoder: Keras model ``z -> params`` in data shape (logits for
            ``"bernoulli"``, means for ``"gaussian"``).
        likelihood: ``"bernoulli"`` or ``"gaussian"`` (one learned scale).

    Example:

    >>> encoder, decoder = tfdl.models.vae.dense_pair((64,), 2, variational=False)
    >>> ae = Autoencoder(encoder, decoder)
    >>> ae.compile(optimizer="adam")
    >>> ae.fit(x, epochs=5, batch_size=64)  # doctest: +SKIP
    """

    own_loss = "the negative log-likelihood of the input under the decoder's output"

    def __init__(self, encoder, decoder, likelihood="bernoulli", **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.likelihood_family = validation.one_of(likelihood, LIKELIHOODS, "likelihood")
        self.log_scale = (
            self.add_weight(name="log_scale", shape=(), initializer="zeros")
            if likelihood == "gaussian"
            else None
        )
        self.built = encoder.built and decoder.built  # weights exist: saving needs no call

    def call(self, inputs, training=False):
        """The reconstruction: ``reconstruct`` without its eager checks."""
        return self._mean(self._params(self.encoder(inputs, training=training), training))

    def compute_losses(self, x, training):
        params = self._params(self.encoder(x, training=training), training)
        return {"loss": -ops.mean(self._log_likelihood(x, params))}

    def encode(self, x):
        """The latent point ``[batch, latent_dim]`` of each input."""
        z = self.encoder(self._check_input(x), training=False)
        return ops.cast(z, self.variable_dtype)

    def reconstruct(self, x):
        """``decode(encode(x))``."""
        return self.decode(self.encode(x))
