"""The autoregressive reproduction runs end to end in its smoke profile.

The NADE/MADE part runs from a copy of the script next to a stub
``autoregressive_pixels.py`` (the pixel models' sections have their own test),
which also checks that the stub's section is appended.
"""

import json
import shutil

from tfdl import runner

STUB = '''
def pixel_sections(run):
    run.metrics["pixel_stub"] = True
    return "## Pixel stub section\\n"
'''


def test_smoke_profile_writes_metrics_figures_and_report(tmp_path, monkeypatch):
    scripts = tmp_path / "reproductions"
    scripts.mkdir()
    shutil.copy(runner.REPRODUCTIONS / "autoregressive.py", scripts)
    (scripts / "autoregressive_pixels.py").write_text(STUB)
    monkeypatch.setattr(runner, "REPRODUCTIONS", scripts)
    tmp_path = tmp_path / "out"
    runner.reproduce("autoregressive", profile="smoke", out=tmp_path, seed=1)
    metrics = json.loads((tmp_path / "metrics.json").read_text())["results"]
    for key in ("nade", "made_1_mask", "made_ensemble"):
        assert metrics[key]["nats"] > 0
        assert metrics[key]["bits_per_dim"] > 0
    assert abs(metrics["nade"]["normalisation_sum_d10"] - 1) < 1e-5
    assert metrics["made_ensemble"]["max_forbidden_gradient"] == 0
    for figure in ("nade_samples", "nade_curves", "made_curves", "made_ensemble_samples"):
        assert f"{figure}.png" in metrics["figures"]
        assert (tmp_path / f"{figure}.png").stat().st_size > 1000
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# Autoregressive models")
    assert report.index("## NADE") < report.index("## MADE") < report.index("## Claims")
    assert "88.33" in report and "86.64" in report and "paper, binarized MNIST" in report
    assert "ours, digits, profile smoke" in report
    assert report.index("## Claims") < report.index("## Pixel stub section")
    assert metrics["pixel_stub"] is True
