"""The pixel models' sections (PixelCNN, PixelRNN and the article's snippet) on the smoke profile."""

import re

from tfdl import runner
from tfdl.reproductions import snippets

from report_checks import assert_nothing_judged_and_figures_embedded


def test_pixel_sections_smoke(tmp_path):
    runner.reproduce("autoregressive", profile="smoke", out=tmp_path, only=["pixels", "snippet"])
    metrics, report = assert_nothing_judged_and_figures_embedded(tmp_path)
    assert list(metrics["sections"]) == ["pixels", "snippet"]
    assert re.search(r"^## \d+\. PixelRNN and PixelCNN$", report, re.M)
    pixels = metrics["sections"]["pixels"]["metrics"]
    for name in ["PixelCNN", "Row LSTM", "Diagonal BiLSTM", "81.30", "80.54", "79.20"]:
        assert name in report
    for key in ["pixelcnn", "row_lstm", "diagonal_bilstm"]:
        assert 0 < pixels[key]["nats"] < 64 * 10
        assert pixels[key]["bits_per_dim"] > 0
        assert pixels["dependency"][key]["later_pixels_seen"] == 0
    assert metrics["sections"]["snippet"]["metrics"]["dependency"]["snippet"]["later_pixels_seen"] > 0
    figures = [name for section in metrics["sections"].values() for name in section["figures"]]
    assert {"pixel_dependency.png", "pixel_samples.png", "pixel_training_curves.png", "snippet_copies.png"} <= set(
        figures)
    assert "layers.Conv2D(64, (3,3), padding='same', activation='relu')," in report  # the snippet, printed
    kinds = {row["id"]: row["kind"] for row in metrics["claims"]}
    assert kinds["pixels.previous_pixels"] == kinds["pixels.local_global"] == "check"  # true by construction
    assert kinds["pixels.learns_dependencies"] == "claim"
    assert "79.20 (7 layers of 16 units)" in report and "Diagonal BiLSTM: 1 layer(s) of 4 units" in report
    assert "{'" not in report  # settings in words, not Python dicts


def test_snippet_parameter_count_by_hand():
    # The article's snippet on its implied 32x32 RGB input: 3x3 kernels 3->64->128->256, then 1x1 256->3.
    snippet = snippets.run("pixelrnn_like").build()
    assert snippet.count_params() == (9 * 3 * 64 + 64) + (9 * 64 * 128 + 128) + (9 * 128 * 256 + 256) + (256 * 3 + 3)
