"""The variational autoencoder (Kingma & Welling, "Auto-Encoding Variational Bayes", 2014).

The encoder maps x to a Gaussian q(z|x) = N(mean, diag(exp(log_var))), a
``GaussianSampler`` draws z from it with the reparameterization trick, and the
decoder gives p(x|z). Training maximizes the evidence lower bound

    ELBO(x) = E_q[log p(x|z)] - KL(q(z|x) || N(0, I))  <=  log p(x),

and ``log_prob`` tightens the bound with k importance samples (Burda et al.,
"Importance Weighted Autoencoders", 2016).

``dense_pair`` and ``conv_pair`` build encoder/decoder pairs; ``conv_pair``
with its defaults is the keras.io VAE example (conv 32/64 stride 2, dense 16).
"""

import math

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
from keras import layers, ops

from tfdl import deprecation, validation
from tfdl.layers.gaussian_sampler import GaussianSampler
from tfdl.models.autoencoder import LIKELIHOODS, _EncoderDecoder, data_distribution

tfd = tfp.distributions
LOG_2PI = math.log(2.0 * math.pi)


def kl_to_standard_normal(mean, log_var):
    """KL(N(mean, diag(exp(log_var))) || N(0, I)) in nats, ``[batch]``.

    The closed form 0.5 * sum(exp(log_var) + mean**2 - 1 - log_var)
    (Kingma & Welling 2014, appendix B).
    """
    return 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)


def _diagonal_normal_log_prob(z, mean=None, log_var=None):
    """log N(z; mean, diag(exp(log_var))) summed over the last axis; N(0, I) without them."""
    if mean is None:
        return -0.5 * ops.sum(LOG_2PI + ops.square(z), axis=-1)
    return -0.5 * ops.sum(
        LOG_2PI + log_var + ops.square(z - mean) * ops.exp(-log_var), axis=-1
    )


def _encoder_heads(features, latent_dim):
    mean = layers.Dense(latent_dim, name="z_mean")(features)
    log_var = layers.Dense(latent_dim, name="z_log_var")(features)
    return [mean, log_var]


def _encoder(inputs, features, latent_dim, variational):
    outputs = (
        _encoder_heads(features, latent_dim)
        if variational
        else layers.Dense(latent_dim, name="z")(features)
    )
    return keras.Model(inputs, outputs, name="encoder")


def dense_pair(input_shape, latent_dim, hidden_units=(256,), variational=True, **deprecated):
    """A multilayer-perceptron encoder and decoder.

    Args:
        input_shape: shape of one example, e.g. ``(64,)`` or ``(8, 8, 1)``.
        latent_dim: size of z.
        hidden_units: ReLU layer widths of the encoder; the decoder mirrors
            them (``hidden`` before, deprecated).
        variational: the encoder returns ``[mean, log_var]`` (for ``VAE``);
            ``False`` returns one code ``z`` (for ``Autoencoder``).

    Returns:
        ``(encoder, decoder)``; the decoder returns logits in ``input_shape``.

    Example:

    >>> encoder, decoder = dense_pair((64,), latent_dim=2, hidden_units=(128,))
    """
    hidden = deprecation.renamed(deprecated, "hidden", "hidden_units", hidden_units, (256,), "dense_pair")
    if deprecated:
        raise TypeError(f"dense_pair() got unexpected keyword arguments {sorted(deprecated)}")
    input_shape = validation.positive_ints(input_shape, "input_shape")
    latent_dim = validation.positive_int(latent_dim, "latent_dim")
    hidden = validation.positive_ints(hidden, "hidden_units")
    variational = validation.boolean(variational, "variational")
    inputs = keras.Input(input_shape)
    h = layers.Flatten()(inputs)
    for units in hidden:
        h = layers.Dense(units, activation="relu")(h)
    encoder = _encoder(inputs, h, latent_dim, variational)
    z = keras.Input((latent_dim,))
    h = z
    for units in reversed(hidden):
        h = layers.Dense(units, activation="relu")(h)
    h = layers.Dense(int(np.prod(input_shape)), name="logits")(h)
    decoder = keras.Model(z, layers.Reshape(input_shape)(h), name="decoder")
    return encoder, decoder


