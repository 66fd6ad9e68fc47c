"""`make reproduce-vae` end to end: the smoke profile, and the full one cut short by a limit."""

import subprocess
import types

import numpy as np
import pytest

import tfdl
from tfdl import chem, data, runner
from tfdl.reproductions.vae.attribute import attribute_direction, scale_for
from tfdl.reproductions.vae.training import class_names, paired

from report_checks import assert_nothing_judged_and_figures_embedded, figures, read, run_full_cut_short

# Fashion-MNIST's first 150 training images hold at least 11 of each class: the synthetic-data claim's 10
# labels per class, a thick and a thin quarter per class, and test images of every held-out class.
FULL_LIMIT = 150
FIGURES = {"training_curves.png", "reconstructions.png", "latent_codes.png", "manifold.png", "prior_samples.png",
           "interpolation.png", "attribute_manipulation.png", "anomaly_auroc.png", "imputation.png",
           "class_conditional_samples.png", "nll_vs_k.png", "style_transfer.png"}
MOLECULE_FIGURES = {"molecules.png", "properties.png", "molecule_interpolation.png"}


def expected_figures():
    """The figures of a run on this machine: the molecules' only with RDKit and the MOSES wheel cached."""
    return FIGURES | (MOLECULE_FIGURES if chem.rdkit_available() and data.available("moses") else set())


@pytest.fixture(scope="module", autouse=True)
def no_download():
    """The tests read the MOSES wheel from the Keras cache when it is there and never fetch its 51 MB."""
    refused = subprocess.CompletedProcess([], 1, "", "tests do not download")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data.subprocess, "run", lambda *args, **kwargs: refused)
        yield


def sections(metrics):
    return {name: section["metrics"] for name, section in metrics["sections"].items()}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("vae")
    runner.reproduce("vae", profile="smoke", out=out)
    return out


def test_smoke_run_writes_every_figure_and_embeds_it_in_the_report(smoke):
    metrics, report = assert_nothing_judged_and_figures_embedded(smoke, min_claims=10)
    assert expected_figures() <= set(figures(metrics))
    assert report.startswith("# Variational autoencoders")
    assert "| article (Hindi) | gloss | measured | criterion and numbers | verdict |" in report


def test_smoke_report_covers_the_article_items_and_the_paper_number(smoke):
    metrics, report = assert_nothing_judged_and_figures_embedded(smoke, min_claims=10)
    items = report.split("## 12. Article items")[1]
    for item in ("discriminative", "synthetic data", "style transfer", "drug discovery", "reparameterization",
                 "anomaly detection", "imputation", "mode collapse", "interpolation"):
        assert item in items.lower(), item
    assert "86.76" in report and "IWAE paper" in report
    found = sections(metrics)
    nll = found["likelihood"]["seeds"][0]["nll"]
    assert set(nll) == {"1", "10"} and nll["1"]["num_examples"] == 270
    assert nll["10"]["nats"] < nll["1"]["nats"]  # the importance-weighted bound tightens on the same model
    assert np.isclose(sum(found["generation"]["seeds"][0]["sample_class_fractions"]), 1.0)


CHECKS = {"model.reparameterization", "model.save_reload", "likelihood.iwae_bound_tightens",
          "imputation.given_pixels_kept"}
# claims comparing trained models, and the models each compares
COMPARED = {"generation.random_latent_points": ("VAE", "AE"), "generation.realistic": ("VAE",),
            "interpolation.interpolation": ("VAE", "AE"), "likelihood.probabilistic_framework": ("VAE",),
            "attribute.vs_random": ("VAE",), "attribute.vs_ae": ("VAE", "AE"), "imputation.vs_mean_image": ("VAE",),
            "imputation.vs_nearest_neighbours": ("VAE",), "imputation.vs_ae": ("VAE", "AE"),
            "generative.synthetic_data": ("VAE",)}


