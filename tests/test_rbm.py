import itertools
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdl import data
from tfdl.models import RBM
from tfdl.models.rbm import ais_schedule


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _random_rbm(n_visible, hidden_units, scale=1.0, seed=0, **kwargs):
    rng = np.random.default_rng(seed)
    rbm = RBM(hidden_units, seed=seed, **kwargs)
    rbm.build((None, n_visible))
    rbm.kernel.assign(scale * rng.normal(size=(n_visible, hidden_units)))
    rbm.visible_bias.assign(scale * rng.normal(size=n_visible))
    rbm.hidden_bias.assign(scale * rng.normal(size=hidden_units))
    return rbm


def _params(rbm):
    return [np.asarray(w.numpy(), np.float64) for w in (rbm.kernel, rbm.visible_bias, rbm.hidden_bias)]


def _brute_force_log_z(rbm):
    w, b, c = _params(rbm)
    energies = [
        np.array(v) @ b + np.array(h) @ c + np.array(v) @ w @ np.array(h)
        for v in itertools.product([0, 1], repeat=w.shape[0])
        for h in itertools.product([0, 1], repeat=w.shape[1])
    ]
    return np.logaddexp.reduce(energies)


@pytest.mark.parametrize("shape", [(6, 4), (3, 5)])
def test_exact_log_partition_equals_brute_force(shape):
    rbm = _random_rbm(*shape)
    np.testing.assert_allclose(rbm.log_partition("exact").numpy(), _brute_force_log_z(rbm), rtol=1e-10)


def test_log_prob_sums_to_one_and_free_energy_marginalizes():
    rbm = _random_rbm(6, 4)
    states = np.array(list(itertools.product([0, 1], repeat=6)), np.float32)
    np.testing.assert_allclose(np.exp(rbm.log_prob(states).numpy()).sum(), 1.0, rtol=1e-5)
    w, b, c = _params(rbm)
    v = states[5].astype(np.float64)
    by_hand = -np.logaddexp.reduce(
        [v @ b + np.array(h) @ c + v @ w @ np.array(h) for h in itertools.product([0, 1], repeat=4)]
    )
    np.testing.assert_allclose(rbm.free_energy(states[5:6]).numpy()[0], by_hand, rtol=1e-5)


def test_gaussian_log_partition_matches_numerical_integral():
    rbm = _random_rbm(1, 3, visible="gaussian")
    w, b, c = _params(rbm)
    grid = np.linspace(-30, 30, 200001)
    total = sum(
        np.exp(np.array(h) @ c) * np.trapezoid(np.exp(-0.5 * (grid - b[0]) ** 2 + grid * (w[0] @ np.array(h))), grid)
        for h in itertools.product([0, 1], repeat=3)
    )
    np.testing.assert_allclose(rbm.log_partition("exact").numpy(), np.log(total), rtol=1e-6)
    ais = rbm.log_partition("ais", num_betas=500, num_runs=200, seed=0)
    assert abs(float(ais[0]) - np.log(total)) < 0.1


def test_ais_matches_exact_log_partition():
    rbm = _random_rbm(20, 10, scale=0.5)
    data = (np.random.default_rng(1).random((200, 20)) < 0.4).astype(np.float32)
    estimate = rbm.log_partition("ais", num_betas=1000, num_runs=100, seed=0, data=data)
    exact = float(rbm.log_partition("exact"))
    assert abs(float(estimate.log_z) - exact) < 0.1
    assert float(estimate[0]) == float(estimate.log_z)
    assert float(estimate.lower) <= float(estimate.log_z) <= float(estimate.upper)


def test_ais_schedule_follows_the_paper():
    betas = ais_schedule(14501)
    assert betas[0] == 0.0 and betas[-1] == 1.0 and len(betas) == 14501
    np.testing.assert_allclose(np.diff(betas)[[0, 600, 14000]], [1e-3, 1e-4, 1e-5], rtol=1e-2)


def _fixed_noise(rbm, values):
    """Replaces the training noise by successive arrays from ``values``."""
    queue = iter(values)
    rbm._uniform = lambda shape: tf.constant(next(queue), rbm.compute_dtype)


