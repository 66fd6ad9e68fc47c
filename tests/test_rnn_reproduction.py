"""`make reproduce-rnn` end to end: the smoke profile, and the full one cut short by a limit."""

import json

from tfdl import claims, runner

from report_checks import assert_nothing_judged_and_figures_embedded, run_full_cut_short, verdicts


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
    assert len(results["figures"]) == 5
    assert_nothing_judged_and_figures_embedded(tmp_path, results, report, min_claims=10)


def test_rnn_full_profile_one_epoch_on_28x28_with_a_limit(tmp_path, fashion_mnist):
    # the full profile's models on 28x28 rows, one epoch, 40 of every count, one seed
    results, report = run_full_cut_short("rnn", fashion_mnist, 40, tmp_path)
    assert results["snippet"]["snippet_params"] == 35_914
    classifiers = results["architectures"]["classifiers"]
    # MLP(64) on 784 pixels, SimpleRNN(64) and 2 x SimpleRNN(64) reading 28 pixels a step
    assert [classifiers[k]["params"] for k in ("MLP(64)", "SimpleRNN(64)", "2 x SimpleRNN(64)")] == [
        50_890, 6_602, 14_858]
    assert all(len(v["accuracy"]) == 1 for v in classifiers.values())
    assert {k: v["params"] for k, v in results["architectures"]["reversal"].items()} == {
        "encoder-decoder GRU(64)": 40_202, "aligned 2 x GRU(64)": 40_202}
    assert set(results["adding_problem"]) == {"simple_T20", "simple_T100", "lstm_T100", "gru_T100"}
    assert all(len(v) == 100 for v in results["gradient_norms"].values())
    assert "the first 40 training and 40 test images of `fashion_mnist`, each read as 28 steps" in report
    assert "400 training and 80 test samples" in report  # the series: ten windows, not 40 samples
    assert len(results["figures"]) == 5
    assert_nothing_judged_and_figures_embedded(tmp_path, results, report, min_claims=10)


def test_verdict_column_parser_reads_every_state():
    table = claims.Claims()
    for state_values in ([3.0, 1.0], [1.0, 3.0], [1.0, 1.0]):
        table.add("मूल", "gloss", "x", claims.compare(*state_values, ("a", "b")))
    table.add("मूल", "gloss", "x", None, reason="not measured")
    report = "text\n\n" + table.table() + "\n\n## next\n"
    assert verdicts(report) == ["held", "not held", "inconclusive", "not judged"]
