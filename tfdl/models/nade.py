"""NADE: the Neural Autoregressive Distribution Estimator for binary vectors.

Larochelle & Murray (2011), AISTATS. With shared weights ``W [D, H]`` and
0-based indices:

    a_0 = c,   a_(i+1) = a_i + x_i W_i,   h_i = sigmoid(a_i),
    p(x_i = 1 | x_<i) = sigmoid(b_i + V_i . h_i)

so ``log p(x)`` costs O(D H) with a ``[batch, H]`` state (the paper's sec. 3).
``nade_logits`` runs that recursion in an XLA-compiled ``tf.while_loop``; its
gradient is the reverse recursion written by hand (``tf.custom_gradient``, as
in the paper's code): from ``i = D - 1`` down to 0 it recovers ``a_i =
a_(i+1) - x_i W_i`` by subtraction and accumulates ``r = sum_(k>i) dL/da_k``,
whence ``dL/dW_i = x_i^T r`` and ``dL/dx_i = r . W_i``. Autodiff of the loop
would store all ``D`` states, and the vectorised exclusive cumulative sum tfdl
used before materialises ``[batch, D, H]`` (157 MB at 784-500, batch 100): both
are bound by memory traffic, where the recursion's state stays in cache.
The recursion trains faster than the cumulative sum; ``make bench``
(``benchmarks/bench_autoregressive.py``) times the two side by side.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfdl import validation
from tfdl.models._maximum_likelihood import MaximumLikelihoodModel


@tf.function(jit_compile=True, reduce_retracing=True)
def _forward(x, W, c, V):
    """Logits without ``b`` ``[batch, D]``, and the last state ``a_D`` ``[batch, H]``.

    Each step updates the state, then reads the updated state (never the
    loop's input), so XLA updates it in place without a copy per step.
    """
    d, xt, n = tf.shape(W)[0], tf.transpose(x), tf.shape(x)[0]

    def step(i, a, logits):  # a = a_i on entry; emits logit i + 1
        a = a + xt[i][:, None] * W[i]
        return i + 1, a, logits.write(i + 1, tf.linalg.matvec(tf.sigmoid(a), V[i + 1]))

    first = tf.broadcast_to(tf.tensordot(tf.sigmoid(c), V[0], 1), [n])
    logits = tf.TensorArray(x.dtype, size=d).write(0, first)
    a = tf.broadcast_to(c, [n, tf.shape(c)[0]])
    _, a, logits = tf.while_loop(lambda i, *_: i < d - 1, step, (0, a, logits))
    return tf.transpose(logits.stack()), a + xt[d - 1][:, None] * W[d - 1]


@tf.function(jit_compile=True, reduce_retracing=True)
def _backward(dlogits, x, W, V, a):
    """Gradients of ``_forward``'s logits for ``x, W, c, V``, from ``a = a_D``.

    Step ``i`` (from ``D - 1`` down to 0) recovers ``a_i``, adds ``dL/da_i`` to
    ``r`` and, from the updated ``r`` (in place, as in ``_forward``), writes
    row ``i`` of ``dx`` and ``dW`` for input ``i - 1``; the rows are shifted
    up at the end, and the last input's are zero (no conditional uses it).
    """
    d, xt, gt = tf.shape(W)[0], tf.transpose(x), tf.transpose(dlogits)

    def step(i, a, r, dx, dW, dV):
        a = a - xt[i][:, None] * W[i]  # a_i
        h = tf.sigmoid(a)
        dV = dV.write(i, tf.linalg.matvec(h, gt[i], transpose_a=True))
        r = r + gt[i][:, None] * V[i] * h * (1 - h)  # sum over k >= i of dL/da_k
        j = tf.maximum(i - 1, 0)  # input i - 1 (row 0 is discarded)
        dx = dx.write(i, tf.linalg.matvec(r, W[j]))
        dW = dW.write(i, tf.linalg.matvec(r, xt[j], transpose_a=True))
        return i - 1, a, r, dx, dW, dV

    arrays = [tf.TensorArray(x.dtype, size=d) for _ in range(3)]
    _, _, r, dx, dW, dV = tf.while_loop(
        lambda i, *_: i >= 0, step, (d - 1, a, tf.zeros_like(a), *arrays)
    )
    def shift_up(rows):  # row i holds input i - 1
        return tf.concat([rows[1:], tf.zeros_like(rows[:1])], 0)

    return tf.transpose(shift_up(dx.stack())), shift_up(dW.stack()), tf.reduce_sum(r, 0), dV.stack()


@tf.custom_gradient
def nade_logits(x, W, c, V):
    """``V_i . sigmoid(c + sum_(j<i) x_j W_j)`` for every ``i``: ``[batch, D]``.

    Args:
        x: ``[batch, D]``; W, V: ``[D, H]``; c: ``[H]``; one float dtype.

    Differentiable in all four by the reverse recursion (first order).
    """
    # stop_gradient: an outer tape would record the loop too, and TensorFlow's own
    # gradient of it (stacks of every state) does not compile with XLA
    logits, a = _forward(*(tf.stop_gradient(t) for t in (x, W, c, V)))
    return logits, lambda dlogits: _backward(dlogits, x, W, V, a)


@keras.saving.register_keras_serializable(package="tfdl")
class NADE(MaximumLikelihoodModel):
    """NADE with sigmoid hidden units and the natural order ``x_1, ..., x_D``.

    Args:
        input_dim: number of binary inputs ``D``.
        hidden_units: hidden size ``H``.
        seed: int seed of the initial ``W`` and ``V`` (Glorot uniform) and of
            ``sample`` without a seed; drawn and stored when None.
        **kwargs: ``keras.Model`` arguments (``name``, ``dtype``).

    Call: ``model(x)`` on ``[batch, D]`` (any numeric dtype, cast to the
    compute dtype) returns the logits of ``p(x_i = 1 | x_<i)``, ``[batch, D]``.
    ``nade.distribution()`` is the model as a ``tfp.distributions.Distribution``.

    Example:

    >>> nade = NADE(input_dim=10, hidden_units=16, seed=0)
    >>> nade.log_prob(np.zeros((2, 10), "float32")).shape
    TensorShape([2])
    """

    def __init__(self, input_dim, hidden_units=500, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.input_dim = validation.positive_int(input_dim, "input_dim")
        self.hidden_units = validation.positive_int(hidden_units, "hidden_units")

    def build(self, input_shape=None):
        d, h = self.input_dim, self.hidden_units
        seed_w, seed_v = self._weight_seeds(2)
        glorot = keras.initializers.GlorotUniform
        self.W = self.add_weight(name="W", shape=(d, h), initializer=glorot(seed_w))
        self.c = self.add_weight(name="c", shape=(h,), initializer="zeros")
        self.V = self.add_weight(name="V", shape=(d, h), initializer=glorot(seed_v))
        self.b = self.add_weight(name="b", shape=(d,), initializer="zeros")

    def call(self, x):
        x = ops.cast(x, self.compute_dtype)
        validation.feature_shape(x, (self.input_dim,))
        # read (and autocast) here: the custom gradient must see tensors, not variables
        W, c, V = (tf.convert_to_tensor(w) for w in (self.W, self.c, self.V))
        return nade_logits(x, W, c, V) + self.b

    def log_prob(self, x):
        """Exact ``log p(x)`` in nats ``[batch]`` (variable dtype); ``x`` binary ``[batch, D]``."""
        x = ops.cast(x, self.compute_dtype)
        validation.feature_shape(x, (self.input_dim,))
        return self.training_log_prob(validation.binary(x))

    def training_log_prob(self, x):
        return self._log_likelihood(x, self(x))

    def sample(self, num, seed=None):
        """Ancestral samples ``[num, D]`` (float 0/1), in one compiled loop.

        Args:
            num: number of samples.
            seed: int for reproducible samples (None: the next seed of a
                generator seeded by the model's ``seed``). The uniforms are
                drawn up front with ``np.random.default_rng(seed)``, so the
                loop is deterministic.
        """
        num = validation.positive_int(num, "num")
        uniforms = np.random.default_rng(self._sample_seed(seed)).random((num, self.input_dim))
        if not self.built:
            self.build()
        samples = self._ancestral_sample(tf.constant(uniforms, dtype=self.dtype))
        return ops.cast(samples, self.compute_dtype)

    @tf.function(reduce_retracing=True)
    def _ancestral_sample(self, uniforms):  # in the variable dtype
        num = tf.shape(uniforms)[0]

        def step(i, a, samples):
            p = tf.sigmoid(tf.linalg.matvec(tf.sigmoid(a), self.V[i]) + self.b[i])
            x_i = tf.cast(uniforms[:, i] < p, a.dtype)
            return i + 1, a + x_i[:, None] * self.W[i], samples.write(i, x_i)

        a = tf.broadcast_to(self.c, [num, self.hidden_units])
        samples = tf.TensorArray(uniforms.dtype, size=self.input_dim)
        _, _, samples = tf.while_loop(lambda i, *_: i < self.input_dim, step, (0, a, samples))
        return tf.transpose(samples.stack())

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "hidden_units": self.hidden_units,
            "seed": self.seed,
        }