def _free_energy_by_hand(v, w, b, c):
    return -v @ b - np.logaddexp(0, v @ w + c).sum(-1)


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-5), ("float64", 1e-12)])
def test_one_cd1_step_equals_hand_computed_update_and_loss(dtype, rtol):
    rbm = _random_rbm(3, 2, scale=0.5, dtype=dtype)
    w, b, c = _params(rbm)
    v = np.array([[1, 0, 1], [0, 1, 1]], np.float32)
    noise_h = np.array([[0.3, 0.7], [0.6, 0.2]])
    noise_v = np.array([[0.5, 0.1, 0.9], [0.4, 0.8, 0.3]])
    _fixed_noise(rbm, [noise_h, noise_v])
    rbm.compile(optimizer=keras.optimizers.SGD(0.125))  # exact in float32
    logs = rbm.train_step(tf.constant(v))

    ph = _sigmoid(v @ w + c)
    h = (noise_h < ph).astype(float)
    v1 = (noise_v < _sigmoid(h @ w.T + b)).astype(float)
    ph1 = _sigmoid(v1 @ w + c)
    expected = [
        w + 0.125 * (v.T @ ph - v1.T @ ph1) / 2,
        b + 0.125 * (v - v1).mean(0),
        c + 0.125 * (ph - ph1).mean(0),
    ]
    assert rbm.kernel.dtype == dtype
    for got, want in zip(_params(rbm), expected):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol / 10)
    # The loss CD descends: mean F(data) - mean F(chain end), chain fixed.
    loss = _free_energy_by_hand(v, w, b, c).mean() - _free_energy_by_hand(v1, w, b, c).mean()
    np.testing.assert_allclose(float(logs["loss"]), loss, rtol=1e-5)


def test_pcd_chains_persist_across_steps():
    rbm = _random_rbm(3, 2, scale=0.5, persistent=True, num_chains=2)
    start = np.array([[1, 0], [0, 1]], np.float32)
    rbm.chains.assign(start)
    noise = [np.array([[0.5, 0.1, 0.9], [0.4, 0.8, 0.3]]), np.array([[0.3, 0.7], [0.6, 0.2]])] * 2
    _fixed_noise(rbm, noise)
    rbm.compile(optimizer=keras.optimizers.SGD(0.0))
    data = tf.constant([[1, 0, 1]], tf.float32)
    w, b, c = _params(rbm)
    hidden = start
    for step in range(2):
        rbm.train_step(data)
        visible = (noise[0] < _sigmoid(hidden @ w.T + b)).astype(float)
        hidden = (noise[1] < _sigmoid(visible @ w + c)).astype(float)
        np.testing.assert_array_equal(rbm.chains.numpy(), hidden)


def test_one_pcd1_step_equals_hand_computed_update():
    rbm = _random_rbm(3, 2, scale=0.5, persistent=True, num_chains=3)
    w, b, c = _params(rbm)
    h0 = np.array([[1, 0], [0, 1], [1, 1]], np.float32)
    rbm.chains.assign(h0)
    noise_v = np.array([[0.5, 0.1, 0.9], [0.4, 0.8, 0.3], [0.2, 0.6, 0.7]])
    _fixed_noise(rbm, [noise_v, np.full((3, 2), 0.5)])
    rbm.compile(optimizer=keras.optimizers.SGD(0.1))
    v = np.array([[1, 0, 1], [0, 1, 1]], np.float32)
    logs = rbm.train_step(tf.constant(v))

    v1 = (noise_v < _sigmoid(h0 @ w.T + b)).astype(float)
    loss = _free_energy_by_hand(v, w, b, c).mean() - _free_energy_by_hand(v1, w, b, c).mean()
    np.testing.assert_allclose(float(logs["loss"]), loss, rtol=1e-5)
    ph, ph1 = _sigmoid(v @ w + c), _sigmoid(v1 @ w + c)
    expected = [
        w + 0.1 * (v.T @ ph / 2 - v1.T @ ph1 / 3),
        b + 0.1 * (v.mean(0) - v1.mean(0)),
        c + 0.1 * (ph.mean(0) - ph1.mean(0)),
    ]
    for got, want in zip(_params(rbm), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_gaussian_loss_is_the_free_energy_difference_by_hand():
    rbm = _random_rbm(3, 2, scale=0.5, visible="gaussian")
    w, b, c = _params(rbm)
    v = np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]], np.float32)
    noise_h, noise_v = np.array([[0.3, 0.7], [0.6, 0.2]]), np.array([[0.5, -0.1, 0.9], [-0.4, 0.8, 0.3]])
    _fixed_noise(rbm, [noise_h])
    rbm._visible_noise = lambda batch: tf.constant(noise_v, rbm.compute_dtype)
    rbm.compile(optimizer=keras.optimizers.SGD(0.0))
    logs = rbm.train_step(tf.constant(v))

    h = (noise_h < _sigmoid(v @ w + c)).astype(float)
    v1 = h @ w.T + b + noise_v

    def free_energy(x):
        return 0.5 * ((x - b) ** 2).sum(-1) - np.logaddexp(0, x @ w + c).sum(-1)

    np.testing.assert_allclose(float(logs["loss"]), free_energy(v).mean() - free_energy(v1).mean(), rtol=1e-5)