def conv_pair(input_shape, latent_dim=2, filters=(32, 64), dense=16, variational=True):
    """A convolutional encoder and a transposed-convolutional decoder.

    The encoder has 3x3 convolutions with stride 2 and ``filters`` channels,
    then a ReLU dense layer of ``dense`` units; the decoder mirrors it. The
    defaults are the keras.io "Variational AutoEncoder" example for 28x28
    images: conv 32/64 stride 2, dense 16, latent 2.

    Args:
        input_shape: ``(height, width, channels)``; height and width must be
            divisible by ``2 ** len(filters)``.
        latent_dim: size of z.
        filters: channels of each stride-2 convolution.
        dense: units of the dense layer before the latent heads.
        variational: as in ``dense_pair``.

    Returns:
        ``(encoder, decoder)``; the decoder returns logits in ``input_shape``.

    Example:

    >>> encoder, decoder = conv_pair((28, 28, 1), latent_dim=2)
    """
    input_shape = validation.positive_ints(input_shape, "input_shape")
    latent_dim = validation.positive_int(latent_dim, "latent_dim")
    filters = validation.positive_ints(filters, "filters")
    dense = validation.positive_int(dense, "dense")
    scale = 2 ** len(filters)
    if len(input_shape) != 3 or input_shape[0] % scale or input_shape[1] % scale:
        raise ValueError(
            f"Expected input_shape (height, width, channels) with height and width "
            f"divisible by {scale}. Received: input_shape={input_shape}"
        )
    inputs = keras.Input(input_shape)
    h = inputs
    for channels in filters:
        h = layers.Conv2D(channels, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Dense(dense, activation="relu")(layers.Flatten()(h))
    encoder = _encoder(inputs, h, latent_dim, variational)
    z = keras.Input((latent_dim,))
    height, width = input_shape[0] // scale, input_shape[1] // scale
    h = layers.Dense(height * width * filters[-1], activation="relu")(z)
    h = layers.Reshape((height, width, filters[-1]))(h)
    for channels in reversed(filters):
        h = layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="relu")(h)
    logits = layers.Conv2DTranspose(input_shape[-1], 3, padding="same", name="logits")(h)
    return encoder, keras.Model(z, logits, name="decoder")


