"""`make reproduce-rnn` end to end on the smoke profile."""

import json
import re

from tfdl import claims, runner


def _verdicts(report):
    """The verdict column of the report's claims table."""
    table = report[report.index("| article (Hindi) |"):].split("\n\n")[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    return [re.search(r"\*\*([a-z ]+)\*\* \|$", row).group(1) for row in rows]


def test_rnn_smoke_reproduction(tmp_path):
    runner.reproduce("rnn", profile="smoke", out=tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["profile"] == "smoke" and metrics["article"] == "rnn"
    results = metrics["results"]
    snippet = results["snippet"]
    assert snippet["snippet_params"] == snippet["deep_rnn_params"] == 35_914
    assert snippet["max_abs_output_difference"] < 1e-6
    assert snippet["equations_elman_vs_by_hand"] < 1e-5
    assert snippet["equations_simple_rnn_dense_vs_elman"] < 1e-6
    assert snippet["masked_padding_max_abs_difference"] < 1e-6
    # the verbatim snippet passes input_shape= to a layer: Keras 3 warns and builds it
    assert any("input_shape" in w for w in snippet["snippet_warnings"])
    norms = results["gradient_norms"]
    assert set(norms) == {"simple", "lstm", "gru"}
    assert all(len(v) == 100 for v in norms.values())
    series = results["time_series"]["test_mse"]
    assert set(series) == {"Elman RNN", "linear AR", "MLP on x_t", "last value"}

    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# Deep recurrent networks")
    for heading in ("## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6.", "## 7. Article items"):
        assert heading in report
    assert "dropped" not in report  # Keras 3 still accepts input_shape=
    verdicts = _verdicts(report)
    assert len(verdicts) == len(results["claims"]) >= 10
    assert set(verdicts) == {"not judged"}
    assert [row["verdict"] for row in results["claims"]] == verdicts
    for figure in metrics["results"]["figures"]:
        assert (tmp_path / figure).exists()
        assert re.search(rf"!\[[^\]]+\]\({re.escape(figure)}\)", report), figure
    assert len(metrics["results"]["figures"]) == 5


def test_verdict_column_parser_reads_every_state():
    table = claims.Claims()
    for state_values in ([3.0, 1.0], [1.0, 3.0], [1.0, 1.0]):
        table.add("मूल", "gloss", "x", claims.compare(*state_values, ("a", "b")))
    table.add("मूल", "gloss", "x", None, reason="not measured")
    report = "text\n\n" + table.table() + "\n\n## next\n"
    assert _verdicts(report) == ["held", "not held", "inconclusive", "not judged"]
