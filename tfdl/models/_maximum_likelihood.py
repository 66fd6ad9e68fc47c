"""Training by maximum likelihood for models with ``log_prob`` (MADE, NADE).

``model.fit(x)`` with x alone minimises the mean negative log-likelihood in
nats; ``evaluate`` and validation report it as ``loss``. ``compile`` takes no
``loss`` or ``metrics`` (``OwnLossModel``). Log-likelihoods are summed in the
variable dtype (float32 under ``mixed_float16``, where the loss is scaled by
the optimizer's loss scale before the gradients are taken).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfdl.models._own_loss import OwnLossModel


def bernoulli_log_prob(x, logits):
    """``sum_i log Bernoulli(x_i; sigmoid(logits_i))`` over the last axis, in nats."""
    return ops.sum(x * logits - ops.softplus(logits), axis=-1)


class NegativeLogLikelihoodModel(OwnLossModel, keras.Model):
    """A ``keras.Model`` whose ``train_step`` minimises ``-mean(training_log_prob(x))``
    (plus any layer losses); ``evaluate`` reports ``-mean(log_prob(x))`` as ``loss``.

    Shared by the vector models (MADE, NADE) and the pixel models (PixelCNN,
    PixelRNN); a subclass defines ``log_prob``.
    """

    own_loss = "the mean negative log-likelihood of x, in nats"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def training_log_prob(self, x):
        """The log-likelihood ``[batch]`` maximised during training."""
        return self.log_prob(x)

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            loss = -ops.mean(self.training_log_prob(x))
            if self.losses:
                loss = loss + ops.cast(ops.sum(self.losses), loss.dtype)
            scaled_loss = self.scaled_for_update(loss)
        gradients = tape.gradient(scaled_loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self.loss_tracker.update_state(-ops.mean(self.log_prob(x)))
        return {"loss": self.loss_tracker.result()}


class MaximumLikelihoodModel(NegativeLogLikelihoodModel):
    """A ``keras.Model`` whose ``train_step`` maximises ``training_log_prob(x)``.

    Args:
        seed: int seed of everything random the model draws, its initial
            weights included (None: one drawn
            from NumPy's global generator and stored, so a saved model reloads
            with it). ``sample(num)`` without a seed takes the next seed of a
            generator seeded by it.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = int(np.random.randint(2**31)) if seed is None else int(seed)
        self._sample_seeds = np.random.default_rng(self.seed)

    def _log_likelihood(self, x, logits):
        """``bernoulli_log_prob`` in the variable dtype (float32 under mixed precision)."""
        return bernoulli_log_prob(ops.cast(x, self.dtype), ops.cast(logits, self.dtype))

    def _weight_seeds(self, count):
        """``count`` int seeds for weight initialisers, derived from ``seed`` alone."""
        return [int(s) for s in np.random.SeedSequence(self.seed).generate_state(count) >> 1]

    def _sample_seed(self, seed):
        """``seed``, or the next one from the model's generator when None."""
        return int(self._sample_seeds.integers(2**31)) if seed is None else int(seed)

    def _context(self, context):
        """None for an unconditional model; a context raises ValueError."""
        if context is not None:
            raise ValueError(
                f"Expected no context ({type(self).__name__} is unconditional). "
                f"Received: context.shape={tuple(ops.shape(context))}"
            )
        return None

    def distribution(self, context=None):
        """The model as a ``tfp.distributions.Distribution`` (``tfdl.distributions``).

        Its ``log_prob`` and ``sample(n, seed=...)`` are the model's, with
        ``event_shape [D]``; a context ``[..., conditional_dim]`` (conditional
        MADE) gives ``batch_shape`` its leading dimensions.
        """
        from tfdl.distributions import AutoregressiveModel  # imports TFP on first use

        return AutoregressiveModel(self, context=context)