@keras.saving.register_keras_serializable(package="tfdl")
class VAE(_EncoderDecoder):
    """A variational autoencoder trained on the negative ELBO with ``fit(x)``.

    The loss per batch is ``reconstruction_loss + beta * kl_loss``, where
    ``reconstruction_loss`` is the mean of -log p(x|z) for one sample z per
    example and ``kl_loss`` the mean closed-form KL(q(z|x) || N(0, I)); the
    three are tracked as ``loss``, ``reconstruction_loss`` and ``kl_loss``.
    ``compile`` takes no ``loss`` or ``metrics``: the model trains on its own.
    Under ``keras.mixed_precision.set_global_policy("mixed_float16")`` the
    encoder and decoder compute in float16 while the losses, ``elbo``,
    ``log_prob`` and every returned value stay in float32.

    ``model(x)`` and ``predict(x)`` return ``reconstruct(x)``: the mean of
    p(x|z) at the posterior mean z (probabilities for ``"bernoulli"``, not
    logits). The three distributions of the model are ``tfp`` objects:
    ``posterior(x)`` is q(z|x), ``prior`` is p(z) and ``likelihood(z)`` is
    p(x|z), so ``likelihood(z).log_prob(x) - tfd.kl_divergence(posterior(x),
    prior)`` is the ELBO of ``elbo`` at the same z.

    Args:
        encoder: Keras model ``x -> [mean, log_var]``, each ``[batch, latent_dim]``.
        decoder: Keras model ``z -> params`` in data shape: logits for
            ``"bernoulli"``, means for ``"gaussian"``.
        likelihood: ``"bernoulli"`` (inputs in [0, 1]; binary data gives a
            proper likelihood) or ``"gaussian"`` (one learned scale shared by
            all dimensions). Stored as ``likelihood_family``.
        beta: weight of the KL term in the training loss, a finite number
            >= 0 (1 is the ELBO; Higgins et al. 2017 for beta != 1). ``elbo``
            always uses 1.
        seed: seed of the sampler and of ``elbo``/``log_prob``/``sample``
            when they get no seed of their own.

    Example:

    >>> encoder, decoder = dense_pair((64,), latent_dim=2)
    >>> vae = VAE(encoder, decoder, likelihood="bernoulli", seed=0)
    >>> vae.compile(optimizer="adam")
    >>> vae.fit(x, epochs=10, batch_size=64)  # doctest: +SKIP
    >>> vae.log_prob(x_test, num_samples=1000)  # doctest: +SKIP
    >>> vae.posterior(x_test).stddev()  # doctest: +SKIP
    """

    own_loss = "the negative ELBO, reconstruction_loss + beta * kl_loss"
    metric_names = ("loss", "reconstruction_loss", "kl_loss")

    def __init__(self, encoder, decoder, likelihood="bernoulli", beta=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        beta = validation.number(beta, "beta", low=0.0)
        seed = validation.seed(seed, allow_none=True)
        self.encoder = encoder
        self.decoder = decoder
        self.likelihood_family = validation.one_of(likelihood, LIKELIHOODS, "likelihood")
        self.beta = float(beta)
        self.seed = seed
        self.sampler = GaussianSampler(seed=seed, name="sampler")
        self.seed_generator = keras.random.SeedGenerator(None if seed is None else seed + 1)
        self.log_scale = (
            self.add_weight(name="log_scale", shape=(), initializer="zeros")
            if likelihood == "gaussian"
            else None
        )
        self.built = encoder.built and decoder.built  # weights exist: saving needs no call

    @property
    def latent_dim(self):
        """Size of z, from the decoder's input."""
        return int(self.decoder.inputs[0].shape[-1])

    def call(self, inputs, training=False):
        """The mean of p(x|z) at the posterior mean z: ``reconstruct`` without its eager checks."""
        mean, _ = self._posterior_params(inputs, training)
        return self._mean(self._params(mean, training))

    def _posterior_params(self, x, training=False):
        """``(mean, log_var)`` of q(z|x) in the variable dtype."""
        return tuple(ops.cast(t, self.variable_dtype) for t in self.encoder(x, training=training))

    def compute_losses(self, x, training):
        mean, log_var = self._posterior_params(x, training)
        reconstruction = -ops.mean(self._reconstruction_log_prob(x, self.sampler([mean, log_var]), training))
        kl = ops.mean(kl_to_standard_normal(mean, log_var))
        return {"loss": reconstruction + self.beta * kl, "reconstruction_loss": reconstruction, "kl_loss": kl}

    def _reconstruction_log_prob(self, x, z, training=False):
        """log p(x|z), ``[batch]``: where the decoder meets the data (a sequence decoder reads x too)."""
        return self._log_likelihood(x, self._params(z, training))

    # Distributions -----------------------------------------------------------

    def posterior(self, x):
        """q(z|x) = N(mean, diag(exp(log_var))) of each input.

        Returns:
            ``tfd.MultivariateNormalDiag`` with batch shape ``[batch]`` and
            event shape ``[latent_dim]``.
        """
        mean, log_var = self.encode(x)
        return tfd.MultivariateNormalDiag(loc=mean, scale_diag=ops.exp(0.5 * log_var))

    @property
    def prior(self):
        """p(z) = N(0, I): ``tfd.MultivariateNormalDiag``, event shape ``[latent_dim]``."""
        zeros = tf.zeros(self.latent_dim, self.variable_dtype)
        return tfd.MultivariateNormalDiag(loc=zeros, scale_diag=tf.ones_like(zeros))

    # Inference ---------------------------------------------------------------

    def _seed_tensor(self, seed):
        """An int32 stateless seed (``tfp`` takes no other): ``[seed, 0]`` or the seed generator's next."""
        if seed is None:
            return tf.cast(self.seed_generator.next(), "int32")
        return tf.constant([validation.seed(seed) % 2**31, validation.seed(seed) // 2**31], dtype="int32")

    def encode(self, x):
        """The posterior q(z|x): ``(mean, log_var)``, each ``[batch, latent_dim]``."""
        return self._posterior_params(self._check_input(x))

    def reconstruct(self, x):
        """Decodes the posterior mean of each input: ``decode(encode(x)[0])``."""
        return self.decode(self.encode(x)[0])

    def sample(self, num, seed=None, mean=False):
        """Draws ``num`` examples: z ~ N(0, I), then x ~ p(x|z).

        Args:
            num: number of examples.
            seed: integer seed (same seed, same samples); ``None`` uses the
                model's seed generator.
            mean: return the decoded means (probabilities) instead of draws.

        Returns:
            ``[num, *data_shape]``.
        """
        num = validation.positive_int(num, "num")
        mean = validation.boolean(mean, "mean")
        z_seed, x_seed = tf.unstack(tf.random.experimental.stateless_split(self._seed_tensor(seed), 2))
        z = tf.random.stateless_normal((num, self.latent_dim), z_seed, dtype=self.variable_dtype)
        return self.decode(z) if mean else self.likelihood(z).sample(seed=x_seed)

    def interpolate(self, x_a, x_b, steps=8):
        """Decodes evenly spaced points between the latent means of two inputs.

        Args:
            x_a, x_b: batches ``[batch, *data_shape]`` of the same size.
            steps: number of points, both ends included.

        Returns:
            ``[batch, steps, *data_shape]``; ``[:, 0]`` decodes ``x_a``'s mean.
        """
        steps = validation.positive_int(steps, "steps")
        mean_a, mean_b = self.encode(x_a)[0], self.encode(x_b)[0]
        t = ops.reshape(ops.linspace(0.0, 1.0, steps, dtype=mean_a.dtype), (1, steps, 1))
        z = mean_a[:, None, :] * (1.0 - t) + mean_b[:, None, :] * t
        images = self.decode(ops.reshape(z, (-1, self.latent_dim)))
        return ops.reshape(images, (-1, steps, *images.shape[1:]))

    def elbo(self, x, seed=None):
        """The evidence lower bound of each input with one z sample, ``[batch]`` nats.

        Uses the closed-form KL (``beta`` is ignored): log p(x|z) - KL(q || p),
        with ``z = mean + exp(log_var / 2) * eps`` and ``eps`` drawn by
        ``tf.random.stateless_normal`` with the seed ``[seed, 0]``.
        """
        return self._elbo(self._check_input(x), self._seed_tensor(seed))

    @tf.function(reduce_retracing=True)
    def _elbo(self, x, seed):
        mean, log_var = self._posterior_params(x)
        eps = tf.random.stateless_normal(tf.shape(mean), seed, dtype=mean.dtype)
        z = mean + ops.exp(0.5 * log_var) * eps
        return self._reconstruction_log_prob(x, z) - kl_to_standard_normal(mean, log_var)

    def log_prob(self, x, num_samples=1000, seed=None, max_batch=256):
        """Importance-weighted estimate of log p(x), ``[batch]`` nats.

        ``log (1/k) sum_i p(x, z_i) / q(z_i|x)`` with z_i ~ q(z|x): the IWAE
        bound of Burda et al. (2016). It is a lower bound on log p(x) in
        expectation; k = 1 is the ELBO and the bound tightens (grows) with k.
        The samples go through the decoder in chunks of at most ``max_batch``
        examples, so k = 1000 (or 5000) fits in memory.

        Args:
            x: ``[batch, *data_shape]``.
            num_samples: k, the number of importance samples.
            seed: integer seed; ``None`` uses the model's seed generator.
            max_batch: most decoder evaluations per chunk; small chunks stay in
                the CPU cache, and ran faster than large ones for the keras.io
                decoder on CPU.
        """
        x = self._check_input(x)
        num_samples = validation.positive_int(num_samples, "num_samples")
        max_batch = validation.positive_int(max_batch, "max_batch")
        seed = self._seed_tensor(seed)
        results = []
        for start in range(0, int(x.shape[0]), max_batch):
            x_part = x[start : start + max_batch]
            chunk = max(1, min(num_samples, max_batch // int(x_part.shape[0])))
            mean, log_var = self._posterior_params(x_part)
            part_seed = tf.random.experimental.stateless_fold_in(seed, start)
            totals, done = [], 0
            while done < num_samples:
                size = min(chunk, num_samples - done)
                chunk_seed = tf.random.experimental.stateless_fold_in(part_seed, done)
                totals.append(
                    self._log_weight_logsumexp(x_part, mean, log_var, tf.constant(size), chunk_seed)
                )
                done += size
            results.append(tf.reduce_logsumexp(tf.stack(totals), axis=0) - math.log(num_samples))
        return tf.concat(results, axis=0)

    @tf.function(reduce_retracing=True)
    def _log_weight_logsumexp(self, x, mean, log_var, num, seed):
        """logsumexp over ``num`` samples of log p(x, z) - log q(z|x), ``[batch]``."""
        batch = tf.shape(mean)[0]
        eps = tf.random.stateless_normal(tf.stack([num, batch, self.latent_dim]), seed, dtype=mean.dtype)
        z = mean + ops.exp(0.5 * log_var) * eps
        x_tiled = tf.reshape(tf.broadcast_to(x, tf.concat([[num], tf.shape(x)], 0)),
                             tf.concat([[-1], tf.shape(x)[1:]], 0))
        log_px = tf.reshape(self._reconstruction_log_prob(x_tiled, tf.reshape(z, (-1, self.latent_dim))),
                            (num, batch))
        log_pz = _diagonal_normal_log_prob(z)
        log_qz = _diagonal_normal_log_prob(z, mean, log_var)
        return tf.reduce_logsumexp(log_px + log_pz - log_qz, axis=0)

    def impute(self, x, observed, num_samples=100, rounds=3, seed=None, max_batch=4096):
        """Fills the unobserved values of each input with an estimate of E[x_miss | x_obs].

        Self-normalised importance sampling over z, repeated ``rounds`` times:
        with z_i ~ q(z | x_fill) (the encoder on the current fill) and weights
        w_i proportional to p(x_obs | z_i) p(z_i) / q(z_i | x_fill), the
        unobserved values become ``sum_i w_i E[x | z_i]``. Only the observed
        values enter the weights, so the fill is the posterior mean given them
        (exactly so as ``num_samples`` grows, for any proposal q that covers
        the posterior); the first fill is the decoded prior mean, decode(0).

        Args:
            x: ``[batch, *data_shape]``; the unobserved values are ignored.
            observed: booleans, ``data_shape`` (one mask for every input) or
                ``[batch, *data_shape]``; True where a value is given.
            num_samples: importance samples per input and round.
            rounds: how often the proposal is re-encoded from the new fill.
            seed: integer seed; ``None`` uses the model's seed generator.
            max_batch: most decoder evaluations per chunk.

        Returns:
            ``[batch, *data_shape]``: ``x`` where observed, the estimate elsewhere.
        """
        x = self._check_input(x)
        observed = np.asarray(observed)
        if observed.dtype != bool or observed.shape not in (tuple(x.shape), tuple(x.shape[1:])):
            raise ValueError(
                f"Expected observed as booleans of shape {tuple(x.shape[1:])} or {tuple(x.shape)}. "
                f"Received: observed of dtype {observed.dtype} and shape {observed.shape}"
            )
        num_samples = validation.positive_int(num_samples, "num_samples")
        rounds = validation.positive_int(rounds, "rounds")
        chunk = max(1, validation.positive_int(max_batch, "max_batch") // num_samples)
        seed = self._seed_tensor(seed)
        mask = tf.cast(tf.broadcast_to(observed, x.shape), x.dtype)
        filled = mask * x + (1.0 - mask) * self.decode(tf.zeros((1, self.latent_dim), x.dtype))
        for step in range(rounds):
            parts = []
            for start in range(0, int(x.shape[0]), chunk):
                part_seed = tf.random.experimental.stateless_fold_in(seed, step * int(x.shape[0]) + start)
                parts.append(self._posterior_fill(filled[start : start + chunk], mask[start : start + chunk],
                                                  tf.constant(num_samples), part_seed))
            filled = mask * x + (1.0 - mask) * tf.concat(parts, axis=0)
        return filled

    @tf.function(reduce_retracing=True)
    def _posterior_fill(self, x, mask, num, seed):
        """``sum_i w_i E[x | z_i]`` over ``num`` samples z_i ~ q(z | x), weighted by the observed values."""
        mean, log_var = self._posterior_params(x)
        batch = tf.shape(mean)[0]
        eps = tf.random.stateless_normal(tf.stack([num, batch, self.latent_dim]), seed, dtype=mean.dtype)
        z = mean + ops.exp(0.5 * log_var) * eps
        params = tf.reshape(self._params(tf.reshape(z, (-1, self.latent_dim))), tf.stack([num, batch, -1]))
        flat_x, flat_mask = tf.reshape(x, (1, batch, -1)), tf.reshape(mask, (1, batch, -1))
        elementwise = data_distribution(self.likelihood_family, params, self.log_scale).distribution.log_prob(
            tf.broadcast_to(flat_x, tf.shape(params)))
        log_w = (tf.reduce_sum(flat_mask * elementwise, axis=-1) + _diagonal_normal_log_prob(z)
                 - _diagonal_normal_log_prob(z, mean, log_var))
        weights = tf.nn.softmax(log_w, axis=0)[..., None]
        return tf.reshape(tf.reduce_sum(weights * self._mean(params), axis=0), tf.shape(x))

    # Saving ------------------------------------------------------------------

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "seed": self.seed}
