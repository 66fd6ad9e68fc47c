"""Partition functions of energy models: exact by enumeration, and annealed importance sampling.

An energy model defines ``p(x) = p*(x) / Z`` through an unnormalised
log-probability ``log p*(x)`` (minus a free energy). Its log partition
function ``log Z = log sum_x p*(x)`` is

* exact, when the states to sum over are few: ``exact_log_partition`` sums
  ``exp(log p*)`` over every binary vector of ``num_units`` units, in chunks
  so that memory stays bounded; an RBM enumerates its smaller layer, with the
  other marginalised in closed form;
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

MAX_ENUMERATED_UNITS = 20
ENUMERATION_CHUNK = 2**16  # states summed at once by exact_log_partition
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


def binary_states(n):
    """All 2**n binary vectors of length n, ``[2**n, n]`` float32 (bit j of row i is unit j)."""
    codes = np.arange(2**n)[:, None]
    return ((codes >> np.arange(n)[None, :]) & 1).astype(np.float32)


def exact_log_partition(log_unnormalized, num_units, max_units=MAX_ENUMERATED_UNITS, chunk=ENUMERATION_CHUNK):
    """``log sum_s exp(log_unnormalized(s))`` over all binary ``s`` of ``num_units`` units.

    Args:
        log_unnormalized: maps float64 states ``[n, num_units]`` to ``[n]``.
        num_units: length of the binary vectors summed over.
        max_units: the most units accepted (2**max_units states).
        chunk: states evaluated at once.

    Returns:
        A float64 scalar tensor.
    """
    num_units = validation.positive_int(num_units, "num_units")
    if num_units > max_units:
        raise ValueError(f"Expected num_units <= {max_units}. Received: num_units={num_units}")
    states = binary_states(num_units)
    terms = [
        tf.reduce_logsumexp(log_unnormalized(tf.constant(states[i : i + chunk], tf.float64)))
        for i in range(0, len(states), chunk)
    ]
    return terms[0] if len(terms) == 1 else tf.reduce_logsumexp(tf.stack(terms))


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