def test_pseudo_likelihood_is_normalised_and_matches_brute_force():
    rbm = _random_rbm(6, 4)
    states = np.array(list(itertools.product([0, 1], repeat=6)), np.float32)
    p = np.exp(rbm.log_prob(states).numpy())
    index = {tuple(s): i for i, s in enumerate(states.astype(int))}
    v = states[[3, 42, 60]]
    expected = []
    for row in v.astype(int):
        total = 0.0
        for i in range(6):
            flipped = row.copy()
            flipped[i] = 1 - flipped[i]
            total += np.log(p[index[tuple(row)]] / (p[index[tuple(row)]] + p[index[tuple(flipped)]]))
        expected.append(total)
    np.testing.assert_allclose(rbm.pseudo_log_likelihood(v).numpy(), expected, rtol=1e-5)
    # p(v_i = 1 | v_-i) + p(v_i = 0 | v_-i) = 1 for every unit.
    hidden_pre = tf.matmul(v, rbm.kernel) + rbm.hidden_bias
    for i in range(6):
        unit = tf.fill([3], i)
        flipped = v.copy()
        flipped[:, i] = 1 - flipped[:, i]
        flipped_pre = tf.matmul(flipped, rbm.kernel) + rbm.hidden_bias
        total = np.exp(rbm._log_conditional(v, hidden_pre, rbm.free_energy(v), unit)) + np.exp(
            rbm._log_conditional(flipped, flipped_pre, rbm.free_energy(flipped), unit)
        )
        np.testing.assert_allclose(total, 1.0, rtol=1e-5)


