import json

from tfdl import runner


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
    assert set(results["comparison"]) == {
        "random init @ 1", "DBN + fine-tune @ 1", "SAE + fine-tune @ 1", "DBN frozen @ 1"
    }
    assert len(results["gradient_norms_at_start"]["random init"]) == 3
    assert {c["verdict"] for c in results["claims"]} <= {
        "held", "not held", "inconclusive (within spread)", "not held on this small data", "not tested"
    }
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# Greedy layer-wise pre-training")
    assert "| article claim | measured | held? |" in report and "-86.34" in report
    for figure in ("rbm_filters", "rbm_samples", "rbm_curves", "gradient_norms", "test_error"):
        assert (tmp_path / f"{figure}.png").stat().st_size > 0
    assert run.profile == "smoke"
