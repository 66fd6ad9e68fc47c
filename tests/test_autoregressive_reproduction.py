"""The autoregressive reproduction runs end to end: the smoke profile, and the full one cut short by a limit.

The smoke test runs every section but the pixel models' (``--only``; they have
their own test, ``test_autoregressive_pixels.py``), numbered as in the whole
report. The full-profile test runs every section.
"""

import numpy as np

from tfdl import density_table, runner
from tfdl.models import PixelCNN, PixelRNN
from tfdl.reproductions.autoregressive import SECTIONS, forecasting

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
    assert m["made"]["weights"] == {"NADE": nade, "MADE": nade, "deep MADE": deep, "MADE ensemble": deep,
                                    "RBM": d * hidden + d + hidden, "VAE": encoder + decoder}
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


def test_least_squares_ar_recovers_the_generating_coefficients():
    rng = np.random.default_rng(0)
    x = np.zeros(20_000)
    for t in range(2, len(x)):
        x[t] = 1.6 * x[t - 1] - 0.8 * x[t - 2] + rng.standard_normal()
    # oldest lag first, intercept last
    np.testing.assert_allclose(forecasting.fit_ar(x, 2), [-0.8, 1.6, 0.0], atol=0.02)


def test_rollout_feeds_its_forecasts_back():
    # x_t = x_(t-1) + 1 (a_2 = 0, a_1 = 1, a_0 = 1) from ..., 4, 5: 6, 7, 8 by hand.
    np.testing.assert_allclose(forecasting.rollout(np.array([0.0, 1.0, 1.0]), np.array([4.0, 5.0]), 3), [6, 7, 8])
