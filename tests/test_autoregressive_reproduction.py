"""The autoregressive reproduction runs end to end in its smoke profile.

The NADE/MADE/RBM/VAE part and the forecasting section run from copies of
the scripts next to a stub ``autoregressive_pixels.py`` (the pixel models'
sections have their own test), which also checks that the stub's section is
put in its place.
"""

import json
import re
import shutil

import numpy as np

from tfdl import runner

STUB = '''
def pixel_sections(run, table):
    run.metrics["pixel_stub"] = True
    return "## 5. Pixel stub section\\n"
'''


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
    headings = ["## 1.", "## 2.", "## 3.", "## 4.", "## 5. Pixel stub", "## 6.", "## 7.", "## Claims",
                "## Article items"]
    assert [report.index(h) for h in headings] == sorted(report.index(h) for h in headings)
    assert "88.33" in report and "86.64" in report and "paper, binarized MNIST" in report
    for figure in metrics["figures"]:
        assert (out / figure).stat().st_size > 1000
        assert f"]({figure})" in report  # embedded
    # The claims table: every verdict computed, and none decided by a smoke run.
    claims = report[report.index("## Claims"):report.index("## Article items")]
    assert "| article (Hindi) | gloss | measured | criterion and numbers | verdict |" in claims
    verdicts = re.findall(r"\| \*\*([a-z ]+)\*\* \|$", claims, flags=re.MULTILINE)
    assert len(verdicts) == len(metrics["claims"]) >= 15
    assert set(verdicts) == {"not judged"}


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
