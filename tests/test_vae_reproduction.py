import json
import re

import numpy as np
import pytest

from tfdl import runner

CLAIMS_HEADER = "| article (Hindi) | gloss | measured | criterion and numbers | verdict |"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("vae")
    runner.reproduce("vae", profile="smoke", out=out)
    return out, json.loads((out / "metrics.json").read_text())["results"], (out / "report.md").read_text()


def test_smoke_run_writes_every_figure_and_embeds_it_in_the_report(smoke):
    out, results, report = smoke
    assert {"training_curves.png", "reconstructions.png", "latent_codes.png", "manifold.png", "prior_samples.png",
            "interpolation.png", "attribute_manipulation.png", "anomaly_auroc.png", "imputation.png",
            "class_conditional_samples.png", "nll_vs_k.png"} <= set(results["figures"])
    for figure in results["figures"]:
        assert (out / figure).stat().st_size > 1000
        assert re.search(rf"!\[[^\]]+\]\({re.escape(figure)}\)", report), figure


def test_smoke_report_has_the_claims_table_and_no_verdict_but_not_judged(smoke):
    _, results, report = smoke
    assert report.startswith("# Variational autoencoders")
    assert CLAIMS_HEADER in report
    rows = report.split(CLAIMS_HEADER)[1].split("\n\n")[0].strip().splitlines()[1:]
    verdicts = [row.rsplit("|", 2)[1].strip() for row in rows]
    assert len(verdicts) == len(results["claims"]) >= 10
    assert set(verdicts) == {"**not judged**"}
    assert {row["verdict"] for row in results["claims"]} == {"not judged"}


def test_smoke_report_covers_the_article_items_and_the_paper_number(smoke):
    _, results, report = smoke
    items = report.split("## Article items")[1]
    for item in ("discriminative", "synthetic data", "style transfer", "drug discovery", "reparameterization",
                 "anomaly detection", "imputation", "mode collapse", "interpolation"):
        assert item in items.lower(), item
    assert "86.76" in report and "IWAE paper" in report
    nll = results["seeds"][0]["nll"]
    assert set(nll) == {"1", "10"} and nll["1"]["num_examples"] == 270
    assert nll["10"]["nats"] < nll["1"]["nats"]  # the importance-weighted bound tightens on the same model
    assert np.isclose(sum(results["seeds"][0]["sample_class_fractions"]), 1.0)


def test_paired_comparison_cancels_what_varies_between_pairs():
    vae = runner.load_file(runner.REPRODUCTIONS / "vae.py")
    hard_to_easy = np.array([0.6, 0.8, 0.95])  # AUROC of the baseline per held-out class
    better = hard_to_easy + [0.05, 0.04, 0.06]
    unpaired = vae.claims.compare(better, hard_to_easy, names=("VAE", "AE"), better="higher", margin=0.01)
    assert unpaired.state == "inconclusive"  # the classes' spread hides the gain
    assert vae._paired(better, hard_to_easy, ("VAE", "AE"), "higher", 0.01).state == "held"
    assert vae._paired(hard_to_easy, better, ("AE", "VAE"), "higher", 0.01).state == "not held"
    assert vae._paired(better, hard_to_easy, ("VAE", "AE"), "lower", 0.01).state == "not held"
