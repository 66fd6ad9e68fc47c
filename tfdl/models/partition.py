"""Partition functions of energy models: exact by enumeration, and annealed importance sampling.

An energy model defines ``p(x) = p*(x) / Z`` through an unnormalised
log-probability ``log p*(x)`` (minus a free energy). Its log partition
function ``log Z = log sum_x p*(x)`` is

* exact, when the states to sum over are few: ``exact_log_partition`` sums
  ``exp(log p*)`` over every binary vector of ``num_units`` units (up to 25:
  33.5 million states), generating the states chunk by chunk so that memory
  stays bounded; an RBM enumerates its smaller layer, with the other
  marginalised in closed form (``rbm_log_partition``, for any Bernoulli RBM
  given by its weights);
* estimated by annealed importance sampling (``ais``; Neal 2001, Salakhutdinov
  & Murray 2008) otherwise. AIS needs a path of distributions
  ``p*_beta`` from a tractable base (``beta = 0``) to the model
  (``beta = 1``), and a Markov transition that leaves each ``p*_beta``
  invariant. A model offers it through five methods (``Annealable``); the RBM
  (``tfdl.models.RBM``) is one.

References:
    Neal (2001), Annealed importance sampling. Salakhutdinov & Murray (2008),
    On the quantitative analysis of deep belief networks.
"""

import collections
import math
from typing import Protocol

import keras
import numpy as np
import tensorflow as tf

from tfdl import validation

MAX_ENUMERATED_UNITS = 25
ENUMERATION_CHUNK = 2**15  # states summed at once by exact_log_partition
AIS_PROGRESS_CHUNKS = 50  # the AIS schedule runs in this many compiled chunks when verbose

AISEstimate = collections.namedtuple("AISEstimate", ["log_z", "lower", "upper"])
AISEstimate.__doc__ = """AIS estimate of log Z: ``log_z`` (first element), and
``lower``/``upper``, log of (mean weight -/+ 3 standard errors)."""


class Annealable(Protocol):
    """What ``ais`` needs of an energy model: a path from a base distribution to it.

    ``base`` is a tensor (or nest of tensors) the model derives once per
    estimate (an RBM's base-rate visible biases) and gets back in every call.
    """

    def annealing_base(self, data=None):
        """The base distribution's parameters, optionally fitted to ``data``."""

    def base_log_partition(self, base):
        """``log Z`` of the base distribution, a float64 scalar."""

    def sample_base(self, base, num, seed):
        """``num`` exact samples of the base distribution (int ``seed``)."""

    def annealed_log_prob(self, x, beta, base):
        """``log p*_beta(x)``, ``[num]``: the base at 0, the model at 1."""

    def annealed_transition(self, x, beta, base, key):
        """One step of a Markov chain that leaves ``p*_beta`` invariant; ``key``:
        an int64 stateless seed ``[2]``."""


