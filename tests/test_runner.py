import json
import re
import subprocess
import sys
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdl import claims, plotting, report, runner, tables


class Curve(report.Section):
    """A toy section: fits a linear layer, judges one claim and one check, draws its curve."""

    name, title = "curve", "A toy curve"

    def settings(self, run):
        return {"epochs": run.num_epochs(smoke=1, default=5, full=50)}

    def measure(self, run, s):
        x = run.load(binarize="threshold", flatten=True)
        with run.strategy.scope():
            model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64)])
            model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, x, epochs=s["epochs"], batch_size=64, verbose=0)
        return {"epochs": s["epochs"], "final_loss": history.history["loss"][-1], "_loss": history.history["loss"]}

    def judge(self, run, s, m):
        return [claims.claim("falls", "मूल", "the loss falls", "final loss vs 1",
                             claims.bound(m["final_loss"], 1.0, "final loss")),
                claims.check("finite", "the loss is finite", "final loss", claims.bound(m["final_loss"], 1e9, "loss"))]

    def draw(self, run, s, m):
        figure, axis = plotting.figure()
        axis.plot(m["_loss"])
        return {"curve": (figure, "the loss curve")}

    def write(self, run, s, m, figures):
        return f"Final loss {m['final_loss']:.4f}.\n\n{figures['curve']}"


TOY = types.SimpleNamespace(TITLE="Toy", INTRO="An introduction.", SECTIONS=[Curve()])


@pytest.fixture
def toy_article(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "article_module", lambda article: TOY)
    return tmp_path / "out"


def test_reproduce_writes_metrics_figures_and_report(toy_article):
    outcomes = runner.reproduce("vae", profile="default", out=toy_article, seed=3)
    metrics = json.loads((toy_article / "metrics.json").read_text())
    assert metrics["dataset"] == "digits" and metrics["profile"] == "default"
    assert metrics["seed"] == 3 and metrics["wall_time_s"] > 0
    assert metrics["device"].startswith(("CPU", "1 GPU"))
    section = metrics["sections"]["curve"]
    assert section["metrics"]["epochs"] == 5 and "_loss" not in section["metrics"]
    assert section["figures"] == ["curve.png"] and (toy_article / "curve.png").stat().st_size > 1000
    assert [(r["id"], r["kind"]) for r in metrics["claims"]] == [("curve.falls", "claim"), ("curve.finite", "check")]
    assert metrics["claims"][1]["verdict"] == "pass"
    text = (toy_article / "report.md").read_text()
    assert text.startswith("# Toy\n\nData set: `digits`; profile: `default`")
    assert "## 1. A toy curve" in text and "![the loss curve](curve.png)" in text
    assert f"Final loss {outcomes[0].metrics['final_loss']:.4f}." in text
    assert "Implementation checks: 1 of 1 pass." in text


def test_epochs_override_beats_the_profile_and_judges_nothing(toy_article):
    outcome, = runner.reproduce("vae", profile="default", epochs=2, out=toy_article)
    assert outcome.metrics["epochs"] == 2
    assert [r.verdict for r in outcome.rows] == ["not judged", "pass"]  # checks are still judged


def test_limit_cuts_every_split_and_count_and_judges_nothing(toy_article):
    run = runner.Run("vae", profile="default", limit=150, out=toy_article)
    assert len(run.load("train")) == len(run.load("test")) == 150
    x, y = run.load("valid", with_labels=True)
    assert x.shape == (150, 8, 8, 1) and y.shape == (150,)
    assert np.array_equal(x, runner.Run("vae").load("valid")[:150])
    assert (run.at_most(1000), run.at_most(7), run.at_most(None)) == (150, 7, None)
    assert runner.Run("vae").at_most(1000) == 1000
    assert (run.num_seeds(5), runner.Run("vae").num_seeds(5), run.seeds(3)) == (1, 5, [0])
    assert run.judged == "limit=150 cuts the default profile's data and counts"
    outcome, = runner.reproduce("vae", profile="default", limit=150, out=toy_article)
    assert outcome.metrics["epochs"] == 5  # model sizes and epochs stay the profile's
    assert json.loads((toy_article / "metrics.json").read_text())["limit"] == 150
    assert "(limit=150: a check of the code path, not a result)" in (toy_article / "report.md").read_text()


