"""`make reproduce-pretraining` end to end: the smoke profile, the full one cut short by a limit,
and the same-budget baseline read off a longer run."""

import keras
import numpy as np
import tensorflow as tf

from tfdl import runner
from tfdl.reproductions.pretraining import common, fine_tuning

from report_checks import assert_nothing_judged_and_figures_embedded, run_full_cut_short

FIGURES = 7


def sections(metrics):
    return {name: section["metrics"] for name, section in metrics["sections"].items()}


def test_smoke_profile_writes_metrics_report_and_figures(tmp_path):
    runner.reproduce("pretraining", profile="smoke", out=tmp_path)
    metrics, report = assert_nothing_judged_and_figures_embedded(tmp_path, min_claims=12)
    assert metrics["profile"] == "smoke" and metrics["dataset"] == "digits"
    found = sections(metrics)
    for name in ("CD-1", "CD-3", "PCD-1"):
        row = found["rbm"]["rbm"][name]
        assert row["test_log_likelihood_nats"] < 0
        # 16 hidden units: the exact log Z is available and AIS must agree with it.
        assert abs(row["log_z_ais"] - row["log_z_exact"]) < 0.5
    comparison = found["fine_tuning"]["comparison"]
    assert set(comparison) == {f"{variant} @ 1" for variant in common.VARIANTS}
    budget = comparison[f"{common.RANDOM_BUDGET} @ 1"]["validation_error_curve_pct"]
    short = comparison[f"{common.RANDOM} @ 1"]["validation_error_curve_pct"]
    assert len(budget) == 2 + 2 * 1 and budget[: len(short)] == short  # smoke: 2 + 2 layers x 1 epochs
    assert len(found["vanishing"]["gradient_norms_at_start"][common.RANDOM]) == 3

    assert report.startswith("# Greedy layer-wise pre-training")
    for number, title in enumerate(["The DBN's building block", "Greedy layer-wise pre-training", "Fine-tuning",
                                    "Generalisation", "Vanishing gradients", "Cost", "Article items"], 1):
        assert f"## {number}. {title}" in report
    assert "-86.34" in report
    assert sum(len(s["figures"]) for s in metrics["sections"].values()) == FIGURES


def test_full_profile_runs_one_epoch_on_28x28_with_a_limit(tmp_path, fashion_mnist):
    # The papers' sizes on 100 images per split, one epoch, the counts capped at 100: the path a GPU
    # user takes, checked on a CPU.
    metrics, report = run_full_cut_short("pretraining", fashion_mnist, 100, tmp_path, min_claims=18)
    found = sections(metrics)
    rbm = found["rbm"]["rbm"]
    assert {row["hidden_units"] for row in rbm.values()} == {500} and "CD-25" in rbm
    comparison = found["fine_tuning"]["comparison"]
    # Fractions 1, 0.1 and 0.01: 1% of 100 images is the labelled subset's floor of 10 images.
    assert set(comparison) == {f"{v} @ {f:g}" for v in common.VARIANTS for f in (1, 0.1, 0.01)}
    mlp = 784 * 500 + 500 + 500 * 500 + 500 + 500 * 2000 + 2000 + 2000 * 10 + 10  # 784-500-500-2000-10
    assert {row["parameters"] for row in comparison.values()} == {mlp}
    budget = comparison[f"{common.RANDOM_BUDGET} @ 0.01"]["validation_error_curve_pct"]
    assert len(budget) == 1 + 3 * 1  # 1 fine-tuning epoch + 3 layers x 1 pre-training epoch
    assert "(100 temperatures, 100 runs," in report and "each run 100 steps" in report
    assert "| DBN + fine-tune | 1% | 1 |" in report
    assert sum(len(s["figures"]) for s in metrics["sections"].values()) == FIGURES


def test_a_long_run_stopped_early_is_the_short_run():
    # The report reads "random init" (F epochs) off its same-budget run (more
    # epochs) at epoch F: the weights there must be those of an F-epoch run.
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

    short, short_results = fine_tune(2, None)
    long, long_results = fine_tune(5, 2)
    for a, b in zip(short.get_weights(), long.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(short_results[2]["curve"], long_results[2]["curve"])
    assert long_results[2]["test_error"] == short_results[2]["test_error"]
    assert len(long_results[5]["curve"]) == len(long_results[5]["seconds"]) == 5
    assert np.all(np.diff(long_results[5]["seconds"]) > 0)
