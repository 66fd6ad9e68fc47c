"""A variational autoencoder of SMILES strings: a recurrent encoder and an autoregressive recurrent decoder.

The character-level VAE of the MOSES benchmark (Polykovskiy et al. 2020; after
Gómez-Bombarelli et al. 2018) on tfdl's ``VAE``: a bidirectional GRU reads the
token ids into q(z|x); the decoder is a GRU language model whose initial state
and every input carry z, so that

    log p(x|z) = sum_t log p(x_t | x_<t, z)

over the tokens after ``<bos>`` up to and including ``<eos>`` (padding is left
out). Training feeds the true previous token (teacher forcing); sampling feeds
the model's own draws, with a temperature, its most probable token (greedy), or
the most probable sequence a beam search finds.

KL annealing (``KLAnnealing``, as MOSES: the KL weight rises linearly from 0 to
``beta``) and free bits (Kingma et al. 2016: each latent dimension's KL, a
batch mean, counts at least ``free_bits`` nats in the loss) keep the decoder
from ignoring z. MOSES's VAE: bi-GRU 256 encoder, 3-layer GRU 512 decoder,
latent 128, KL weight 0 to 0.05 over training, no free bits, Adam 3e-4, batch
512, 100 epochs.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from tfdl import smiles as smiles_tokens
from tfdl import validation
from tfdl.models.vae import VAE, kl_to_standard_normal


@keras.saving.register_keras_serializable(package="tfdl")
class SmilesDecoder(layers.Layer):
    """An autoregressive GRU decoder of token ids given z.

    Each step's input is the previous token's embedding concatenated with z;
    each GRU layer starts from ``tanh(Dense(z))``; a dense layer gives the next
    token's logits.

    Args:
        vocabulary_size: number of token ids.
        latent_dim: size of z.
        embedding_dim: size of a token's embedding.
        hidden_units: units of each GRU layer.
        max_length: positions of a decoded sequence, ``<bos>`` and ``<eos>`` included.

    Call arguments:
        inputs: ``[z, tokens]``: ``[batch, latent_dim]`` and int ``[batch, steps]`` (the previous tokens).

    Output shape: logits ``[batch, steps, vocabulary_size]``.
    """

    def __init__(self, vocabulary_size, latent_dim, embedding_dim=32, hidden_units=(256,), max_length=60,
                 **kwargs):
        super().__init__(**kwargs)
        self.max_length = validation.positive_int(max_length, "max_length")
        self.vocabulary_size = validation.positive_int(vocabulary_size, "vocabulary_size")
        self.latent_dim = validation.positive_int(latent_dim, "latent_dim")
        self.embedding_dim = validation.positive_int(embedding_dim, "embedding_dim")
        self.hidden_units = validation.positive_ints(hidden_units, "hidden_units")
        self.embedding = layers.Embedding(self.vocabulary_size, self.embedding_dim, name="embedding")
        self.initial = [layers.Dense(units, activation="tanh", name=f"initial_{i}")
                        for i, units in enumerate(self.hidden_units)]
        self.recurrent = [layers.GRU(u, return_sequences=True, return_state=True, name=f"gru_{i}")
                          for i, u in enumerate(self.hidden_units)]
        self.logits = layers.Dense(self.vocabulary_size, name="logits")

    def build(self, input_shape=None):
        self.embedding.build((None, None))
        width = self.embedding_dim + self.latent_dim
        for initial, recurrent in zip(self.initial, self.recurrent):
            initial.build((None, self.latent_dim))
            recurrent.build((None, None, width))
            width = recurrent.units
        self.logits.build((None, None, width))
        self.built = True

    def initial_states(self, z):
        """The GRU layers' states before the first token, from z."""
        return [initial(z) for initial in self.initial]

    def step(self, z, tokens, states):
        """One step from previous tokens ``[batch, steps]`` and states: ``(logits [batch, steps, V], states)``."""
        steps = ops.shape(tokens)[1]
        h = ops.concatenate([self.embedding(tokens), ops.repeat(z[:, None, :], steps, axis=1)], axis=-1)
        new_states = []
        for recurrent, state in zip(self.recurrent, states):
            h, state = recurrent(h, initial_state=state)
            new_states.append(state)
        return self.logits(h), new_states

    def call(self, inputs):
        z, tokens = inputs
        return self.step(z, tokens, self.initial_states(z))[0]

    def get_config(self):
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size, "latent_dim": self.latent_dim,
                "embedding_dim": self.embedding_dim, "hidden_units": list(self.hidden_units),
                "max_length": self.max_length}


