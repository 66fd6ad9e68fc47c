import json

import numpy as np

from tfdl import runner


def test_smoke_profile_writes_metrics_report_and_figures(tmp_path):
    runner.reproduce("vae", profile="smoke", out=tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["article"] == "vae" and metrics["profile"] == "smoke"
    results = metrics["results"]
    for figure in ("training_curves", "reconstructions", "samples", "manifold", "latent_means",
                   "ae_vs_vae_prior_samples", "interpolation", "attribute_manipulation", "imputation"):
        assert f"{figure}.png" in results["figures"]
        assert (tmp_path / f"{figure}.png").stat().st_size > 1000
    assert set(results["vae_final"]) >= {"loss", "reconstruction_loss", "kl_loss", "val_loss"}
    assert 0.0 <= results["anomaly_auroc"]["0"] <= 1.0
    nll = results["test_nll"]
    assert set(nll) == {"1", "10"} and nll["1"]["num_examples"] == 270
    assert nll["10"]["nats"] < nll["1"]["nats"]  # IWAE tightens the bound on the same model
    assert np.isclose(sum(results["vae_sample_class_fractions"]), 1.0)
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# Variational autoencoders")
    assert "| article claim | measured | held? |" in report
    assert "86.76" in report and "IWAE paper" in report
