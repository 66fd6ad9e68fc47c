"""The autoregressive reproduction runs end to end: the smoke profile, and the full one cut short by a limit.

The smoke test runs every section but the pixel models' (``--only``; they have
their own test, ``test_autoregressive_pixels.py``), numbered as in the whole
report. The full-profile test runs every section.
"""

from tfdl import claims, density_table, runner
from tfdl.models import PixelCNN, PixelRNN
from tfdl.reproductions.autoregressive import SECTIONS, density
from tfdl.reproductions.autoregressive.uci_table import PapersTable, converged

from report_checks import assert_nothing_judged_and_figures_embedded, run_full_cut_short

PIXEL_SECTIONS = ("pixels", "snippet")


def headings_in_order(report, sections):
    """Every section's numbered heading is in the report, in the article's order."""
    numbers = {s.name: i + 1 for i, s in enumerate(SECTIONS)}
    headings = [f"## {numbers[s.name]}. {s.title}" for s in sections]
    assert all(h in report for h in headings), [h for h in headings if h not in report]
    assert [report.index(h) for h in headings] == sorted(report.index(h) for h in headings)


def section_metrics(metrics):
    return {name: section["metrics"] for name, section in metrics["sections"].items()}


def test_smoke_profile_writes_metrics_figures_claims_and_report(tmp_path):
    sections = [s for s in SECTIONS if s.name not in PIXEL_SECTIONS]
    runner.reproduce("autoregressive", profile="smoke", out=tmp_path, seed=1, only=[s.name for s in sections])
    metrics, report = assert_nothing_judged_and_figures_embedded(tmp_path, min_claims=15)
    m = section_metrics(metrics)
    for key in ("NADE", "MADE", "deep MADE", "MADE ensemble", "RBM"):
        assert m["made"]["results"][key][0]["nats"] > 0 and m["made"]["results"][key][0]["bits_per_dim"] > 0
    normalisation = m["equation"]["normalisation_d10"]
    assert abs(normalisation["implemented"] - 1) < 1e-5
    assert abs(normalisation["article_formula"] - 1) > 1e-2
    assert all(max(leaks) == 0 for leaks in m["made"]["made_checks"]["max_forbidden_gradient"].values())
    assert m["nade_rbm"]["determinism"]["nade_repeat_max_abs_diff"] == 0
    kinds = {row["id"]: row["kind"] for row in metrics["claims"]}
    for check in ("equation.exact_likelihood", "nade_rbm.deterministic", "made.masks", "comparison.bound",
                  "forecasting.statsmodels_parity"):
        assert kinds[check] == "check", check
    for claim in ("nade_rbm.learns", "nade_rbm.nll", "made.vs_nade", "forecasting.co2_season"):
        assert kinds[claim] == "claim", claim
    rows = {row["id"]: row for row in metrics["claims"]}
    assert rows["forecasting.sunspots_one_step"]["baseline"] in ("last value", "seasonal naive")
    assert rows["nade_rbm.learns"]["baseline"] == "independent pixels"
    weights = m["nade_rbm"]["weights"]
    assert weights["RBM"] >= weights["NADE"]  # the RBM gets at least NADE's weights
    rbm = m["nade_rbm"]["RBM"][0]
    assert len(rbm["validation_by_check"]) >= 1 and rbm["log_z_interval"][1] >= rbm["log_z"]
    assert set(m["made"]["fitness"]) == {"NADE", "MADE", "deep MADE", "MADE ensemble", "RBM", "VAE"}
    sunspots = m["forecasting"]["sunspots"]
    assert sunspots["parity"]["coefficients"] < 1e-8 and sunspots["one_step"]["AR"] > 0
    assert m["comparison"]["vae"]["elbo_nats"] > 0
    assert report.startswith("# Autoregressive models")
    headings_in_order(report, sections)
    assert "## 6." not in report  # the pixel sections keep their numbers when left out
    table = m["uci_table"]
    assert [row["model"] for row in table["dna"]["rows"]] == list(density_table.MODELS)
    assert table["nips"]["rows"][0]["log_z"][0]["log_z_exact"] > 0
    assert "| FVSBN | " in report and "83.64" in report and "277.28" in report
    assert "88.33" in report and "86.64" in report and "paper, binarized MNIST" in report