def exact_log_partition(
    log_unnormalized, num_units, max_units=MAX_ENUMERATED_UNITS, chunk=ENUMERATION_CHUNK, dtype="float64"
):
    """``log sum_s exp(log_unnormalized(s))`` over all binary ``s`` of ``num_units`` units.

    The ``2**num_units`` states are never held at once: chunk ``k`` holds the
    states of codes ``k * chunk, ...`` (bit ``j`` of a code is unit ``j``), built inside a compiled function, and the chunks'
    log-sum-exps are combined at the end.

    Args:
        log_unnormalized: maps states ``[n, num_units]`` of ``dtype`` to
            ``[n]`` (TensorFlow ops: it is traced once per call).
        num_units: length of the binary vectors summed over.
        max_units: the most units accepted (2**max_units states).
        chunk: states evaluated at once.
        dtype: of the states, hence of ``log_unnormalized``'s arithmetic; the
            log-sum-exps are always float64.

    Returns:
        A float64 scalar tensor.

    Example:

    >>> a = tf.constant([0.3, -1.0], tf.float64)  # independent units: sum softplus(a)
    >>> float(exact_log_partition(lambda s: tf.linalg.matvec(s, a), 2))  # doctest: +ELLIPSIS
    1.1676...
    """
    num_units = validation.positive_int(num_units, "num_units")
    if num_units > max_units:
        raise ValueError(f"Expected num_units <= {max_units}. Received: num_units={num_units}")
    chunk = validation.positive_int(chunk, "chunk")
    bits = tf.range(num_units, dtype=tf.int64)

    @tf.function
    def chunk_log_sum(start, stop):
        codes = tf.range(start, stop, dtype=tf.int64)
        states = tf.cast(tf.bitwise.bitwise_and(tf.bitwise.right_shift(codes[:, None], bits), 1), dtype)
        return tf.reduce_logsumexp(tf.cast(log_unnormalized(states), tf.float64))

    total = 2**num_units
    terms = [
        chunk_log_sum(tf.constant(start, tf.int64), tf.constant(min(start + chunk, total), tf.int64))
        for start in range(0, total, chunk)
    ]
    return terms[0] if len(terms) == 1 else tf.reduce_logsumexp(tf.stack(terms))


def rbm_log_partition(kernel, visible_bias, hidden_bias, max_units=MAX_ENUMERATED_UNITS, dtype="float64"):
    """Exact ``log Z`` of a Bernoulli-Bernoulli RBM given by its weights.

    With energy ``E(v, h) = -v.b - h.c - v^T W h``, the visible units sum out
    in closed form for each hidden state, so

        log Z = logsumexp_h [ c.h + sum_i softplus(b_i + W_i . h) ]

    over the ``2**H`` hidden states (or the same with the layers' roles
    swapped when the visible layer is the smaller one). Any RBM with at most
    ``max_units`` units in one layer: tfdl's ``RBM``, scikit-learn's
    ``BernoulliRBM`` (``components_.T``, ``intercept_visible_``,
    ``intercept_hidden_``), or weights from elsewhere.

    Args:
        kernel: ``W`` ``[V, H]`` (arrays, tensors or variables).
        visible_bias: ``b`` ``[V]``.
        hidden_bias: ``c`` ``[H]``.
        max_units: the most units the smaller layer may have.
        dtype: of the per-state terms: ``"float32"`` is about 2.5 times
            faster on a CPU and agrees to about 1e-3 nats at 23 x 500 units.

    Returns:
        A float64 scalar tensor.

    Example:

    >>> w = np.zeros((3, 2)); b = np.zeros(3); c = np.zeros(2)
    >>> round(float(rbm_log_partition(w, b, c)) / math.log(2.0), 9)  # 2**5 states of energy 0
    5.0
    """
    kernel, b, c = (tf.cast(t, dtype) for t in (kernel, visible_bias, hidden_bias))
    if kernel.shape.rank != 2 or b.shape != (kernel.shape[0],) or c.shape != (kernel.shape[1],):
        raise ValueError(
            "Expected kernel [V, H], visible_bias [V] and hidden_bias [H]. Received: kernel.shape="
            f"{tuple(kernel.shape)}, visible_bias.shape={tuple(b.shape)}, hidden_bias.shape={tuple(c.shape)}"
        )
    if kernel.shape[0] < kernel.shape[1]:  # enumerate the visible layer
        kernel, b, c = tf.transpose(kernel), c, b

    def log_unnormalized(h):  # log sum_v exp(-E(v, h))
        return tf.linalg.matvec(h, c) + tf.reduce_sum(tf.math.softplus(tf.matmul(h, kernel, transpose_b=True) + b), -1)

    return exact_log_partition(log_unnormalized, kernel.shape[1], max_units, dtype=dtype)