def _first_update(strategy, x):
    with strategy.scope():
        rbm = _random_rbm(5, 3, scale=0.5)
        rbm._uniform = lambda shape: tf.fill(shape, 0.5)  # deterministic on every replica
        rbm.compile(optimizer=keras.optimizers.SGD(0.5))
    rbm.fit(x, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    return _params(rbm)


def test_mirrored_strategy_gives_the_same_first_update(mirrored):
    x = (np.random.default_rng(3).random((8, 5)) < 0.5).astype(np.float32)
    devices = [d.name for d in tf.config.list_logical_devices("CPU")][:2]
    assert len(devices) == 2
    one = _first_update(tf.distribute.OneDeviceStrategy(devices[0]), x)
    two = _first_update(mirrored, x)
    assert not np.allclose(one[0], _params(_random_rbm(5, 3, scale=0.5))[0])
    for a, b in zip(one, two):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_training_raises_exact_log_likelihood_and_is_seeded():
    rng = np.random.default_rng(0)
    prototypes = (rng.random((2, 12)) < 0.5).astype(np.float32)
    x = prototypes[rng.integers(0, 2, 400)]
    x = np.abs(x - (rng.random(x.shape) < 0.05)).astype(np.float32)

    def train(**kwargs):
        rbm = RBM(8, seed=1, **kwargs)
        rbm.compile(optimizer=keras.optimizers.SGD(0.1))
        history = rbm.fit(x, epochs=10, batch_size=20, shuffle=False, verbose=0)
        return rbm, history

    rbm, history = train()
    before = RBM(8, seed=1)
    before.build((None, 12))
    assert rbm.log_prob(x).numpy().mean() > before.log_prob(x).numpy().mean() + 2.0
    assert history.history["reconstruction"][-1] < history.history["reconstruction"][0]
    np.testing.assert_array_equal(train()[0].kernel.numpy(), rbm.kernel.numpy())
    pcd, _ = train(persistent=True, k=2)
    assert pcd.log_prob(x).numpy().mean() > before.log_prob(x).numpy().mean() + 2.0
    assert rbm.sample(5, steps=20, seed=0).shape == (5, 12)
    np.testing.assert_array_equal(rbm.gibbs(x[:4], 3, seed=2), rbm.gibbs(x[:4], 3, seed=2))


def test_gaussian_rbm_trains_on_real_data():
    x = np.random.default_rng(0).normal(size=(200, 6)).astype(np.float32)
    rbm = RBM(3, visible="gaussian", seed=0)
    rbm.compile(optimizer=keras.optimizers.SGD(0.01))
    history = rbm.fit(x, epochs=2, batch_size=50, verbose=0)
    assert np.isfinite(history.history["reconstruction"]).all()
    assert np.isfinite(rbm.log_prob(x).numpy()).all()


def test_keras_round_trip(roundtrip):
    x = (np.random.default_rng(0).random((40, 7)) < 0.5).astype(np.float32)
    rbm = RBM(5, k=2, persistent=True, num_chains=10, seed=3)
    rbm.compile(optimizer="adam")
    rbm.fit(x, epochs=1, batch_size=20, verbose=0)
    loaded = roundtrip(rbm)
    assert loaded.get_config() == rbm.get_config()
    np.testing.assert_array_equal(loaded.free_energy(x), rbm.free_energy(x))
    np.testing.assert_array_equal(loaded.transform(x), rbm.transform(x))
    np.testing.assert_array_equal(loaded.chains.numpy(), rbm.chains.numpy())
    for saved, restored in zip(rbm.optimizer.variables, loaded.optimizer.variables):  # training resumes
        np.testing.assert_array_equal(restored.numpy(), saved.numpy())


def test_n_hidden_is_a_deprecated_spelling_of_hidden_units():
    with pytest.warns(DeprecationWarning, match="n_hidden= is deprecated; use hidden_units="):
        old = RBM(n_hidden=5, seed=0, name="rbm")
    new = RBM(hidden_units=5, seed=0, name="rbm")
    assert old.get_config() == new.get_config()
    assert "hidden_units" in new.get_config() and "n_hidden" not in new.get_config()
    with pytest.warns(DeprecationWarning, match="RBM.n_hidden is deprecated"):
        assert old.n_hidden == 5
    with pytest.raises(ValueError, match="not both"):
        RBM(hidden_units=5, n_hidden=4)
    old_config = {**new.get_config(), "n_hidden": 5}
    del old_config["hidden_units"]
    with warnings.catch_warnings():  # a config saved with the old name loads silently
        warnings.simplefilter("error", DeprecationWarning)
        assert RBM.from_config(old_config).get_config() == new.get_config()


def test_bad_input_raises_value_error():
    rbm = RBM(4, seed=0)
    rbm.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="binary"):
        rbm.fit(np.full((10, 6), 0.5, np.float32), verbose=0)
    rbm.fit(np.ones((10, 6), np.float32), verbose=0)
    with pytest.raises(ValueError, match="shape"):
        rbm.fit(np.ones((10, 5), np.float32), verbose=0)
    with pytest.raises(ValueError, match="shape"):
        rbm.free_energy(np.ones((2, 5), np.float32))
    with pytest.raises(ValueError, match="binary"):
        rbm.log_prob(np.full((2, 6), 0.3, np.float32))
    with pytest.raises(ValueError, match="hidden_units=0"):
        RBM(0)
    with pytest.raises(ValueError, match="visible="):
        RBM(3, visible="poisson")
    big = RBM(26)
    big.build((None, 30))
    with pytest.raises(ValueError, match="ais"):
        big.log_partition("exact")


