"""Training by maximum likelihood for models with ``log_prob`` (MADE, NADE).

``model.fit(x)`` with x alone minimises the mean negative log-likelihood in
nats; ``evaluate`` and validation report it as ``loss``. ``compile`` takes no
``loss`` or ``metrics`` (``tfdl.models.base.OwnLossModel``). Log-likelihoods are summed in the
variable dtype (float32 under ``mixed_float16``, where the loss is scaled by
the optimizer's loss scale before the gradients are taken).
"""

import numpy as np
from keras import ops

from tfdl import validation
from tfdl.models.base import OwnLossModel, bernoulli_log_prob


class NegativeLogLikelihoodModel(OwnLossModel):
    """An ``OwnLossModel`` whose ``fit`` minimises ``-mean(training_log_prob(x))``
    (plus any layer losses); ``evaluate`` reports ``-mean(log_prob(x))`` as ``loss``.

    Shared by the vector models (MADE, NADE) and the pixel models (PixelCNN,
    PixelRNN); a subclass defines ``log_prob``.
    """

    own_loss = "the mean negative log-likelihood of x, in nats"

    def training_log_prob(self, x):
        """The log-likelihood ``[batch]`` maximised during training."""
        return self.log_prob(x)

    def compute_losses(self, x, training):
        if not training:
            return {"loss": -ops.mean(self.log_prob(x))}
        loss = -ops.mean(self.training_log_prob(x))
        if self.losses:
            loss = loss + ops.cast(ops.sum(self.losses), loss.dtype)
        return {"loss": loss}


class MaximumLikelihoodModel(NegativeLogLikelihoodModel):
    """A ``NegativeLogLikelihoodModel`` over binary vectors, with a seed.

    Args:
        seed: int seed of everything random the model draws, its initial
            weights included (None: one drawn
            from NumPy's global generator and stored, so a saved model reloads
            with it). ``sample(num)`` without a seed takes the next seed of a
            generator seeded by it.
    """

    input_values = "binary"

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        seed = validation.seed(seed, allow_none=True)
        self.seed = int(np.random.randint(2**31)) if seed is None else seed
        self._sample_seeds = np.random.default_rng(self.seed)

    def _log_likelihood(self, x, logits):
        """``bernoulli_log_prob`` in the variable dtype (float32 under mixed precision)."""
        return bernoulli_log_prob(ops.cast(x, self.dtype), ops.cast(logits, self.dtype))

    def _weight_seeds(self, count):
        """``count`` int seeds for weight initialisers, derived from ``seed`` alone."""
        return [int(s) for s in np.random.SeedSequence(self.seed).generate_state(count) >> 1]

    def _sample_seed(self, seed):
        """``seed``, or the next one from the model's generator when None."""
        return int(self._sample_seeds.integers(2**31)) if seed is None else validation.seed(seed)

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