def test_smoke_claims_name_their_baselines_and_checks_stand_apart(smoke):
    metrics, report = assert_nothing_judged_and_figures_embedded(smoke, min_claims=10)
    rows = {row["id"]: row for row in metrics["claims"]}
    assert {i for i, row in rows.items() if row["kind"] == "check"} == CHECKS
    assert "Implementation checks: 4 of 4 pass." in report
    measured = [row for row in rows.values() if row["kind"] == "claim" and row["ours"] is not None]
    # 12 claims on images, 2 on style transfer, and the molecules' 2 where RDKit and the MOSES data are here
    molecules = 2 if {"molecules.png"} <= expected_figures() else 0
    assert len(measured) == 14 + molecules
    assert all(row["baseline"] and row["baseline_value"] is not None for row in measured)
    assert all(row["baseline"] != "zero" for row in measured)  # paired claims name what they were paired with
    seeds = sections(metrics)["model"]["seeds"]
    for id, names in COMPARED.items():  # converged: every compared model of every seed levelled off
        assert rows[id]["converged"] == all(r["converged"][n] for r in seeds for n in names), id
    anomaly = sections(metrics)["anomaly"]["converged"]
    assert rows["anomaly.vs_ae"]["converged"] == all(c["VAE"] and c["AE"] for c in anomaly)
    realistic = rows["generation.realistic"]
    assert realistic["criterion"].startswith("smoke profile") and "non-inferiority" in realistic["criterion"]
    assert realistic["baseline"] == "real test images"
    assert realistic["baseline_value"] == pytest.approx(np.mean([r["ln_fd_real"] for r in
                                                                 sections(metrics)["generation"]["seeds"]]))


def test_smoke_imputation_faces_the_trivial_fills(smoke):
    metrics, _ = read(smoke)
    found = sections(metrics)["imputation"]
    fills = found["baseline_imputation_mse"]
    x = tfdl.data.load("digits", binarize="threshold", flatten=True)
    x_test = tfdl.data.load("digits", "test", binarize="threshold", flatten=True)
    bottom = x_test[:, 32:]  # the hidden bottom half of each 8x8 image
    assert fills["constant 0.5"] == pytest.approx(0.25)  # binary targets: every error is 0.5
    assert fills["mean training image"] == pytest.approx(np.mean((bottom - x[:, 32:].mean(0)) ** 2), rel=1e-5)
    assert found["eval_images"] == len(x_test) == 270
    for seed in found["seeds"]:
        assert set(seed["imputation_mse"]) == {"VAE (posterior mean given the top, importance-weighted)",
                                               "VAE (clamped iterations)", "AE (clamped iterations)"}
        assert all(0 <= v <= 1 for v in seed["imputation_mse"].values())


def test_smoke_attribute_edits_both_latent_spaces(smoke):
    metrics, report = read(smoke)
    for seed in sections(metrics)["attribute"]["seeds"]:
        for model in ("VAE", "AE"):
            found = seed["attribute"][model]
            for name in ("attribute", "random"):  # a successful edit keeps the class
                assert found["success_pct"][name] <= found["class_kept_pct"][name]
            assert found["reached_target_pct"]["attribute"] == (100.0 if found["ink_change_pct"]["attribute"] >= 20
                                                                else 0.0)
    assert "stroke thickness" in report.split("## 7.")[1].split("## 8.")[0]


def test_attribute_direction_is_top_minus_bottom_quarter_by_hand():
    ink = np.arange(1.0, 9.0)  # one class; quartiles 2.75 and 6.25: bottom {1, 2}, top {7, 8}
    codes = np.stack([ink, -2 * ink], axis=1)
    np.testing.assert_allclose(attribute_direction(codes, ink, np.zeros(8)), [7.5 - 1.5, -2 * (7.5 - 1.5)])
    # two classes: the mean of the two gaps
    labels = np.repeat([0, 1], 8)
    two = attribute_direction(np.concatenate([codes, 3 * codes]), np.tile(ink, 2), labels)
    np.testing.assert_allclose(two, [(6 + 18) / 2, (-12 - 36) / 2])


def test_scale_for_finds_the_multiple_that_reaches_the_target():
    assert scale_for(lambda t: 10 * t, 20.0) == pytest.approx(2.0, abs=8 / 2**12)
    assert scale_for(lambda t: 10 * t, 20.0) >= 2.0  # the target is reached, not just approached
    assert scale_for(lambda t: -t, 20.0) == 8.0  # never reached: the largest multiple tried


