"""tfdl.models.partition on an energy model that is not an RBM: a fully visible
Boltzmann machine (an Ising model on binary units), whose log Z is summed by brute force."""

import itertools

import numpy as np
import pytest
import tensorflow as tf

from tfdl.models import partition


class BoltzmannMachine:
    """``log p*(x) = x.b + x^T W x / 2`` (W symmetric, zero diagonal); an ``Annealable``
    whose path runs from independent units with biases ``b`` (beta = 0) to it (beta = 1)."""

    def __init__(self, num_units, seed=0):
        rng = np.random.default_rng(seed)
        w = np.triu(rng.normal(scale=0.5, size=(num_units, num_units)), 1)
        self.weights = tf.constant(w + w.T, tf.float32)
        self.bias = tf.constant(rng.normal(size=num_units), tf.float32)
        self.num_units = num_units

    def log_unnormalized(self, x):
        x = tf.cast(x, tf.float32)
        return tf.linalg.matvec(x, self.bias) + 0.5 * tf.reduce_sum(x * tf.matmul(x, self.weights), -1)

    def annealing_base(self, data=None):
        return self.bias

    def base_log_partition(self, base):
        return tf.reduce_sum(tf.math.softplus(tf.cast(base, tf.float64)))

    def sample_base(self, base, num, seed):
        uniform = tf.random.stateless_uniform([num, self.num_units], seed=[seed, 0])
        return tf.cast(uniform < tf.sigmoid(base), tf.float32)

    def annealed_log_prob(self, x, beta, base):
        return tf.linalg.matvec(x, base) + beta * 0.5 * tf.reduce_sum(x * tf.matmul(x, self.weights), -1)

    def annealed_transition(self, x, beta, base, key):
        """A sweep of single-unit Gibbs updates, unit by unit."""
        uniform = tf.random.stateless_uniform(tf.shape(x), seed=key)
        for i in range(self.num_units):
            logit = base[i] + beta * tf.linalg.matvec(x, self.weights[i])
            x_i = tf.cast(uniform[:, i] < tf.sigmoid(logit), x.dtype)
            x = tf.concat([x[:, :i], x_i[:, None], x[:, i + 1 :]], 1)
        return x


def _brute_force(model):
    states = np.array(list(itertools.product([0, 1], repeat=model.num_units)), np.float32)
    return float(tf.reduce_logsumexp(tf.cast(model.log_unnormalized(states), tf.float64)))


def test_exact_log_partition_sums_every_state_in_chunks():
    model = BoltzmannMachine(7)

    def log_unnormalized(x):
        return tf.cast(model.log_unnormalized(x), tf.float64)

    whole = partition.exact_log_partition(log_unnormalized, 7)
    chunked = partition.exact_log_partition(log_unnormalized, 7, chunk=10)  # 13 chunks, the last short
    np.testing.assert_allclose(float(whole), _brute_force(model), rtol=1e-6)
    np.testing.assert_allclose(float(chunked), float(whole), rtol=1e-12)
    # independent units: log Z = sum softplus(a)
    a = np.array([0.3, -1.0, 2.0])
    independent = partition.exact_log_partition(lambda x: tf.linalg.matvec(x, tf.constant(a)), 3)
    np.testing.assert_allclose(float(independent), np.logaddexp(0, a).sum(), rtol=1e-12)


def test_exact_log_partition_refuses_too_many_units():
    with pytest.raises(ValueError, match="num_units=26"):
        partition.exact_log_partition(lambda x: x[:, 0], 26)
    with pytest.raises(ValueError, match="num_units=0"):
        partition.exact_log_partition(lambda x: x[:, 0], 0)


def test_ais_estimates_the_log_partition_of_any_annealable_model():
    model = BoltzmannMachine(8, seed=1)
    estimate = partition.ais(model, num_betas=300, num_runs=200, seed=0)
    exact = _brute_force(model)
    assert abs(float(estimate.log_z) - exact) < 0.05
    assert float(estimate.lower) <= float(estimate.log_z) <= float(estimate.upper)
    again = partition.ais(model, num_betas=300, num_runs=200, seed=0)
    assert float(again.log_z) == float(estimate.log_z)  # seeded


def _rbm_brute_force(w, b, c):
    """``log Z = logsumexp_v [v.b + sum_j softplus(c_j + v.W_j)]`` over every visible state."""
    v = np.array(list(itertools.product([0, 1], repeat=len(b))), np.float64)
    return np.logaddexp.reduce(v @ b + np.logaddexp(0, v @ w + c).sum(-1))


@pytest.mark.parametrize("shape", [(9, 4), (4, 9)])  # hidden enumerated; visible enumerated
def test_rbm_log_partition_equals_brute_force_over_visible_states(shape):
    rng = np.random.default_rng(3)
    w, b, c = rng.normal(size=shape), rng.normal(size=shape[0]), rng.normal(size=shape[1])
    np.testing.assert_allclose(float(partition.rbm_log_partition(w, b, c)), _rbm_brute_force(w, b, c), rtol=1e-12)
    np.testing.assert_allclose(
        float(partition.rbm_log_partition(w, b, c, dtype="float32")), _rbm_brute_force(w, b, c), rtol=1e-6
    )


def test_rbm_log_partition_enumerates_many_chunks_of_a_wide_rbm():
    """18 hidden units (8 chunks of 2**15 states) against 180 visible: float32 and
    float64 agree, and an RBM whose weights only touch one hidden unit factorises."""
    rng = np.random.default_rng(4)
    w, b, c = rng.normal(scale=0.1, size=(180, 18)), rng.normal(size=180), rng.normal(size=18)
    wide = float(partition.rbm_log_partition(w, b, c))
    assert abs(float(partition.rbm_log_partition(w, b, c, dtype="float32")) - wide) < 1e-3
    w_one = np.zeros_like(w)
    w_one[:, 17] = w[:, 17]  # the last unit: bit 17, set only in the upper half of the codes
    by_hand = np.logaddexp(np.logaddexp(0, b).sum(), c[17] + np.logaddexp(0, b + w[:, 17]).sum())
    by_hand += np.logaddexp(0, c[:17]).sum()
    np.testing.assert_allclose(float(partition.rbm_log_partition(w_one, b, c)), by_hand, rtol=1e-12)


def test_rbm_log_partition_checks_shapes_and_size():
    with pytest.raises(ValueError, match=r"hidden_bias \[H\].*hidden_bias.shape=\(3,\)"):
        partition.rbm_log_partition(np.zeros((4, 2)), np.zeros(4), np.zeros(3))
    with pytest.raises(ValueError, match="num_units=26"):
        partition.rbm_log_partition(np.zeros((30, 26)), np.zeros(30), np.zeros(26))