def smiles_pair(vocabulary_size, latent_dim=64, embedding_dim=32, encoder_units=128, hidden_units=(256,),
                max_length=60):
    """A bidirectional-GRU encoder of token ids and a ``SmilesDecoder``, for ``SmilesVAE``.

    Args:
        vocabulary_size: number of token ids (``len(tokenizer)``); id 0 is padding.
        latent_dim: size of z.
        embedding_dim: size of a token's embedding (encoder and decoder).
        encoder_units: units of each direction of the encoder's GRU.
        hidden_units: units of the decoder's GRU layers.
        max_length: positions of a decoded sequence, ``<bos>`` and ``<eos>`` included: the longest sample.

    Returns:
        ``(encoder, decoder)``; the encoder maps ``[batch, length]`` ids to ``[mean, log_var]``.
    """
    vocabulary_size = validation.positive_int(vocabulary_size, "vocabulary_size")
    latent_dim = validation.positive_int(latent_dim, "latent_dim")
    encoder_units = validation.positive_int(encoder_units, "encoder_units")
    tokens = keras.Input((None,), dtype="int32")
    h = layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True)(tokens)
    h = layers.Bidirectional(layers.GRU(encoder_units))(h)
    outputs = [layers.Dense(latent_dim, name="z_mean")(h), layers.Dense(latent_dim, name="z_log_var")(h)]
    decoder = SmilesDecoder(vocabulary_size, latent_dim, embedding_dim, hidden_units, max_length, name="decoder")
    decoder.build()
    return keras.Model(tokens, outputs, name="encoder"), decoder


