"""The autoregressive reproduction runs end to end: the smoke profile, and the full one cut short by a limit.

In the smoke test the NADE/MADE/RBM/VAE part and the forecasting section run
from copies of the scripts next to a stub ``autoregressive_pixels.py`` (the
pixel models' sections have their own test), which also checks that the
stub's section is put in its place. The full-profile test runs every section.
"""

import json
import shutil

import numpy as np

from tfdl import runner
from tfdl.models import PixelCNN, PixelRNN

from report_checks import assert_nothing_judged_and_figures_embedded, run_full_cut_short

STUB = '''
def pixel_sections(run, table):
    run.metrics["pixel_stub"] = True
    return "## 5. Pixel stub section\\n"
'''


HEADINGS = ["## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6.", "## 7.", "## Claims", "## Article items"]


def test_smoke_profile_writes_metrics_figures_claims_and_report(tmp_path, monkeypatch):
    scripts = tmp_path / "reproductions"
    scripts.mkdir()
    for name in ("autoregressive.py", "autoregressive_series.py"):
        shutil.copy(runner.REPRODUCTIONS / name, scripts)
    (scripts / "autoregressive_pixels.py").write_text(STUB)
    monkeypatch.setattr(runner, "REPRODUCTIONS", scripts)
    out = tmp_path / "out"
    runner.reproduce("autoregressive", profile="smoke", out=out, seed=1)
    metrics = json.loads((out / "metrics.json").read_text())["results"]
    for key in ("NADE", "MADE", "deep MADE", "MADE ensemble", "RBM"):
        assert metrics[key][0]["nats"] > 0 and metrics[key][0]["bits_per_dim"] > 0
    assert abs(metrics["normalisation_d10"]["implemented"] - 1) < 1e-5
    assert abs(metrics["normalisation_d10"]["article_formula"] - 1) > 1e-2
    assert all(max(leaks) == 0 for leaks in metrics["made_checks"]["max_forbidden_gradient"].values())
    assert metrics["determinism"]["nade_repeat_max_abs_diff"] == 0
    assert metrics["vae"]["elbo_nats"] > 0 and metrics["pixel_stub"] is True

    report = (out / "report.md").read_text()
    assert report.startswith("# Autoregressive models")
    assert "## 5. Pixel stub" in report
    assert [report.index(h) for h in HEADINGS] == sorted(report.index(h) for h in HEADINGS)
    assert "88.33" in report and "86.64" in report and "paper, binarized MNIST" in report
    assert_nothing_judged_and_figures_embedded(out, metrics, report, min_claims=15)


def test_full_profile_runs_one_epoch_on_28x28_images_under_a_limit(fashion_mnist, tmp_path):
    """The full profile's models for one epoch on 4 of every count (the fewest AIS temperatures allowed)."""
    results, report = run_full_cut_short("autoregressive", fashion_mnist, 4, tmp_path)
    d, hidden, latent = 784, 500, 32
    nade = 2 * d * hidden + d + hidden  # NADE: W, V, b, c; MADE 1x500: the same two weight matrices and biases
    deep = nade + hidden * hidden + hidden
    encoder = d * hidden + hidden + 2 * (hidden * latent + latent)  # heads: mean and log-variance
    decoder = latent * hidden + hidden + hidden * d + d
    assert results["weights"] == {"NADE": nade, "MADE": nade, "deep MADE": deep, "MADE ensemble": deep,
                                  "RBM": d * hidden + d + hidden, "VAE": encoder + decoder}
    assert len(results["made_checks"]["max_forbidden_gradient"]["MADE ensemble"]) == 32  # one per mask set
    for name in ("NADE", "MADE", "deep MADE", "MADE ensemble", "RBM"):
        assert len(results[name]) == 1 and all(r["num_examples"] == 4 for r in results[name])
    built = {  # the paper's 7 layers of 16 units, and a 128-filter PixelCNN with 7 residual blocks
        "pixelcnn": PixelCNN(input_shape=(28, 28, 1), filters=128, num_residual=7, num_head=2),
        "row_lstm": PixelRNN(input_shape=(28, 28, 1), kind="row_lstm", layers=7, units=16),
        "diagonal_bilstm": PixelRNN(input_shape=(28, 28, 1), kind="diagonal_bilstm", layers=7, units=16),
    }
    for key, model in built.items():
        assert (results[key]["parameters"], results[key]["epochs"], results[key]["num_examples"]) == (
            model.count_params(), 1, 4)
        assert results["dependency"][key]["later_pixels_seen"] == 0
    assert results["dependency"]["last_pixel_coverage"]["diagonal_bilstm"] == 1.0
    assert results["snippet"]["images"] == 4
    assert "4 test images of 28x28 = 784 pixels" in report and "(4 temperatures," in report
    assert [report.index(h) for h in HEADINGS] == sorted(report.index(h) for h in HEADINGS)
    assert_nothing_judged_and_figures_embedded(tmp_path, results, report, min_claims=15)


def _series_module():
    return runner.load_file(runner.REPRODUCTIONS / "autoregressive_series.py")


def test_least_squares_ar_recovers_the_generating_coefficients():
    series = _series_module()
    rng = np.random.default_rng(0)
    x = np.zeros(20_000)
    for t in range(2, len(x)):
        x[t] = 1.6 * x[t - 1] - 0.8 * x[t - 2] + rng.standard_normal()
    np.testing.assert_allclose(series.fit_ar(x, 2), [-0.8, 1.6, 0.0], atol=0.02)  # oldest lag first, intercept last


def test_rollout_feeds_its_forecasts_back():
    series = _series_module()
    # x_t = x_(t-1) + 1 (a_2 = 0, a_1 = 1, a_0 = 1) from ..., 4, 5: 6, 7, 8 by hand.
    np.testing.assert_allclose(series.rollout(np.array([0.0, 1.0, 1.0]), np.array([4.0, 5.0]), 3), [6, 7, 8])