def test_monitor_selects_the_fit_metrics():
    x = (np.random.default_rng(0).random((40, 6)) < 0.5).astype(np.float32)
    rbm = RBM(3, seed=0, monitor=("free_energy",))
    rbm.compile(optimizer="sgd")
    history = rbm.fit(x, epochs=1, batch_size=20, verbose=0).history
    assert set(history) == {"loss", "free_energy"}
    np.testing.assert_allclose(history["free_energy"][0], rbm.free_energy(x[20:]).numpy().mean(), rtol=0.2)
    silent = RBM(3, seed=0, monitor=())
    silent.compile(optimizer="sgd")
    assert set(silent.fit(x, epochs=1, batch_size=20, verbose=0).history) == {"loss"}
    with pytest.raises(ValueError, match="monitor"):
        RBM(3, visible="gaussian", monitor=("pseudo_ll",))


def test_datasets_are_checked_batch_by_batch():
    rbm = RBM(3, seed=0)
    rbm.compile(optimizer="sgd")
    rbm.fit(np.ones((10, 6), np.float32), verbose=0)  # arrays are checked eagerly
    bad = tf.data.Dataset.from_tensor_slices(np.full((10, 6), 0.5, np.float32)).batch(5)
    with pytest.raises(ValueError, match=r"binary values \(0 or 1\) in x. Received: x\[0, 0\]=0.5 in a batch"):
        rbm.fit(bad, shuffle=False, verbose=0)  # the step's assertion, raised by fit as a ValueError


def test_a_failing_batch_is_not_trained_on_and_evaluating_leaves_the_training_noise():
    x = _binary(20, 6, seed=4)

    def model():
        rbm = RBM(3, seed=0)
        rbm.compile(optimizer=keras.optimizers.SGD(0.5), steps_per_execution=2)
        return rbm

    def batches(data):
        return tf.data.Dataset.from_tensor_slices(data).batch(10)

    failed, first, both = model(), model(), model()
    with pytest.raises(ValueError, match=r"x\[0, 0\]=0.5 in a batch"):
        failed.fit(batches(np.concatenate([x[:10], np.full((10, 6), 0.5, np.float32)])), verbose=0)
    first.fit(batches(x[:10]), verbose=0)
    both.fit(batches(x), verbose=0)
    np.testing.assert_array_equal(failed.kernel.numpy(), first.kernel.numpy())  # the failed step changed nothing
    assert not np.array_equal(both.kernel.numpy(), first.kernel.numpy())
    validated, plain = model(), model()
    validated.fit(x, epochs=2, batch_size=10, validation_data=x, verbose=0)
    plain.fit(x, epochs=2, batch_size=10, verbose=0)
    np.testing.assert_array_equal(validated.kernel.numpy(), plain.kernel.numpy())


def _binary(n, d, seed=0):
    return (np.random.default_rng(seed).random((n, d)) < 0.5).astype(np.float32)


def _first_update_with_constant_noise(x, jit_compile=False, **kwargs):
    rbm = _random_rbm(x.shape[1], 3, scale=0.5, **kwargs)
    rbm._uniform = lambda shape: tf.fill(shape, tf.constant(0.5, rbm.compute_dtype))
    rbm.compile(optimizer=keras.optimizers.SGD(0.5), jit_compile=jit_compile)
    logs = rbm.train_on_batch(x, return_dict=True)
    return _params(rbm), logs