@keras.saving.register_keras_serializable(package="tfdl")
class SmilesVAE(VAE):
    """A VAE of SMILES token ids (``tfdl.smiles``) trained on the negative ELBO with ``fit(ids)``.

    The loss per batch is ``reconstruction_loss + kl_weight * sum_d max(KL_d, free_bits)``, KL_d the batch
    mean of dimension d's KL; ``kl_loss`` reports the plain KL. ``kl_weight`` starts at ``beta`` and
    ``KLAnnealing`` moves it during ``fit``. ``elbo`` and ``log_prob`` are the plain bounds (weight 1, no
    free bits). ``model(ids)`` returns the next-token probabilities under teacher forcing at the posterior mean.

    Args:
        encoder, decoder: from ``smiles_pair``.
        tokens: the tokenizer's tokens (``SmilesTokenizer.tokens``), kept so that the model decodes strings.
        beta: the KL weight after annealing (MOSES: 0.05).
        free_bits: the least KL per latent dimension the loss counts, nats (0: none).
        seed: seed of the sampler and of sampling.

    Example:

    >>> tokenizer = SmilesTokenizer.fit(train_smiles)  # doctest: +SKIP
    >>> vae = SmilesVAE(*smiles_pair(len(tokenizer)), tokens=tokenizer.tokens, seed=0)
    >>> vae.compile(optimizer="adam"); vae.fit(tokenizer.encode(train_smiles, 60), epochs=5)  # doctest: +SKIP
    >>> vae.tokenizer.decode(vae.sample(1000, seed=1))  # doctest: +SKIP
    """

    def __init__(self, encoder, decoder, tokens, beta=1.0, free_bits=0.0, seed=None, **kwargs):
        likelihood = validation.one_of(kwargs.pop("likelihood", "categorical"), ("categorical",), "likelihood")
        super().__init__(encoder, decoder, likelihood="bernoulli", beta=beta, seed=seed, **kwargs)
        self.likelihood_family = likelihood  # next-token softmax; VAE's own families are for images
        self.tokenizer = smiles_tokens.SmilesTokenizer(tokens)
        if len(self.tokenizer) != decoder.vocabulary_size:
            raise ValueError(f"Expected {decoder.vocabulary_size - len(smiles_tokens.SPECIALS)} tokens (the "
                             f"decoder's vocabulary less the specials). Received: {len(tokens)} tokens")
        self.free_bits = validation.number(free_bits, "free_bits", low=0.0)
        self.kl_weight = self.add_weight(name="kl_weight", shape=(), trainable=False,
                                         initializer=keras.initializers.Constant(self.beta))

    @property
    def latent_dim(self):
        return self.decoder.latent_dim

    @property
    def max_length(self):
        """Positions of a decoded sequence, ``<bos>`` and ``<eos>`` included (the decoder's)."""
        return self.decoder.max_length

    def _check_input(self, x, name="x"):
        x = np.asarray(validation.array(x, name))
        if x.ndim != 2 or not np.issubdtype(x.dtype, np.integer) or x.min() < 0 or x.max() >= len(self.tokenizer):
            raise ValueError(f"Expected {name}: token ids [batch, length] in [0, {len(self.tokenizer)}). Received: "
                             f"{name} of shape {x.shape}, dtype {x.dtype}, values {x.min()}..{x.max()}")
        return tf.constant(x, "int32")

    def check_batch(self, x):
        return ops.cast(x, "int32")

    def _reconstruction_log_prob(self, x, z, training=False):
        logits = ops.cast(self.decoder([z, x[:, :-1]], training=training), self.variable_dtype)
        targets = x[:, 1:]
        log_probs = ops.take_along_axis(ops.log_softmax(logits, axis=-1), targets[..., None], axis=-1)[..., 0]
        return ops.sum(log_probs * ops.cast(targets != smiles_tokens.PAD, log_probs.dtype), axis=-1)

    def compute_losses(self, x, training):
        mean, log_var = self._posterior_params(x, training)
        reconstruction = -ops.mean(self._reconstruction_log_prob(x, self.sampler([mean, log_var]), training))
        per_dimension = ops.mean(0.5 * (ops.exp(log_var) + ops.square(mean) - 1.0 - log_var), axis=0)
        penalty = ops.sum(ops.maximum(per_dimension, self.free_bits))
        return {"loss": reconstruction + self.kl_weight * penalty, "reconstruction_loss": reconstruction,
                "kl_loss": ops.mean(kl_to_standard_normal(mean, log_var))}

    def call(self, inputs, training=False):
        mean, _ = self._posterior_params(inputs, training)
        return ops.softmax(self.decoder([mean, inputs[:, :-1]], training=training), axis=-1)

    def likelihood(self, z):
        raise NotImplementedError("p(x|z) of SmilesVAE is autoregressive: score ids with elbo/log_prob, "
                                  "draw them with decode/sample")

    def decode(self, z, temperature=1.0, greedy=True, seed=None, beam_width=1):
        """Token ids ``[batch, max_length]`` decoded from z, one token at a time from ``<bos>``.

        Args:
            z: ``[batch, latent_dim]``.
            temperature: the logits are divided by it before sampling (< 1: sharper).
            greedy: take the most probable token at each step instead of drawing one.
            seed: integer seed of the draws; ``None`` uses the model's seed generator.
            beam_width: with ``greedy``, keep the ``beam_width`` most probable partial sequences at each
                step and return the most probable of the last ones (beam search; 1 is greedy decoding).
        """
        temperature = validation.number(temperature, "temperature", low=0.0, low_open=True)
        greedy = validation.boolean(greedy, "greedy")
        beam_width = validation.positive_int(beam_width, "beam_width")
        if beam_width > 1:
            if not greedy:
                raise ValueError(f"Expected greedy=True with beam_width > 1 (beam search is deterministic). "
                                 f"Received: greedy=False, beam_width={beam_width}")
            return self._beam_search(ops.cast(z, self.variable_dtype), beam_width)
        return self._generate(ops.cast(z, self.variable_dtype), temperature, greedy, self._seed_tensor(seed))

    def _beam_search(self, z, width):
        """Each row's most probable sequence among ``width`` kept at every step; a finished sequence
        (after ``<eos>``) goes on with ``<pad>`` at no cost. Rows of the beams are ``row * width + beam``."""
        batch, vocabulary = z.shape[0], self.decoder.vocabulary_size
        z = ops.repeat(z, width, axis=0)
        states = self.decoder.initial_states(z)
        start = np.full((batch, width), -np.inf, "float32")
        start[:, 0] = 0.0  # one live beam at first, so that the first step does not pick a token width times
        scores = tf.constant(start.reshape(-1))
        tokens = ops.full((batch * width, 1), smiles_tokens.BOS, "int32")
        finished = ops.zeros((batch * width,), "bool")
        pad_only = tf.constant(np.where(np.arange(vocabulary) == smiles_tokens.PAD, 0.0, -np.inf), "float32")
        offsets = ops.arange(batch, dtype="int32")[:, None] * width
        for _ in range(self.max_length - 1):
            logits, states = self.decoder.step(z, tokens[:, -1:], states)
            log_probs = ops.log_softmax(ops.cast(logits[:, 0], "float32"), axis=-1)
            log_probs = ops.where(finished[:, None], pad_only[None, :], log_probs)
            total = ops.reshape(scores[:, None] + log_probs, (batch, width * vocabulary))
            best, index = tf.math.top_k(total, width)
            parent = ops.reshape(index // vocabulary + offsets, (-1,))
            following = ops.reshape(ops.cast(index % vocabulary, "int32"), (-1,))
            tokens = ops.concatenate([ops.take(tokens, parent, axis=0), following[:, None]], axis=1)
            states = [ops.take(state, parent, axis=0) for state in states]
            finished = ops.take(finished, parent, axis=0) | (following == smiles_tokens.EOS)
            scores = ops.reshape(best, (-1,))
            if bool(ops.all(finished)):
                break
        chosen = ops.argmax(ops.reshape(scores, (batch, width)), axis=1) + offsets[:, 0]
        ids = ops.take(tokens, chosen, axis=0)
        return ops.pad(ids, [[0, 0], [0, self.max_length - ids.shape[1]]])

    def _generate(self, z, temperature, greedy, seed):
        states = self.decoder.initial_states(z)
        tokens = [ops.full((ops.shape(z)[0],), smiles_tokens.BOS, "int32")]
        finished = ops.zeros_like(tokens[0], "bool")
        for step in range(self.max_length - 1):
            logits, states = self.decoder.step(z, tokens[-1][:, None], states)
            logits = logits[:, 0]
            if greedy:
                following = ops.cast(ops.argmax(logits, axis=-1), "int32")
            else:
                step_seed = tf.random.experimental.stateless_fold_in(seed, step)
                following = tf.random.stateless_categorical(logits / temperature, 1, step_seed, dtype="int32")[:, 0]
            tokens.append(ops.where(finished, smiles_tokens.PAD, following))
            finished = finished | (following == smiles_tokens.EOS)
            if bool(ops.all(finished)):
                break
        ids = ops.stack(tokens, axis=1)
        return ops.pad(ids, [[0, 0], [0, self.max_length - ids.shape[1]]])

    def sample(self, num, seed=None, temperature=1.0, greedy=False):
        """Draws ``num`` token sequences: z ~ N(0, I), then the decoder's tokens (``decode``).

        Returns:
            int32 ``[num, max_length]``; ``tokenizer.decode`` gives the strings.
        """
        num = validation.positive_int(num, "num")
        z_seed, x_seed = tf.unstack(tf.random.experimental.stateless_split(self._seed_tensor(seed), 2))
        z = tf.random.stateless_normal((num, self.latent_dim), z_seed, dtype=self.variable_dtype)
        temperature = validation.number(temperature, "temperature", low=0.0, low_open=True)
        return self._generate(z, temperature, validation.boolean(greedy, "greedy"), x_seed)

    def get_config(self):
        return {**super().get_config(), "tokens": self.tokenizer.tokens, "free_bits": self.free_bits}


class KLAnnealing(keras.callbacks.Callback):
    """Raises a ``SmilesVAE``'s ``kl_weight`` linearly from ``start`` to its ``beta`` over ``steps`` batches.

    Args:
        steps: training batches until the weight reaches ``beta``.
        start: the weight at the first batch.
    """

    def __init__(self, steps, start=0.0):
        super().__init__()
        self.steps = validation.positive_int(steps, "steps")
        self.start = validation.number(start, "start", low=0.0)
        self.done = 0

    def on_train_batch_begin(self, batch, logs=None):
        fraction = min(1.0, self.done / self.steps)
        self.model.kl_weight.assign(self.start + (self.model.beta - self.start) * fraction)
        self.done += 1
