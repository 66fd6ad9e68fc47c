import json
import types

import keras
import numpy as np
import tensorflow as tf

from tfdl import runner

from report_checks import CLAIMS_HEADER, assert_nothing_judged_and_figures_embedded, run_full_cut_short


def test_smoke_profile_writes_metrics_report_and_figures(tmp_path):
    run = runner.reproduce("pretraining", profile="smoke", out=tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    results = metrics["results"]
    assert metrics["profile"] == "smoke" and metrics["dataset"] == "digits"
    for name in ("CD-1", "CD-3", "PCD-1"):
        row = results["rbm"][name]
        assert row["test_log_likelihood_nats"] < 0
        # 16 hidden units: the exact log Z is available and AIS must agree with it.
        assert abs(row["log_z_ais"] - row["log_z_exact"]) < 0.5
    module = runner.load_file(runner.REPRODUCTIONS / "pretraining.py")
    assert set(results["comparison"]) == {f"{variant} @ 1" for variant in module.VARIANTS}
    budget = results["comparison"][f"{module.RANDOM_BUDGET} @ 1"]["validation_error_curve_pct"]
    short = results["comparison"][f"{module.RANDOM} @ 1"]["validation_error_curve_pct"]
    assert len(budget) == 2 + 2 * 1 and budget[: len(short)] == short  # smoke: 2 + 2 layers x 1 epochs
    assert len(results["gradient_norms_at_start"][module.RANDOM]) == 3

    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# Greedy layer-wise pre-training")
    assert CLAIMS_HEADER in report
    assert "## Article items" in report and "-86.34" in report
    # A smoke run decides nothing.
    assert len(results["figures"]) == 7
    assert_nothing_judged_and_figures_embedded(tmp_path, results, report)
    assert run.profile == "smoke"


def test_full_profile_runs_one_epoch_on_28x28_with_a_limit(tmp_path, fashion_mnist):
    # The papers' sizes on 100 images per split, one epoch, the counts capped at 100: the path a GPU
    # user takes, checked on a CPU.
    results, report = run_full_cut_short("pretraining", fashion_mnist, 100, tmp_path)
    assert {row["hidden_units"] for row in results["rbm"].values()} == {500} and "CD-25" in results["rbm"]
    module = runner.load_file(runner.REPRODUCTIONS / "pretraining.py")
    # Fractions 1, 0.1 and 0.01: 1% of 100 images is the labelled subset's floor of 10 images.
    assert set(results["comparison"]) == {f"{v} @ {f:g}" for v in module.VARIANTS for f in (1, 0.1, 0.01)}
    mlp = 784 * 500 + 500 + 500 * 500 + 500 + 500 * 2000 + 2000 + 2000 * 10 + 10  # 784-500-500-2000-10
    assert {row["parameters"] for row in results["comparison"].values()} == {mlp}
    budget = results["comparison"][f"{module.RANDOM_BUDGET} @ 0.01"]["validation_error_curve_pct"]
    assert len(budget) == 1 + 3 * 1  # 1 fine-tuning epoch + 3 layers x 1 pre-training epoch
    assert "(100 temperatures, 100 runs," in report and "each run 100\nsteps" in report
    assert "| DBN + fine-tune | 1% | 1 |" in report
    assert len(results["figures"]) == 7
    assert_nothing_judged_and_figures_embedded(tmp_path, results, report)


def test_a_long_run_stopped_early_is_the_short_run():
    # The report reads "random init" (F epochs) off its same-budget run (more
    # epochs) at epoch F: the weights there must be those of an F-epoch run.
    module = runner.load_file(runner.REPRODUCTIONS / "pretraining.py")
    rng = np.random.default_rng(0)
    x = (rng.random((96, 12)) < 0.5).astype("float32")
    y = rng.integers(0, 3, 96)
    data = ((x, y), (x[:16], y[:16]), (x[:24], y[:24]), (x[:24], y[:24]))
    run = types.SimpleNamespace(verbose=0, strategy=tf.distribute.get_strategy())
    s = types.SimpleNamespace(fine_batch=16)

    def fine_tune(epochs, snapshot):
        keras.utils.set_random_seed(3)
        model = module._mlp((8, 8), 12, 3, "sigmoid", seed=3)
        return model, module._fine_tune(run, s, model, *data, epochs=epochs, snapshot=snapshot)

    short, short_results = fine_tune(2, None)
    long, long_results = fine_tune(5, 2)
    for a, b in zip(short.get_weights(), long.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(short_results[2]["curve"], long_results[2]["curve"])
    assert long_results[2]["test_error"] == short_results[2]["test_error"]
    assert len(long_results[5]["curve"]) == len(long_results[5]["seconds"]) == 5
    assert np.all(np.diff(long_results[5]["seconds"]) > 0)