def test_mixed_float16_trains_like_float32(dtype_policy):
    dtype_policy("mixed_float16")
    x = _binary(8, 5, seed=3)
    rbm = RBM(3, seed=0)
    assert (rbm.compute_dtype, rbm.variable_dtype) == ("float16", "float32")
    rbm.compile(optimizer="sgd")
    history = rbm.fit(x, epochs=1, batch_size=4, verbose=0).history
    assert np.isfinite(history["loss"]).all() and rbm.kernel.dtype == "float32"
    assert isinstance(rbm.optimizer, keras.optimizers.LossScaleOptimizer)
    assert all(value.dtype == tf.float32 for value in rbm.train_step(tf.constant(x)).values())
    # The analytic gradient is scaled like a loss, so the optimizer's unscaling
    # leaves the update of a float32 model (up to float16 rounding).
    mixed, mixed_logs = _first_update_with_constant_noise(x)
    dtype_policy("float32")
    exact, exact_logs = _first_update_with_constant_noise(x)
    start = _params(_random_rbm(5, 3, scale=0.5))
    for got, want, before in zip(mixed, exact, start):
        np.testing.assert_allclose(got - before, want - before, rtol=0.02, atol=2e-3)
    assert abs(mixed_logs["loss"] - exact_logs["loss"]) < 1e-2


def test_jit_compile_runs_the_same_step_in_xla_with_seeded_noise():
    x = _binary(8, 5, seed=3)
    (ops, ops_logs), (xla, xla_logs) = (_first_update_with_constant_noise(x, jit) for jit in (False, True))
    for got, want in zip(xla, ops):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(xla_logs["loss"], ops_logs["loss"], rtol=1e-5)

    def trained(persistent):  # threefry noise, keyed by (seed, step)
        rbm = RBM(3, seed=0, persistent=persistent, num_chains=4 if persistent else None)
        rbm.compile(optimizer=keras.optimizers.SGD(0.1), jit_compile=True)
        history = rbm.fit(x, epochs=2, batch_size=4, verbose=0).history
        assert np.isfinite(history["loss"]).all() and np.isfinite(history["pseudo_ll"]).all()
        return rbm.kernel.numpy()

    for persistent in (False, True):
        np.testing.assert_array_equal(trained(persistent), trained(persistent))


def test_float64_model_fits_samples_and_scores():
    x = _binary(40, 6)
    rbm = RBM(3, seed=0, dtype="float64", persistent=True, num_chains=10)
    rbm.compile(optimizer="sgd")
    history = rbm.fit(x, epochs=2, batch_size=20, verbose=0).history
    assert np.isfinite(history["loss"]).all() and rbm.kernel.dtype == "float64"
    assert rbm.free_energy(x).dtype == tf.float64 and rbm.gibbs(x, 2, seed=0).dtype == tf.float64
    assert rbm.sample(3, steps=2, seed=0).shape == (3, 6)
    states = np.array(list(itertools.product([0, 1], repeat=6)))
    np.testing.assert_allclose(np.exp(rbm.log_prob(states).numpy()).sum(), 1.0)
    assert np.isfinite(float(rbm.log_partition("ais", num_betas=50, num_runs=10, seed=0)[0]))


def test_uint8_input_trains_exactly_like_float32_and_is_checked_before_casting(dtype_policy):
    x = _binary(40, 6)

    def trained(data):
        rbm = RBM(3, seed=0)
        rbm.compile(optimizer="sgd")
        rbm.fit(data, epochs=1, batch_size=10, shuffle=False, verbose=0)
        return rbm.kernel.numpy()

    reference = trained(x)
    np.testing.assert_array_equal(trained(x.astype(np.uint8)), reference)
    np.testing.assert_array_equal(trained(tf.data.Dataset.from_tensor_slices(x.astype(np.uint8)).batch(10)), reference)
    with pytest.raises(ValueError, match="binary"):
        trained(np.full((10, 6), 2, np.uint8))
    # 1 - 1e-4 rounds to 1.0 in float16: the check must see the values given.
    dtype_policy("mixed_float16")
    with pytest.raises(ValueError, match="binary"):
        trained(np.full((10, 6), 1 - 1e-4, np.float32))
    with pytest.raises(ValueError, match=r"binary values \(0 or 1\) in x. Received: x\[0, 0\]=0.9999 in a batch"):
        trained(tf.data.Dataset.from_tensor_slices(np.full((10, 6), 1 - 1e-4, np.float32)).batch(5))


