"""`make reproduce-pretraining` end to end: the smoke profile, the full one cut short by a limit,
and the same-budget baseline read off a longer run."""

import keras
import numpy as np
import tensorflow as tf

from tfdl import runner
from tfdl.reproductions.pretraining import common, comparison, fine_tuning, rbms

from report_checks import assert_nothing_judged_and_figures_embedded, run_full_cut_short

FIGURES = 7


def sections(metrics):
    return {name: section["metrics"] for name, section in metrics["sections"].items()}


def test_smoke_profile_writes_metrics_report_and_figures(tmp_path):
    runner.reproduce("pretraining", profile="smoke", out=tmp_path)
    metrics, report = assert_nothing_judged_and_figures_embedded(tmp_path, min_claims=15)
    assert metrics["profile"] == "smoke" and metrics["dataset"] == "digits"
    found = sections(metrics)
    for name in ("CD-1", "CD-3", "PCD-1"):
        row = found["rbm"]["rbm"][name]
        assert row["test_log_likelihood_nats"] < 0
        # 16 hidden units: the exact log Z is available and AIS must agree with it.
        assert abs(row["log_z_ais"] - row["log_z_exact"]) < 0.5
        assert row["pessimistic_test_log_likelihood_nats"] <= row["test_log_likelihood_nats"]
    assert found["rbm"]["independent_pixels_test_log_likelihood_nats"] < 0
    rows = {row["id"]: row for row in metrics["claims"]}
    for name in ("cd1", "cd3", "pcd1"):
        assert rows[f"rbm.learned.{name}"]["kind"] == "claim"
        assert rows[f"rbm.ais_vs_exact.{name}"]["kind"] == "check"
    assert rows["fine_tuning.starts_from_stack"]["kind"] == rows["fine_tuning.frozen_fixed"]["kind"] == "check"
    comparison = found["fine_tuning"]["comparison"]
    assert set(comparison) == {f"{variant} @ 1" for variant in common.VARIANTS}
    stopped = comparison[f"{common.STOPPED[common.RANDOM]} @ 1"]
    short = comparison[f"{common.RANDOM} @ 1"]["validation_error_curve_pct"]
    # smoke: at most 2 + 2 layers x 1 epochs; early stopping (patience 3) may begin after epoch 2
    assert [len(c) for c in stopped["validation_error_curve_pct"]] == stopped["epochs"] == [4]
    assert stopped["validation_error_curve_pct"][0][:2] == short[0] and len(stopped["converged"]) == 1
    assert len(found["vanishing"]["gradient_norms_at_start"][common.RANDOM]) == 3
    assert found["fine_tuning"]["frozen_change"] == [0.0]
    assert "mean ± s.e." not in report  # one seed: no spread to state

    assert report.startswith("# Greedy layer-wise pre-training")
    for number, title in enumerate(["The DBN's building block", "Greedy layer-wise pre-training", "Fine-tuning",
                                    "Generalisation", "Vanishing gradients", "Cost", "Article items"], 1):
        assert f"## {number}. {title}" in report
    assert "-86.34" in report
    assert sum(len(s["figures"]) for s in metrics["sections"].values()) == FIGURES


def test_full_profile_runs_one_epoch_on_28x28_with_a_limit(tmp_path, fashion_mnist):
    # The papers' sizes on 100 images per split, one epoch, the counts capped at 100: the path a GPU
    # user takes, checked on a CPU.
    metrics, report = run_full_cut_short("pretraining", fashion_mnist, 100, tmp_path, min_claims=21)
    found = sections(metrics)
    rbm = found["rbm"]["rbm"]
    assert {row["hidden_units"] for row in rbm.values()} == {500} and "CD-25" in rbm
    comparison = found["fine_tuning"]["comparison"]
    # Fractions 1, 0.1 and 0.01: 1% of 100 images is the labelled subset's floor of 10 images.
    assert set(comparison) == {f"{v} @ {f:g}" for v in common.VARIANTS for f in (1, 0.1, 0.01)}
    mlp = 784 * 500 + 500 + 500 * 500 + 500 + 500 * 2000 + 2000 + 2000 * 10 + 10  # 784-500-500-2000-10
    assert {row["parameters"] for row in comparison.values()} == {mlp}
    budget = comparison[f"{common.STOPPED[common.RANDOM]} @ 0.01"]["validation_error_curve_pct"]
    assert len(budget[0]) == 1 + 3 * 1  # 1 fine-tuning epoch + 3 layers x 1 pre-training epoch
    assert "(100 temperatures, 100 runs," in report and "each run 100 steps" in report
    assert "| DBN + fine-tune | 1% | 1 |" in report
    assert sum(len(s["figures"]) for s in metrics["sections"].values()) == FIGURES