def test_class_names_are_the_data_sets_own_words():
    assert class_names(types.SimpleNamespace(dataset="fashion_mnist"), [0, 6, 9]) == ["T-shirt/top", "Shirt",
                                                                                      "Ankle boot"]
    assert class_names(types.SimpleNamespace(dataset="digits"), [3]) == ["digit 3"]


def test_smoke_molecules_and_style_transfer(smoke):
    metrics, report = assert_nothing_judged_and_figures_embedded(smoke, min_claims=10)
    found = sections(metrics)
    transfer = found["style_transfer"]["seeds"][0]
    assert 0 <= transfer["target"] + transfer["source"] <= 100 and -1 <= transfer["style"] <= 1
    molecules = found["drug_discovery"]
    if "missing" in molecules:  # no RDKit or no cached MOSES wheel: the section says what to get
        assert "pip " in molecules["missing"] and "Not measured on this machine" in report
        return
    assert molecules["train_size"] <= 1_000 and 0 <= molecules["ours"]["valid"] <= 1
    assert "VAE (MOSES README: char-level VAE, MOSES train/test) | 0.9528" in report


def test_paired_comparison_cancels_what_varies_between_pairs():
    from tfdl import claims

    hard_to_easy = np.array([0.6, 0.8, 0.95])  # AUROC of the baseline per held-out class
    better = hard_to_easy + [0.05, 0.04, 0.06]
    unpaired = claims.compare(better, hard_to_easy, names=("VAE", "AE"), better="higher", margin=0.01)
    assert unpaired.state == "inconclusive"  # the classes' spread hides the gain
    held = paired(better, hard_to_easy, ("VAE", "AE"), "higher", 0.01)
    assert held.state == "held" and held.baseline == "AE"  # the row names the baseline and its mean, not "zero"
    assert held.ours == pytest.approx(better.mean()) and held.baseline_value == pytest.approx(hard_to_easy.mean())
    assert paired(hard_to_easy, better, ("AE", "VAE"), "higher", 0.01).state == "not held"
    assert paired(better, hard_to_easy, ("VAE", "AE"), "lower", 0.01).state == "not held"


def test_full_profile_runs_one_epoch_on_28x28_images_under_a_limit(fashion_mnist, tmp_path):
    """The full profile's path (200-200-50, batch 20, stochastic binarization, k up to 5000) in one epoch on a CPU."""
    metrics, report = run_full_cut_short("vae", fashion_mnist, FULL_LIMIT, tmp_path, min_claims=10)
    found = sections(metrics)
    s = found["model"]["settings"]
    assert (s["hidden"], s["latent_dim"], s["batch_size"], s["binarize"]) == ([200, 200], 50, 20, "stochastic")
    encoder = 784 * 200 + 200 + 200 * 200 + 200  # the heads apart: the VAE's mean and log-variance, the AE's code
    decoder = 50 * 200 + 200 + 200 * 200 + 200 + 200 * 784 + 784
    head = 200 * 50 + 50
    assert len(found["model"]["seeds"]) == 1  # one seed under a limit
    for seed in found["model"]["seeds"]:
        assert seed["parameters"] == {"VAE": encoder + 2 * head + decoder, "AE": encoder + head + decoder}
    for seed in found["likelihood"]["seeds"]:
        assert {k: v["num_examples"] for k, v in seed["nll"].items()} == {"1": 150, "50": 150, "150": 150}
    assert found["likelihood"]["num_samples"] == [1, 50, FULL_LIMIT] and s["fd_size"] == s["fd_reference"] == FULL_LIMIT
    assert {len(aurocs) for aurocs in found["anomaly"]["anomaly_auroc"].values()} == {10}
    assert "| 10 per class |" in report and "| 100 per class (the limit leaves 150 labelled, 11 in" in report
    assert set(figures(metrics)) == expected_figures()


def test_a_limit_that_leaves_a_class_too_few_images_fails_before_training(fashion_mnist, tmp_path):
    # 100 Fashion-MNIST images leave a class with fewer than 10: the run refuses the limit at once
    with pytest.raises(ValueError, match="Expected limit >= 150 for article='vae'"):
        runner.reproduce("vae", dataset=fashion_mnist, profile="full", epochs=1, limit=100, out=tmp_path)