def test_fresh_model_trains_on_batches_datasets_and_evaluates():
    x = _binary(40, 6)

    def fresh():
        rbm = RBM(3, seed=0)
        rbm.compile(optimizer=keras.optimizers.SGD(0.1))
        return rbm

    on_array = fresh()
    on_array.fit(x, epochs=1, batch_size=10, shuffle=False, verbose=0)
    on_dataset = fresh()
    on_dataset.fit(tf.data.Dataset.from_tensor_slices(x).batch(10), shuffle=False, verbose=0)
    np.testing.assert_array_equal(on_dataset.kernel.numpy(), on_array.kernel.numpy())

    on_batch = fresh()
    logs = on_batch.train_on_batch(x[:10], return_dict=True)
    assert set(logs) == {"loss", "reconstruction", "pseudo_ll", "free_energy"}
    one_step = fresh()
    one_step.fit(x[:10], epochs=1, batch_size=10, shuffle=False, verbose=0)
    np.testing.assert_array_equal(on_batch.kernel.numpy(), one_step.kernel.numpy())
    with pytest.raises(ValueError, match="binary"):
        on_batch.train_on_batch(np.full((4, 6), 0.5, np.float32))

    evaluated = RBM(3, seed=0, monitor=("free_energy",))
    evaluated.compile(optimizer="sgd")
    logs = evaluated.evaluate(x, batch_size=40, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["free_energy"], evaluated.free_energy(x).numpy().mean(), rtol=1e-6)
    assert set(logs) == {"loss", "free_energy"}


def test_loss_drives_early_stopping_and_checkpoints(tmp_path):
    x = _binary(40, 6)
    rbm = RBM(3, seed=0)
    rbm.compile(optimizer=keras.optimizers.SGD(0.1))
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e6)
    history = rbm.fit(x, epochs=10, batch_size=10, callbacks=[stop], verbose=0).history
    assert len(history["loss"]) == 2  # the second epoch cannot improve by 1e6

    kernels = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: kernels.append(rbm.kernel.numpy()))
    path = tmp_path / "best.keras"
    save = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True)
    history = rbm.fit(x, epochs=4, batch_size=10, callbacks=[record, save], verbose=0).history
    best = keras.saving.load_model(path)
    np.testing.assert_array_equal(best.kernel.numpy(), kernels[int(np.argmin(history["loss"]))])


def test_compile_rejects_a_loss_or_metrics():
    rbm = RBM(3)
    with pytest.raises(ValueError, match="loss="):
        rbm.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="metrics="):
        rbm.compile(optimizer="sgd", metrics=["mae"])


def _from_sklearn(peer, **kwargs):
    rbm = RBM(peer.n_components, dtype="float64", **kwargs)
    rbm.build((None, peer.components_.shape[1]))
    rbm.kernel.assign(peer.components_.T)
    rbm.visible_bias.assign(peer.intercept_visible_)
    rbm.hidden_bias.assign(peer.intercept_hidden_)
    return rbm


def test_matches_scikit_learn_bernoulli_rbm():
    from sklearn.neural_network import BernoulliRBM

    x = data.load("digits", binarize="threshold", flatten=True)
    hidden, learning_rate, batch_size, epochs = 32, 0.05, 20, 10
    peer = BernoulliRBM(hidden, learning_rate=learning_rate, batch_size=batch_size, n_iter=epochs, random_state=0)
    peer.fit(x.astype(np.float64))  # sklearn computes in its input's dtype
    # Exactness: sklearn's weights in a float64 RBM score the same flips as sklearn.
    loaded = _from_sklearn(peer)
    for seed in (0, 1):
        peer.random_state = seed
        np.testing.assert_allclose(loaded.score_samples(x, seed=seed), peer.score_samples(x), rtol=1e-10)
    np.testing.assert_array_equal(loaded.components_, peer.components_)
    # The same training (PCD-1) reaches a comparable pseudo-log-likelihood:
    # measured -21.2 (ours) and -21.5 nats (sklearn), seeds 0-2 within 0.3 nats
    # of each other; an untrained RBM scores -44.
    ours = RBM(hidden, persistent=True, num_chains=batch_size, seed=0, monitor=())
    ours.compile(optimizer=keras.optimizers.SGD(learning_rate), steps_per_execution=20)
    ours.fit(x, epochs=epochs, batch_size=batch_size, verbose=0)
    ours_pll, peer_pll = ours.pseudo_log_likelihood(x).numpy().mean(), loaded.pseudo_log_likelihood(x).numpy().mean()
    assert peer_pll > -25.0 and abs(ours_pll - peer_pll) < 1.0
    assert abs(ours.score_samples(x, seed=0).mean() - ours_pll) < 1.5  # sklearn's estimate of it


