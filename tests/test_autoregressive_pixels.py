from pathlib import Path

from tfdl.runner import Run, load_file

PIXELS = Path(__file__).resolve().parents[1] / "reproductions" / "autoregressive_pixels.py"


def test_pixel_sections_smoke(tmp_path):
    module = load_file(PIXELS)
    run = Run("autoregressive", profile="smoke", out=tmp_path)
    claims = run.claims()
    text = module.pixel_sections(run, claims)
    assert text.startswith("## 5. PixelRNN and PixelCNN")
    for name in ["PixelCNN", "Row LSTM", "Diagonal BiLSTM", "81.30", "80.54", "79.20"]:
        assert name in text
    for key in ["pixelcnn", "row_lstm", "diagonal_bilstm"]:
        assert 0 < run.metrics[key]["nats"] < 64 * 10
        assert run.metrics[key]["bits_per_dim"] > 0
        assert run.metrics["dependency"][key]["later_pixels_seen"] == 0
    assert run.metrics["dependency"]["snippet"]["later_pixels_seen"] > 0
    assert {row["verdict"] for row in claims.rows} == {"not judged"}
    for figure in ["pixel_dependency", "pixel_samples", "pixel_training_curves", "snippet_copies"]:
        assert (tmp_path / f"{figure}.png").exists()
        assert f"]({figure}.png)" in text


def test_snippet_parameter_count_by_hand():
    # The article's snippet on its implied 32x32 RGB input: 3x3 kernels 3->64->128->256, then 1x1 256->3.
    snippet = load_file(PIXELS).load_snippet().build()
    assert snippet.count_params() == (9 * 3 * 64 + 64) + (9 * 64 * 128 + 128) + (9 * 128 * 256 + 256) + (256 * 3 + 3)