def test_a_long_run_stopped_early_is_the_short_run():
    # The report reads each network after F epochs off its early-stopped run (more epochs) at epoch F:
    # the weights there must be those of an F-epoch run, and the early-stopped result that of its best epoch.
    rng = np.random.default_rng(0)
    x = (rng.random((96, 12)) < 0.5).astype("float32")
    y = rng.integers(0, 3, 96)
    split = fine_tuning.Split((x, y), (x[:16], y[:16]), (x[:24], y[:24]), (x[:24], y[:24]))

    class Run:
        verbose, strategy = 0, tf.distribute.get_strategy()

    def fine_tune(epochs, snapshot):
        keras.utils.set_random_seed(3)
        model = fine_tuning.mlp((8, 8), 12, 3, "sigmoid", seed=3)
        return model, fine_tuning.fine_tune(Run(), {"fine_batch": 16}, model, split, epochs, snapshot)

    short, short_results = fine_tune(2, 2)
    long, long_results = fine_tune(12, 2)
    for a, b in zip(short.get_weights(), long.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(short_results["short"]["curve"], long_results["short"]["curve"])
    assert long_results["short"]["test_error"] == short_results["short"]["test_error"]
    stopped = long_results["stopped"]
    epochs = len(stopped["curve"])
    assert 2 + common.PATIENCE <= epochs <= 12 and len(stopped["seconds"]) == epochs
    assert np.all(np.diff(stopped["seconds"]) > 0)
    assert stopped["converged"] == (epochs < 12 or fine_tuning.converged(stopped["curve"], False))
    assert 2 <= stopped["best_epoch"] <= epochs


def test_converged_is_early_stopping_or_a_levelled_validation_error():
    falling = [50.0, 40.0, 30.0, 20.0, 10.0]
    assert not fine_tuning.converged(falling, stopped_early=False)
    assert fine_tuning.converged(falling, stopped_early=True)
    # the last 20% of 10 epochs (2) improved the best by 0.2 points <= 0.25 (LEVEL_TOLERANCE)
    level = [30.0, 20.0, 15.0, 12.0, 11.0, 10.5, 10.3, 10.2, 10.0, 10.1]
    assert common.LEVEL_TOLERANCE == 0.25 and fine_tuning.converged(level, stopped_early=False)
    assert not fine_tuning.converged(level[:-2] + [9.7, 9.9], stopped_early=False)  # improved 0.5


def _rbm_row(log_likelihood, lower, upper, log_z=500.0):
    return {"test_log_likelihood_nats": log_likelihood, "log_z_ais": log_z, "log_z_lower": lower,
            "log_z_upper": upper, "pessimistic_test_log_likelihood_nats": log_likelihood - (upper - log_z)}


def test_an_rbm_learned_only_beyond_independent_pixels_and_with_a_finite_interval():
    baseline = -383.2
    held = rbms.learned("PCD-1", _rbm_row(-250.0, 499.0, 501.0), baseline)
    assert (held.id, held.verdict, held.baseline, held.baseline_value) == (
        "learned.pcd1", "held", rbms.INDEPENDENT, baseline)
    assert held.ours == -251.0  # judged at the upper end of log Z's interval
    # -383.1 against -383.2 (the PCD-1 RBM): within the margin, so it did not learn
    assert rbms.learned("PCD-1", _rbm_row(-383.1, 499.0, 500.5), baseline).verdict == "inconclusive"
    assert rbms.learned("CD-1", _rbm_row(-450.0, 499.0, 501.0), baseline).verdict == "not held"
    # a point estimate far ahead, but its pessimistic end within the margin: not learned
    assert rbms.learned("CD-1", _rbm_row(-370.0, 499.0, 505.0), baseline).verdict == "inconclusive"
    unknown = rbms.learned("PCD-1", _rbm_row(-338.3, float("-inf"), 512.3), baseline)
    assert unknown.verdict == "not judged" and "not finite" in unknown.criterion


def test_vanishing_is_judged_on_the_bottom_gradient_not_the_ratio():
    # The ratio bottom / top hidden doubles for the pre-trained net while its bottom gradient halves.
    random_norms = [[1.0, 1.0, 1.0, 1.0]] * 3
    pretrained_norms = [[0.5 + 0.01 * i, 1.0, 0.25, 1.0] for i in range(3)]
    norms = {common.RANDOM: random_norms, common.DBN_FT: pretrained_norms}
    measured = {"bottom_gradient_norm": {v: [n[0] for n in values] for v, values in norms.items()},
                "bottom_over_top_hidden": {v: [n[0] / n[-2] for n in values] for v, values in norms.items()}}
    row, = comparison.Vanishing().judge(None, {}, measured)
    assert row.verdict == "not held" and row.baseline == common.RANDOM and row.baseline_value == 0.0
    assert "bottom / top hidden 2.0" in row.measured