def test_scikit_learn_style_methods_and_grey_values():
    from sklearn.neural_network import BernoulliRBM

    grey = data.load("digits", flatten=True)[:200]
    rbm = RBM(8, seed=0)
    rbm.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="binary"):
        rbm.fit(grey, verbose=0)
    with pytest.raises(ValueError, match="accept_probabilities"):
        RBM(8, visible="gaussian", accept_probabilities=True)

    # Grey values as Bernoulli probabilities, scored exactly as scikit-learn does.
    peer = BernoulliRBM(8, n_iter=2, batch_size=20, random_state=0).fit(grey.astype(np.float64))
    loaded = _from_sklearn(peer, accept_probabilities=True)
    peer.random_state = 3
    np.testing.assert_allclose(loaded.score_samples(grey, seed=3), peer.score_samples(grey), rtol=1e-10)
    probabilities = RBM(8, seed=0, accept_probabilities=True)
    probabilities.compile(optimizer="sgd")
    features = probabilities.fit_transform(grey, epochs=1, batch_size=20, verbose=0)
    np.testing.assert_allclose(features, probabilities.transform(grey), rtol=1e-6)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        probabilities.fit(grey * 2, verbose=0)
    with pytest.raises(ValueError, match="binary"):
        probabilities.log_prob(grey)

    # components_ is a read-only [hidden, visible] view; partial_fit is one update.
    components = probabilities.components_
    np.testing.assert_array_equal(components, probabilities.kernel.numpy().T)
    with pytest.raises(ValueError, match="read-only"):
        components[0, 0] = 1.0
    binary = (grey > 0.5).astype(np.float32)
    stepped, fitted = RBM(8, seed=1), RBM(8, seed=1)
    for model in (stepped, fitted):
        model.compile(optimizer=keras.optimizers.SGD(0.1))
    assert stepped.partial_fit(binary[:20]) is stepped
    fitted.fit(binary[:20], epochs=1, batch_size=20, shuffle=False, verbose=0)
    np.testing.assert_array_equal(stepped.kernel.numpy(), fitted.kernel.numpy())


def test_ais_progress_bar_runs_the_same_schedule_in_chunks(capsys):
    x = data.load("digits", binarize="threshold", flatten=True)[:200]
    rbm = RBM(8, seed=0)
    rbm.build(x.shape)
    quiet = rbm.log_partition("ais", num_betas=120, num_runs=20, seed=3, data=x)
    shown = rbm.log_partition("ais", num_betas=120, num_runs=20, seed=3, data=x, verbose=1)
    np.testing.assert_array_equal([float(t) for t in quiet], [float(t) for t in shown])
    assert "119/119" in capsys.readouterr().out


def test_float64_and_float32_rbms_from_one_seed_agree(dtype_policy):
    """scikit-learn's dtype-consistency test, ported: the same seed draws the same
    initial weights and noise in either dtype, so the trained models agree."""
    x = (np.random.default_rng(0).random((64, 12)) < 0.4).astype("float32")
    features = []
    for dtype in ("float32", "float64"):
        rbm = RBM(5, seed=3, dtype=dtype, persistent=True, num_chains=16)
        rbm.compile(optimizer=keras.optimizers.SGD(0.1))
        rbm.fit(x.astype(dtype), epochs=3, batch_size=16, verbose=0)
        features.append(rbm.transform(x.astype(dtype)).numpy())
        assert features[-1].dtype == dtype
    np.testing.assert_allclose(features[1], features[0], atol=1e-5)