def ais_schedule(num_betas):
    """Inverse temperatures 0 = beta_0 < ... < beta_K = 1 for AIS.

    Follows Salakhutdinov & Murray (2008): uniform steps on [0, 0.5], [0.5, 0.9]
    and [0.9, 1] holding 500 : 4000 : 10000 of the points (their 14,500-point
    schedule with steps 1e-3, 1e-4, 1e-5 when ``num_betas=14501``).
    """
    num_betas = validation.positive_int(num_betas, "num_betas")
    if num_betas < 4:
        raise ValueError(f"Expected num_betas >= 4. Received: num_betas={num_betas}")
    n1 = max(1, round((num_betas - 1) * 500 / 14500))
    n2 = max(1, round((num_betas - 1) * 4000 / 14500))
    n3 = max(1, num_betas - 1 - n1 - n2)
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, n1, endpoint=False),
            np.linspace(0.5, 0.9, n2, endpoint=False),
            np.linspace(0.9, 1.0, n3 + 1),
        ]
    ).astype(np.float32)


def ais(model, num_betas=1000, num_runs=100, seed=0, data=None, verbose=0):
    """``log Z`` of an ``Annealable`` model by annealed importance sampling.

    ``num_runs`` chains start from the base distribution and move along
    ``ais_schedule(num_betas)``; each carries the log importance weight
    ``sum_k log p*_k(x_k) - log p*_(k-1)(x_k)``, and ``log Z`` is
    ``log Z_base + log mean(weights)``.

    Args:
        model: an ``Annealable`` energy model.
        num_betas: inverse temperatures of the schedule.
        num_runs: AIS chains.
        seed: int seed of the base samples and of every transition.
        data: passed to ``model.annealing_base``.
        verbose: 1 shows a progress bar over the temperatures (the schedule
            then runs in chunks; the estimate is the same).

    Returns:
        An ``AISEstimate`` ``(log_z, lower, upper)`` of float64 scalars.
    """
    num_betas = validation.positive_int(num_betas, "num_betas")
    num_runs = validation.positive_int(num_runs, "num_runs")
    base = model.annealing_base(data)
    betas = ais_schedule(num_betas)
    x = model.sample_base(base, num_runs, seed)
    log_w = tf.zeros([num_runs], x.dtype)
    # Chunks of the schedule overlap by one temperature; 1 chunk when silent.
    ends = np.unique(np.linspace(0, num_betas - 1, (AIS_PROGRESS_CHUNKS if verbose else 1) + 1).round().astype(int))
    progress = keras.utils.Progbar(num_betas - 1, verbose=verbose, unit_name="temperature")
    for start, end in zip(ends[:-1], ends[1:]):
        x, log_w = _anneal(
            model, x, log_w, tf.constant(betas[start : end + 1]), tf.constant(int(start)), base, tf.constant(seed, tf.int64)
        )
        progress.update(int(end))
    log_w = tf.cast(log_w, tf.float64)
    log_mean = tf.reduce_logsumexp(log_w) - math.log(num_runs)
    top = tf.reduce_max(log_w)
    std = tf.math.reduce_std(tf.exp(log_w - top)) / math.sqrt(num_runs)
    mean = tf.exp(log_mean - top)
    lower = tf.math.log(tf.maximum(mean - 3 * std, 0.0)) + top
    upper = tf.math.log(mean + 3 * std) + top
    log_z_base = model.base_log_partition(base)
    return AISEstimate(log_z_base + log_mean, log_z_base + lower, log_z_base + upper)


@tf.function(reduce_retracing=True)
def _anneal(model, x, log_w, betas, offset, base, seed):
    """Adds ``log p*_k(x_k) - log p*_(k-1)(x_k)`` for ``betas[1:]`` (schedule
    steps ``offset + 1, ...``) to ``log_w``, moving the chains ``x``."""
    betas = tf.cast(betas, x.dtype)
    for i in tf.range(1, tf.shape(betas)[0]):
        beta, previous = betas[i], betas[i - 1]
        log_w += model.annealed_log_prob(x, beta, base) - model.annealed_log_prob(x, previous, base)
        key = tf.stack([seed, tf.cast(offset + i, tf.int64)])
        x = model.annealed_transition(x, beta, base, key)
    return x, log_w
