from pathlib import Path

from tfdl.runner import Run, load_file


def test_pixel_sections_smoke(tmp_path):
    path = Path(__file__).resolve().parents[1] / "reproductions" / "autoregressive_pixels.py"
    module = load_file(path)
    run = Run("autoregressive", profile="smoke", out=tmp_path)
    text = module.pixel_sections(run)
    assert text.startswith("## PixelCNN and PixelRNN")
    for name in ["PixelCNN", "Row LSTM", "Diagonal BiLSTM", "81.30", "80.54", "79.20"]:
        assert name in text
    for key in ["pixelcnn", "row_lstm", "diagonal_bilstm"]:
        assert 0 < run.metrics[key]["nats"] < 64 * 10
        assert run.metrics[key]["bits_per_dim"] > 0
        assert run.metrics["dependency"][key]["later_pixels_seen"] == 0
    assert run.metrics["dependency"]["snippet"]["later_pixels_seen"] > 0
    for figure in ["pixel_dependency", "pixel_samples", "pixel_training_curves"]:
        assert (tmp_path / f"{figure}.png").exists()
