"""FVSBN: strictly autoregressive masks (by gradients), the density by hand, sampling, saving."""

import itertools

import numpy as np
import pytest
import tensorflow as tf

from tfdl.models import FVSBN
from tfdl.models.fvsbn import strictly_autoregressive_mask


@pytest.mark.parametrize("order", ["natural", "reversed", "random", [2, 0, 3, 1, 4]])
def test_each_logit_depends_exactly_on_the_inputs_before_it(order):
    model = FVSBN(5, order=order, seed=1)
    x = tf.constant(np.random.default_rng(0).normal(size=(3, 5)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = model(x)
    jac = tape.batch_jacobian(logits, x).numpy()  # [batch, output i, input j]
    positions = model.positions
    before = positions[None, :] < positions[:, None]  # [i, j]: j comes before i
    assert np.all(jac[:, ~before] == 0)
    assert np.all(jac[:, before] != 0)  # Glorot weights: every allowed connection is used
    assert sorted(positions.tolist()) == list(range(5))


def test_mask_is_strictly_triangular_in_the_order():
    np.testing.assert_array_equal(strictly_autoregressive_mask([0, 1, 2]), [[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    np.testing.assert_array_equal(strictly_autoregressive_mask([2, 0, 1]), [[0, 0, 0], [1, 0, 1], [1, 0, 0]])


def test_log_prob_by_hand_and_normalised():
    model = FVSBN(3, seed=0)
    model.build()
    layer = model.logits_layer
    w, b = layer.kernel.numpy() * layer.kernel_mask, layer.bias.numpy() + np.array([0.3, -0.2, 0.1], "float32")
    layer.bias.assign(b)
    x = np.array([[1, 0, 1]], "float32")
    p0 = 1 / (1 + np.exp(-b[0]))
    p1 = 1 / (1 + np.exp(-(b[1] + w[0, 1])))
    p2 = 1 / (1 + np.exp(-(b[2] + w[0, 2])))
    np.testing.assert_allclose(model.log_prob(x), [np.log(p0) + np.log(1 - p1) + np.log(p2)], rtol=1e-5)
    everything = np.array(list(itertools.product([0, 1], repeat=3)), "float32")
    np.testing.assert_allclose(np.exp(model.log_prob(everything).numpy()).sum(), 1.0, rtol=1e-5)


def test_fit_sample_and_keras_round_trip(roundtrip):
    rng = np.random.default_rng(0)
    first = (rng.random((400, 1)) < 0.5).astype("float32")
    x = np.concatenate([first, first, 1 - first, (rng.random((400, 1)) < 0.2)], 1).astype("float32")
    model = FVSBN(4, order="random", seed=2)
    model.compile(optimizer="adam")
    losses = model.fit(x, epochs=60, batch_size=100, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    samples = model.sample(2000, seed=0).numpy()
    assert set(np.unique(samples).tolist()) <= {0.0, 1.0}
    np.testing.assert_array_equal(samples, model.sample(2000, seed=0))
    everything = np.array(list(itertools.product([0, 1], repeat=4)), "float32")
    frequencies = [(samples == state).all(1).mean() for state in everything]
    np.testing.assert_allclose(frequencies, np.exp(model.log_prob(everything).numpy()), atol=0.03)
    loaded = roundtrip(model)
    assert loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(loaded.log_prob(x), model.log_prob(x))
    np.testing.assert_array_equal(loaded.sample(5, seed=1), model.sample(5, seed=1))


def test_errors():
    model = FVSBN(4, seed=0)
    with pytest.raises(ValueError, match=r"Received: x.shape=\(2, 5\)"):
        model(np.zeros((2, 5), "float32"))
    with pytest.raises(ValueError, match="binary"):
        model.log_prob(np.full((2, 4), 0.5, "float32"))
    with pytest.raises(ValueError, match="input_dim=0"):
        FVSBN(0)
    with pytest.raises(ValueError, match="permutation of 0..3"):
        FVSBN(4, order=[0, 0, 1, 2])
    with pytest.raises(ValueError, match="l2=-1"):
        FVSBN(4, l2=-1)


def test_l2_penalty_is_added_to_the_training_loss_only():
    model = FVSBN(4, seed=0, l2=0.5)
    x = tf.constant([[1, 0, 1, 1], [0, 0, 1, 0]], "float32")
    model.build()
    w = model.logits_layer.kernel.numpy() * model.logits_layer.kernel_mask
    nll = -float(np.mean(model.log_prob(x)))
    np.testing.assert_allclose(float(model.compute_losses(x, training=True)["loss"]), nll + 0.5 * (w**2).sum(),
                               rtol=1e-5)
    np.testing.assert_allclose(float(model.compute_losses(x, training=False)["loss"]), nll, rtol=1e-6)
