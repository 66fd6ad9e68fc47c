import json
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdl import runner

SCRIPT = '''
import keras
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

def reproduce(run):
    x = run.load(binarize="threshold", flatten=True)
    epochs = run.num_epochs(smoke=1, default=5, full=50)
    with run.strategy.scope():
        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64)])
        model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, x, epochs=epochs, batch_size=64, verbose=0)
    run.metrics["epochs"] = epochs
    run.metrics["final_loss"] = history.history["loss"][-1]
    fig, ax = plt.subplots()
    ax.plot(history.history["loss"])
    run.save_figure(fig, "curve")
    run.summarize(f"toy: loss {history.history['loss'][-1]:.4f}")
    return "# Toy\\n\\nclaims go here\\n"
'''


@pytest.fixture
def toy_article(tmp_path, monkeypatch):
    folder = tmp_path / "reproductions"
    folder.mkdir()
    (folder / "vae.py").write_text(SCRIPT)
    monkeypatch.setattr(runner, "REPRODUCTIONS", folder)
    return tmp_path / "out"


def test_reproduce_writes_metrics_figures_and_report(toy_article):
    run = runner.reproduce("vae", profile="smoke", out=toy_article, seed=3)
    metrics = json.loads((toy_article / "metrics.json").read_text())
    assert metrics["dataset"] == "digits" and metrics["profile"] == "smoke"
    assert metrics["seed"] == 3 and metrics["wall_time_s"] > 0
    assert metrics["device"].startswith(("CPU", "1 GPU"))
    assert metrics["results"]["epochs"] == 1
    assert metrics["results"]["figures"] == ["curve.png"]
    assert (toy_article / "curve.png").stat().st_size > 1000
    report = (toy_article / "report.md").read_text()
    assert report.startswith("# Toy\n\nData set: `digits`; profile: `smoke`")
    assert "claims go here" in report
    assert run.summaries == [f"toy: loss {metrics['results']['final_loss']:.4f}"]


def test_epochs_override_beats_the_profile(toy_article):
    run = runner.reproduce("vae", profile="default", epochs=2, out=toy_article)
    assert run.metrics["epochs"] == 2


def test_limit_cuts_every_split_and_count_and_judges_nothing(toy_article):
    run = runner.reproduce("vae", profile="default", limit=40, out=toy_article)
    assert len(run.load("train")) == len(run.load("test")) == 40
    x, y = run.load("valid", with_labels=True)
    assert x.shape == (40, 8, 8, 1) and y.shape == (40,)
    assert np.array_equal(x, runner.Run("vae").load("valid")[:40])
    assert (run.at_most(1000), run.at_most(7), run.at_most(None)) == (40, 7, None)
    assert runner.Run("vae").at_most(1000) == 1000
    assert (run.num_seeds(5), runner.Run("vae").num_seeds(5)) == (1, 5)
    assert run.metrics["epochs"] == 5  # model sizes and epochs stay the profile's
    assert json.loads((toy_article / "metrics.json").read_text())["limit"] == 40
    assert "(limit=40: a check of the code path, not a result)" in (toy_article / "report.md").read_text()
    assert run.claims().reason == "limit=40 cuts the default profile's data and counts"


def test_same_seed_same_numbers(toy_article):
    a = runner.reproduce("vae", profile="smoke", out=toy_article, seed=5).metrics["final_loss"]
    b = runner.reproduce("vae", profile="smoke", out=toy_article, seed=5).metrics["final_loss"]
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
        ({"article": "vae", "seed": 1.7}, r"non-negative integer. Received: seed=1.7"),
        ({"article": "vae", "seed": -1}, r"non-negative integer. Received: seed=-1"),
        ({"article": "vae", "limit": 0}, r"positive integer. Received: limit=0"),
    ],
)
def test_run_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        runner.Run(**kwargs)


def test_missing_script_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "REPRODUCTIONS", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"No reproduction script for article='rnn'"):
        runner.reproduce("rnn", out=tmp_path / "out")


def test_markdown_table():
    table = runner.markdown_table(["a", "b"], [["x", 1.23456], [2, "y"]])
    assert table == "| a | b |\n|---|---|\n| x | 1.235 |\n| 2 | y |"


def test_cli_help_lists_the_articles():
    result = subprocess.run([sys.executable, "-m", "tfdl", "reproduce", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "{autoregressive,vae,rnn,pretraining,all}" in result.stdout


def test_sections_print_progress_and_figures_embed(tmp_path, capsys):
    import matplotlib.pyplot as plt

    run = runner.Run("vae", profile="smoke", out=tmp_path)
    run.section("1. Training")
    assert re.fullmatch(r"\[vae +\d+\.\d s\] 1\. Training\n", capsys.readouterr().out)
    figure, axis = plt.subplots()
    axis.plot([0, 1])
    assert run.save_figure(figure, "loss_curve", "the loss") == "![the loss](loss_curve.png)"
    assert (tmp_path / "loss_curve.png").exists()
    assert run.claims().reason.startswith("smoke profile")
    assert runner.Run("vae", profile="default").claims().reason is None
    assert "overrides" in runner.Run("vae", profile="full", epochs=1).claims().reason
