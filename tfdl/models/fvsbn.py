"""FVSBN: the fully visible sigmoid belief network (logistic autoregression).

Frey (1998), Graphical models for machine learning and digital communication;
the baseline of the NADE (Larochelle & Murray 2011) and MADE (Germain et al.
2015) papers' tables. No hidden units: each conditional is a logistic
regression on the inputs before it,

    p(x_i = 1 | x_<i) = sigmoid(b_i + sum_(j<i) W_ji x_j),

which is one ``MaskedDense`` ``D -> D`` whose mask is strictly triangular in
the autoregressive order (MADE's direct connections, alone).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfdl import validation
from tfdl.layers.masked_dense import MaskedDense, autoregressive_order
from tfdl.models._maximum_likelihood import MaximumLikelihoodModel


def strictly_autoregressive_mask(positions):
    """``[D, D]`` mask in kernel layout: input ``j`` feeds output ``i`` iff
    ``positions[j] < positions[i]`` (``positions``: each input's place in the order)."""
    positions = np.asarray(positions)
    return (positions[:, None] < positions[None, :]).astype(np.float32)


@keras.saving.register_keras_serializable(package="tfdl")
class FVSBN(MaximumLikelihoodModel):
    """Fully visible sigmoid belief net over binary vectors.

    Args:
        input_dim: number of binary inputs ``D``.
        order: ``"natural"``, ``"reversed"``, ``"random"`` (drawn from
            ``seed``) or a permutation (``order[i]`` = position of input
            ``i``), as for ``MADE``.
        seed: seed of the order (``"random"``), the initial weights and of
            ``sample`` without a seed; drawn and stored when None.
        l2: weight of the penalty ``l2 * sum(W**2)`` added to the training
            loss (the mean NLL per example), >= 0; with D (D - 1) / 2 weights a
            small training set needs it.
        **kwargs: ``keras.Model`` arguments (``name``, ``dtype``).

    Call: ``model(x)`` on ``[batch, D]`` (any numeric dtype, cast to the
    compute dtype) returns the logits of ``p(x_i = 1 | x_<i)``, ``[batch, D]``.
    ``D (D - 1) / 2`` weights and ``D`` biases are used.

    Example:

    >>> fvsbn = FVSBN(input_dim=6, seed=0)
    >>> fvsbn.log_prob(np.zeros((2, 6), "float32")).shape
    TensorShape([2])
    """

    def __init__(self, input_dim, order="natural", seed=None, l2=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.input_dim = validation.positive_int(input_dim, "input_dim")
        if not (isinstance(l2, (int, float)) and l2 >= 0):
            raise ValueError(f"Expected l2 to be a number >= 0. Received: l2={l2!r}")
        self.l2 = float(l2)
        self.order = order if isinstance(order, str) else [int(p) for p in order]
        self.positions = autoregressive_order(self.input_dim, order, np.random.default_rng(self.seed))
        (weight_seed,) = self._weight_seeds(1)
        self.logits_layer = MaskedDense(
            self.input_dim,
            strictly_autoregressive_mask(self.positions),
            kernel_initializer=keras.initializers.GlorotUniform(weight_seed),
            name="logits",
            dtype=self.dtype_policy,
        )

    def build(self, input_shape=None):
        self.logits_layer.build((None, self.input_dim))

    def call(self, x):
        x = ops.cast(x, self.compute_dtype)
        validation.feature_shape(x, (self.input_dim,))
        return self.logits_layer(x)

    def log_prob(self, x):
        """Exact ``log p(x)`` in nats ``[batch]`` (variable dtype); ``x`` binary ``[batch, D]``."""
        x = ops.cast(x, self.compute_dtype)
        validation.feature_shape(x, (self.input_dim,))
        x = validation.binary(x)
        return self._log_likelihood(x, self(x))

    def compute_losses(self, x, training):
        values = super().compute_losses(x, training)
        if training and self.l2:
            kernel = self.logits_layer.masked_kernel()
            values["loss"] = values["loss"] + ops.cast(self.l2 * ops.sum(ops.square(kernel)), values["loss"].dtype)
        return values

    def sample(self, num, seed=None):
        """Ancestral samples ``[num, D]`` (float 0/1): ``D`` passes in one compiled loop.

        Args:
            num: number of samples.
            seed: int for reproducible samples (None: the next seed of a
                generator seeded by the model's ``seed``); the uniforms are
                drawn up front with ``np.random.default_rng(seed)``.
        """
        num = validation.positive_int(num, "num")
        uniforms = np.random.default_rng(self._sample_seed(seed)).random((num, self.input_dim))
        if not self.built:
            self.build()
        return self._ancestral_sample(tf.constant(uniforms, dtype=self.compute_dtype))

    @tf.function(reduce_retracing=True)
    def _ancestral_sample(self, uniforms):
        positions = tf.constant(self.positions, tf.int32)
        kernel = self.logits_layer.masked_kernel()

        def step(t, x):
            draw = tf.cast(uniforms < tf.sigmoid(self.logits_layer(x, masked_kernel=kernel)), x.dtype)
            return t + 1, tf.where(positions == t, draw, x)

        return tf.while_loop(lambda t, _: t < self.input_dim, step, (tf.constant(0), tf.zeros_like(uniforms)))[1]

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "order": self.order, "seed": self.seed,
                "l2": self.l2}
