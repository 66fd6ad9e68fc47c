"""Results are never half-written: atomic folders, resumable runs, a lock, strict JSON."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import toy_article
from tfdl import report, results, runner

TOY = Path(toy_article.__file__)


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setattr(report, "article_module", lambda article: toy_article.ARTICLE)
    toy_article.CALLS.clear()
    return toy_article.CALLS


def test_strict_json_writes_null_for_nan_and_says_where():
    text = results.strict_json({"a": [1.0, float("nan")], "b": {"c": float("-inf")}, "d": 2})
    value = json.loads(text)  # strict readers accept it: no bare NaN token
    assert "NaN" not in text and "Infinity" not in text
    assert value["a"] == [1.0, None] and value["b"]["c"] is None
    assert value["non_finite"] == {"a[1]": "nan", "b.c": "-inf"}


def test_unencodable_value_fails_before_anything_is_written(tmp_path):
    with pytest.raises(TypeError, match=r"Cannot write object at 'x'"):
        results.strict_json({"x": object()})


@pytest.mark.parametrize("make, match", [
    (lambda p: "", "to name a folder"),
    (lambda p: (p / "file.txt").write_text("x") and str(p / "file.txt"), "it is a file"),
    (lambda p: (p / "mine").mkdir() or (p / "mine" / "notes.md").write_text("x") and str(p / "mine"),
     "holds other files"),
])
def test_check_out_refuses_at_once(tmp_path, make, match):
    with pytest.raises(ValueError, match=match):
        results.check_out(make(tmp_path))


def test_check_out_refuses_an_unwritable_parent(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        with pytest.raises(ValueError, match="not writable"):
            results.check_out(folder / "out")
    finally:
        folder.chmod(0o700)


def test_interrupted_run_keeps_the_previous_one_and_resume_finishes_it(tmp_path, toy, monkeypatch):
    out = tmp_path / "out"
    runner.reproduce("vae", profile="smoke", out=out)
    previous = (out / "report.md").read_text()
    assert toy == ["first", "second", "third"]

    def fail(self, run, s):
        raise KeyboardInterrupt

    monkeypatch.setattr(toy_article.Step, "measure",
                        lambda self, run, s: fail(self, run, s) if self.name == "second"
                        else toy_article.CALLS.append(self.name) or {"value": 5.0})
    toy.clear()
    with pytest.raises(KeyboardInterrupt):
        runner.reproduce("vae", profile="smoke", out=out, seed=1)
    assert (out / "report.md").read_text() == previous  # untouched
    staging = tmp_path / "out.incomplete"
    assert (staging / "sections" / "first.json").exists() and not (staging / "report.md").exists()
    assert "incomplete" in (staging / results.MARKER).read_text()
    assert not (tmp_path / "out.lock").exists()

    monkeypatch.undo()
    monkeypatch.setattr(report, "article_module", lambda article: toy_article.ARTICLE)
    toy.clear()
    outcomes = runner.reproduce("vae", profile="smoke", out=out, seed=1, resume=True)
    assert toy == ["second", "third"]  # the first section was reused
    assert outcomes[0].metrics == {"value": 5.0} and not staging.exists()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["seed"] == 1 and list(metrics["sections"]) == ["first", "second", "third"]
    assert (out / "first_plot.png").exists() and "complete" in (out / results.MARKER).read_text()


def test_resume_with_changed_settings_reuses_nothing(tmp_path, toy, monkeypatch):
    out = tmp_path / "out"
    with results.ResultsFolder(out) as folder:
        folder.save_section("first", "another-key", {"name": "first"})
    toy.clear()
    runner.reproduce("vae", profile="smoke", out=out, resume=True)
    assert toy == ["first", "second", "third"]


def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "out.lock").write_text(f"{holder.pid}\n")
        with pytest.raises(results.ResultsBusyError, match=rf"process {holder.pid}\) is writing"):
            with results.ResultsFolder(out):
                pass
    finally:
        holder.kill()
        holder.wait()
    with results.ResultsFolder(out) as folder:  # a lock left by a dead process is taken over
        assert folder.lock.read_text().strip() == str(os.getpid())


@pytest.mark.slow
def test_command_line_run_interrupted_then_resumed(tmp_path):
    out, env = tmp_path / "out", {**os.environ, "PYTHONPATH": str(TOY.parent) + os.pathsep + os.environ.get(
        "PYTHONPATH", "")}
    first = subprocess.run([sys.executable, str(TOY), str(out)], capture_output=True, text=True, env=env,
                           timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    previous = (out / "report.md").read_text()
    # SIGINT back to its default in the child: a job started in the background by a non-interactive shell
    # inherits it ignored, and Python then raises no KeyboardInterrupt (the run slept on until the timeout).
    run = subprocess.Popen([sys.executable, str(TOY), str(out), "--seed", "3"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, env={**env, "TOY_PAUSE": "1"},
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in run.stdout:
        if line.strip() == "PAUSED":
            break
    busy = subprocess.run([sys.executable, str(TOY), str(out), "--seed", "3"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert busy.returncode == 2 and f"process {run.pid})" in busy.stderr
    run.send_signal(signal.SIGINT)
    run.wait(timeout=60)
    assert run.returncode != 0
    assert (out / "report.md").read_text() == previous
    assert sorted(p.name for p in (tmp_path / "out.incomplete" / "sections").iterdir()) == ["first.json"]
    resumed = subprocess.run([sys.executable, str(TOY), str(out), "--seed", "3", "--resume"], capture_output=True,
                             text=True, env=env, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "MEASURE first" not in resumed.stdout and "MEASURE third" in resumed.stdout
    assert "reused from the interrupted run" in resumed.stdout
    assert json.loads((out / "metrics.json").read_text())["seed"] == 3
    assert not (tmp_path / "out.incomplete").exists() and not (tmp_path / "out.lock").exists()
