"""`make reproduce-rnn` end to end on the smoke profile."""

import json

from tfdl import runner


def test_rnn_smoke_reproduction(tmp_path):
    runner.reproduce("rnn", profile="smoke", out=tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["profile"] == "smoke" and metrics["article"] == "rnn"
    results = metrics["results"]
    snippet = results["snippet"]
    assert snippet["snippet_params"] == snippet["deep_rnn_params"] == 35_914
    assert snippet["max_abs_output_difference"] < 1e-6
    assert snippet["elman_vs_simple_rnn_max_abs_difference"] < 1e-6
    assert snippet["masked_padding_max_abs_difference"] < 1e-6
    norms = results["gradient_norms"]
    assert set(norms) == {"simple", "lstm", "gru"}
    assert all(len(v) == 100 for v in norms.values())
    architectures = results["architectures"]
    for key in ("one_to_one_digits_accuracy", "many_to_one_digits_accuracy",
                "many_to_many_running_sum_accuracy", "encoder_decoder_reversal_token_accuracy"):
        assert 0.0 <= architectures[key] <= 1.0
    assert len(results["claims"]) == 10
    assert {c["held"] for c in results["claims"]} <= {"yes", "no", "yes (on this small task)",
                                                        "no (on this small task)"}
    assert (tmp_path / "gradient_norms.png").exists()
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# Deep recurrent networks")
    for heading in ("## 1.", "## 2.", "## 3.", "## 4.", "## 5."):
        assert heading in report
