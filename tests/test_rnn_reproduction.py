"""`make reproduce-rnn` end to end: the smoke profile, and the full one cut short by a limit."""

from tfdl import runner

from report_checks import assert_nothing_judged_and_figures_embedded, run_full_cut_short


def test_rnn_smoke_reproduction(tmp_path):
    runner.reproduce("rnn", profile="smoke", out=tmp_path)
    metrics, report = assert_nothing_judged_and_figures_embedded(tmp_path, min_claims=10)
    assert metrics["profile"] == "smoke" and metrics["article"] == "rnn"
    sections = {name: section["metrics"] for name, section in metrics["sections"].items()}
    snippet = sections["snippet"]
    assert snippet["snippet_params"] == snippet["deep_rnn_params"] == 35_914
    assert snippet["max_abs_output_difference"] < 1e-6
    assert snippet["equations_elman_vs_by_hand"] < 1e-5
    assert snippet["equations_simple_rnn_dense_vs_elman"] < 1e-6
    assert snippet["masked_padding_max_abs_difference"] < 1e-6
    # the verbatim snippet passes input_shape= to a layer: Keras 3 warns and builds it
    assert any("input_shape" in w for w in snippet["snippet_warnings"])
    norms = sections["vanishing"]["gradient_norms"]
    assert set(norms) == {"simple", "lstm", "gru"}
    assert all(len(v) == 100 for v in norms.values())
    assert set(sections["series"]["test_mse"]) == {"Elman RNN", "linear AR", "MLP(26) on the window", "MLP on x_t",
                                                   "last value"}
    # every claim comparing trained models says whether they converged (one epoch on smoke: no)
    compared = [row for row in metrics["claims"] if row["id"] in ("depth.two_layers", "series.rnn_vs_feed_forward",
                                                                  "long_term.lstm_improves")]
    assert len(compared) == 3 and all(row["converged"] is False for row in compared)
    assert all(row["baseline"] for row in metrics["claims"] if row["kind"] == "claim" and row["ours"] is not None)
    assert [row["kind"] for row in metrics["claims"]].count("check") == 3

    assert report.startswith("# Deep recurrent networks")
    for number, title in enumerate(["The snippet", "The four architectures", "Depth", "A time series",
                                    "Limitations: vanishing", "Limitations: long-term", "Article items"], 1):
        assert f"## {number}. {title}" in report
    assert "SimpleRNN(128, input_shape=(100, 50), return_sequences=True)" in report  # the snippet, printed
    assert "dropped" not in report  # Keras 3 still accepts input_shape=
    assert sum(len(s["figures"]) for s in metrics["sections"].values()) == 5


def test_rnn_full_profile_one_epoch_on_28x28_with_a_limit(tmp_path, fashion_mnist):
    # the full profile's models on 28x28 rows, one epoch, 40 of every count, one seed
    metrics, report = run_full_cut_short("rnn", fashion_mnist, 40, tmp_path, min_claims=10)
    sections = {name: section["metrics"] for name, section in metrics["sections"].items()}
    assert sections["snippet"]["snippet_params"] == 35_914
    classifiers = sections["architectures"]["classifiers"]
    # MLP(64) on 784 pixels, SimpleRNN(64) and 2 x SimpleRNN(64) reading 28 pixels a step
    assert [classifiers[k]["params"] for k in ("MLP(64)", "SimpleRNN(64)", "2 x SimpleRNN(64)")] == [
        50_890, 6_602, 14_858]
    assert all(len(v["accuracy"]) == 1 for v in classifiers.values())
    assert {k: v["params"] for k, v in sections["architectures"]["reversal"].items()} == {
        "encoder-decoder GRU(64)": 40_202, "MLP(332) on the whole sequence": 40_232, "aligned 2 x GRU(64)": 40_202}
    assert set(sections["long_term"]["adding_problem"]) == {"simple_T20", "simple_T100", "lstm_T100", "gru_T100"}
    assert all(len(v) == 100 for v in sections["vanishing"]["gradient_norms"].values())
    assert "the first 40 training and 40 test images of `fashion_mnist`, each read as 28 steps" in report
    assert "400 training and 80 test samples" in report  # the series: ten windows, not 40 samples


def test_one_section_runs_alone(tmp_path):
    outcomes = runner.reproduce("rnn", profile="smoke", out=tmp_path, only=["depth"])
    assert [o.name for o in outcomes] == ["depth"]
    metrics, report = assert_nothing_judged_and_figures_embedded(tmp_path, min_claims=2)
    assert list(metrics["sections"]) == ["depth"] and "## 3. Depth" in report and "## 2." not in report
