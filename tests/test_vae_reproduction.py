import json

import numpy as np
import pytest

from tfdl import runner

from report_checks import CLAIMS_HEADER, assert_nothing_judged_and_figures_embedded, run_full_cut_short, verdicts

# Fashion-MNIST's first 150 training images hold at least 11 of each class: the augmentation claim's 10
# labels per class, a thick and a thin quarter per class, and test images of every held-out class.
FULL_LIMIT = 150


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
    assert_nothing_judged_and_figures_embedded(out, results, report)


def test_smoke_report_has_the_claims_table_and_no_verdict_but_not_judged(smoke):
    out, results, report = smoke
    assert report.startswith("# Variational autoencoders")
    assert CLAIMS_HEADER in report
    assert len(verdicts(report)) >= 10
    assert_nothing_judged_and_figures_embedded(out, results, report)


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


def test_full_profile_runs_one_epoch_on_28x28_images_under_a_limit(fashion_mnist, tmp_path):
    """The full profile's path (200-200-50, batch 20, stochastic binarization, k up to 5000) in one epoch on a CPU."""
    results, report = run_full_cut_short("vae", fashion_mnist, FULL_LIMIT, tmp_path)
    s = results["settings"]
    assert (s["hidden"], s["latent_dim"], s["batch_size"], s["binarize"]) == ([200, 200], 50, 20, "stochastic")
    encoder = 784 * 200 + 200 + 200 * 200 + 200  # the heads apart: the VAE's mean and log-variance, the AE's code
    decoder = 50 * 200 + 200 + 200 * 200 + 200 + 200 * 784 + 784
    head = 200 * 50 + 50
    assert len(results["seeds"]) == 1  # one seed under a limit
    for seed in results["seeds"]:
        assert seed["parameters"] == {"VAE": encoder + 2 * head + decoder, "AE": encoder + head + decoder}
        assert {k: v["num_examples"] for k, v in seed["nll"].items()} == {"1": 150, "50": 150, "150": 150}
    assert s["num_samples"] == [1, 50, FULL_LIMIT] and s["fd_size"] == s["fd_reference"] == FULL_LIMIT
    assert {len(aurocs) for aurocs in results["anomaly_auroc"].values()} == {10}
    assert "| 10 per class |" in report and "| 100 per class (the limit leaves 150 labelled, 11 in" in report
    assert len(results["figures"]) == 11
    assert_nothing_judged_and_figures_embedded(tmp_path, results, report)


def test_a_limit_that_leaves_a_class_too_few_images_fails_before_training(fashion_mnist, tmp_path):
    with pytest.raises(ValueError, match="limit=100 leaves a class with fewer than 10 training images"):
        runner.reproduce("vae", dataset=fashion_mnist, profile="full", epochs=1, limit=100, out=tmp_path)