def test_full_profile_runs_one_epoch_on_28x28_images_under_a_limit(fashion_mnist, tmp_path):
    """The full profile's models for one epoch on 4 of every count (the fewest AIS temperatures allowed)."""
    metrics, report = run_full_cut_short("autoregressive", fashion_mnist, 4, tmp_path, min_claims=15)
    m = section_metrics(metrics)
    d, hidden, latent = 784, 500, 32
    nade = 2 * d * hidden + d + hidden  # NADE: W, V, b, c; MADE 1x500: the same two weight matrices and biases
    deep = nade + hidden * hidden + hidden
    encoder = d * hidden + hidden + 2 * (hidden * latent + latent)  # heads: mean and log-variance
    decoder = latent * hidden + hidden + hidden * d + d
    rbm_hidden = 1000  # the fewest hidden units with at least NADE's weights: ceil((2·784·500 + 500) / 785)
    assert m["made"]["weights"] == {"NADE": nade, "MADE": nade, "deep MADE": deep, "MADE ensemble": deep,
                                    "RBM": d * rbm_hidden + d + rbm_hidden, "VAE": encoder + decoder}
    assert len(m["made"]["made_checks"]["max_forbidden_gradient"]["MADE ensemble"]) == 32  # one per mask set
    for name in ("NADE", "MADE", "deep MADE", "MADE ensemble", "RBM"):
        results = m["made"]["results"][name]
        assert len(results) == 1 and all(r["num_examples"] == 4 for r in results)
    built = {  # the paper's 7 layers of 16 units, and a 128-filter PixelCNN with 7 residual blocks
        "pixelcnn": PixelCNN(input_shape=(28, 28, 1), filters=128, num_residual=7, num_head=2),
        "row_lstm": PixelRNN(input_shape=(28, 28, 1), kind="row_lstm", num_layers=7, units=16),
        "diagonal_bilstm": PixelRNN(input_shape=(28, 28, 1), kind="diagonal_bilstm", num_layers=7, units=16),
    }
    pixels = m["pixels"]
    for key, model in built.items():
        assert (pixels[key]["parameters"], pixels[key]["epochs"], pixels[key]["num_examples"]) == (
            model.count_params(), 1, 4)
        assert pixels["dependency"][key]["later_pixels_seen"] == 0
    assert pixels["dependency"]["last_pixel_coverage"]["diagonal_bilstm"] == 1.0
    assert m["snippet"]["images"] == 4
    assert "4 test images of 28x28 = 784 pixels" in report and "(4 temperatures," in report
    headings_in_order(report, SECTIONS)


def test_rbm_hidden_units_give_at_least_nades_weights_and_no_more_than_needed():
    for hidden, dim, expected in ((200, 784, 400), (100, 64, 199), (500, 784, 1000)):
        rbm_hidden = density.rbm_hidden(hidden, dim)
        nade = 2 * dim * hidden + dim + hidden
        assert rbm_hidden == expected
        assert dim * rbm_hidden + dim + rbm_hidden >= nade > dim * (rbm_hidden - 1) + dim + rbm_hidden - 1


def test_a_model_near_independent_pixels_failed_to_learn_and_is_left_out_of_claims():
    # 5% of 200 nats is 10: 185 learned, 195 did not (though it is lower); a non-finite AIS interval is flagged.
    results = {"good": [{"nats": v, "converged": True} for v in (185.0, 185.5, 184.5)],
               "close": [{"nats": v, "converged": True} for v in (195.0, 195.5, 194.5)],
               "rbm": [{"nats": 150.0, "nats_interval": [None, 151.0], "converged": False}]}
    fit = density.fitness(results, 200.0)
    assert [fit[k]["status"] for k in results] == [density.LEARNED, density.FAILED, density.UNBOUNDED]
    verdict = claims.compare([185.0, 185.5, 184.5], [195.0, 195.5, 194.5], names=("good", "close"), better="lower")
    row = claims.claim("x", "q", "g", "m", **density.gated(verdict, ("good", "close"), fit))
    assert row.verdict == "not judged" and "close: failed to learn" in row.criterion
    assert density.gated(verdict, ("good", "good"), fit)["verdict"] is verdict
    assert density.gated(verdict, ("good", "rbm"), fit)["converged"] is False
    # against independent pixels, more training can only help: an unconverged model's "held" stands
    assert claims.claim("x", "q", "g", "m", **density.against_independent([185.0], 200.0, False, "a")).verdict == "held"
    failed = claims.claim("x", "q", "g", "m", **density.against_independent([199.0], 200.0, False, "b"))
    assert failed.verdict == "inconclusive (not converged)"


def test_converged_when_stopped_early_or_levelled_within_the_claims_margin():
    assert density.converged([10.0, 9.0, 8.0, 7.0, 6.0], stopped=True)
    assert not density.converged([10.0, 9.0, 8.0, 7.0, 6.0], stopped=False)  # the last epoch gained 1 nat
    assert density.converged([10.0, 9.0, 8.0, 7.9, 7.8], stopped=False)  # the last fifth gained 0.1 < 0.5


def test_papers_cell_of_a_model_still_improving_is_not_judged_not_reproduced():
    """The default budget stops after 30 epochs without improvement, at most 500: a best epoch within
    the last 30 means early stopping never ended the training."""
    row = {"model": "made_mask_sampling", "epochs": [494, 500, 497], "test_nlls": [82.9, 82.8, 82.9],
           "test_nll": 82.87, "grid": [{}]}
    assert converged(row, "default") is False and converged({**row, "epochs": [120, 300, 470]}, "default")
    assert converged({**row, "model": "rbm"}, "default") is None
    cell = PapersTable()._cell("dna", "made_mask_sampling", "MADE, mask sampling", 79.66, "paper", row, "default")
    assert cell.verdict == "inconclusive (not converged)"  # 82.87 misses 79.66 + 1, but it was still improving
    reached = PapersTable()._cell("dna", "made_mask_sampling", "MADE, mask sampling", 82.5, "paper", row, "default")
    assert reached.verdict == "held"  # within 1 nat already: more training only lowers the NLL