def test_same_seed_same_numbers(toy_article):
    a = runner.reproduce("vae", profile="smoke", out=toy_article, seed=5)[0].metrics["final_loss"]
    b = runner.reproduce("vae", profile="smoke", out=toy_article, seed=5)[0].metrics["final_loss"]
    assert a == b


def test_mirrored_strategy_trains_on_two_logical_cpus():
    assert len(tf.config.list_logical_devices("CPU")) == 2
    run = runner.Run("vae", strategy="mirrored", out="unused")
    assert run.strategy.num_replicas_in_sync == 2
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = x @ np.arange(4, dtype="float32")[:, None]
    with run.strategy.scope():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.5 * before


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"article": "gan"}, r"article in \('autoregressive', 'vae', 'rnn', 'pretraining'\).*'gan'"),
        ({"article": "vae", "profile": "huge"}, r"profile.*Received: profile='huge'"),
        ({"article": "vae", "epochs": 0}, r"positive integer. Received: epochs=0"),
        ({"article": "vae", "strategy": "tpu"}, r"strategy.*Received: strategy='tpu'"),
        ({"article": "vae", "dataset": "cifar"}, r"dataset.*Received: dataset='cifar'"),
        ({"article": "vae", "seed": 1.7}, r"seed to be an integer in \[0, 2\*\*32\). Received: seed=1.7"),
        ({"article": "vae", "seed": -1}, r"seed to be an integer in \[0, 2\*\*32\). Received: seed=-1"),
        ({"article": "vae", "seed": 2**32 + 7}, r"Received: seed=4294967303"),
        ({"article": "vae", "seed": "1"}, r"Received: seed='1'"),
        ({"article": "vae", "limit": 0}, r"positive integer. Received: limit=0"),
        ({"article": "vae", "limit": 149}, r"limit >= 150 for article='vae'.*Received: limit=149"),
        ({"article": "vae", "out": ""}, r"out to name a folder. Received: out=''"),
    ],
)
def test_run_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        runner.Run(**kwargs)


def test_unknown_section_is_a_clear_error(toy_article):
    with pytest.raises(ValueError, match=r"section names among \['curve'\]. Received: only=\['nope'\]"):
        runner.reproduce("vae", profile="smoke", out=toy_article, only=["nope"])


def test_markdown_table_and_mean_se():
    table = tables.markdown_table(["a", "b"], [["x", 1.23456], [2, "y"]])
    assert table == "| a | b |\n|---|---|\n| x | 1.235 |\n| 2 | y |"
    assert tables.mean_se([1.0, 2.0, 3.0]) == "2 ± 0.58"  # standard error: sd 1 / sqrt(3)
    assert tables.mean_se([4.0]) == "4"
    assert tables.se_header("accuracy", [0, 1, 2]) == "accuracy, mean ± s.e. over 3 seeds"


def test_cli_help_lists_the_articles():
    result = subprocess.run([sys.executable, "-m", "tfdl", "reproduce", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "{autoregressive,vae,rnn,pretraining,all}" in result.stdout


def test_progress_lines_and_judged(tmp_path, capsys):
    run = runner.Run("vae", profile="smoke", out=tmp_path)
    run.progress("1. Training")
    assert re.fullmatch(r"\[vae +\d+\.\d s\] 1\. Training\n", capsys.readouterr().out)
    assert run.judged.startswith("smoke profile")
    assert runner.Run("vae", profile="default", out=tmp_path).judged is True
    assert "overrides" in runner.Run("vae", profile="full", epochs=1, out=tmp_path).judged


def test_cached_computes_once(tmp_path):
    run, calls = runner.Run("vae", out=tmp_path), []
    assert run.cached("x", lambda: calls.append(1) or 7) == run.cached("x", lambda: calls.append(1) or 8) == 7
    assert calls == [1]
