"""The command line (`python -m tfdl`) and the packaging: fast help without
TensorFlow, usage errors from the parser, the version, a wheel that ships the
reproduction and benchmark scripts."""

import argparse
import email
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import tfdl
from tfdl import cli

ROOT = Path(__file__).resolve().parents[1]


def run_tfdl(*args, cwd=ROOT, env=None):
    """`python -X importtime -m tfdl ARGS`: its exit code, stdout, the modules
    it imported and its other stderr lines."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tfdl", *args],
        capture_output=True, text=True, timeout=300, cwd=cwd, env=env,
    )
    imported, stderr = set(), []
    for line in result.stderr.splitlines():
        if line.startswith("import time:"):
            imported.add(line.rsplit("|", 1)[-1].strip())
        else:
            stderr.append(line)
    return result.returncode, result.stdout, imported, stderr


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["reproduce", "--help"], ["data", "--help"], ["bench", "--help"]]
)
def test_help_and_version_import_no_tensorflow_and_log_nothing(args):
    code, stdout, imported, stderr = run_tfdl(*args)
    assert code == 0 and stdout
    assert "tfdl.cli" in imported
    assert not {"tensorflow", "keras"} & imported
    assert stderr == []


def test_usage_error_imports_no_tensorflow():
    code, stdout, imported, stderr = run_tfdl("reproduce", "vae", "--epochs", "0")
    assert code == 2 and stdout == ""
    assert not {"tensorflow", "keras"} & imported
    assert stderr[0].startswith("usage: tfdl reproduce")
    assert stderr[-1] == "tfdl reproduce: error: argument --epochs: expected an integer >= 1; received '0'"


def test_version_prints_the_one_setup_cfg_reads(capsys):
    from setuptools.config.setupcfg import read_configuration

    with pytest.raises(SystemExit) as exit:
        cli.parser().parse_args(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out == f"tfdl {tfdl.__version__}\n"
    assert read_configuration(ROOT / "setup.cfg")["metadata"]["version"] == tfdl.__version__


def actions(parser):
    """Every argument of ``parser`` and of its subcommands, with its command."""
    for action in parser._actions:
        yield parser.prog, action
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield parser.prog, choice
            for subparser in action.choices.values():
                yield from actions(subparser)


def test_every_argument_of_every_command_has_help():
    found = list(actions(cli.parser()))
    assert len(found) > 15
    missing = [f"{prog}: {action.dest}" for prog, action in found if not action.help]
    assert missing == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["reproduce", "vae", "--epochs", "0"], "argument --epochs: expected an integer >= 1; received '0'"),
        (["reproduce", "vae", "--epochs", "2.5"], "argument --epochs: expected an integer >= 1; received '2.5'"),
        (["reproduce", "vae", "--seed", "-1"], "argument --seed: expected an integer in [0, 4294967295]; received '-1'"),
        (["reproduce", "vae", "--seed", "4294967296"], "argument --seed: expected an integer in [0, 4294967295]; received '4294967296'"),
        (["reproduce", "vae", "--limit", "0"], "argument --limit: expected an integer >= 1; received '0'"),
        (["reproduce", "gan"], "argument article: invalid choice: 'gan'"),
        (["bench", "--only", "gan"], "argument --only: invalid choice: 'gan'"),
    ],
)
def test_bad_arguments_are_usage_errors(capsys, args, message):
    with pytest.raises(SystemExit) as exit:
        cli.parser().parse_args(args)
    assert exit.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith(f"usage: tfdl {args[0]}")
    assert message in stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["reproduce", "vae", "--limit", "149"], "argument --limit: expected an integer >= 150 for vae"),
        (["reproduce", "all", "--limit", "100"], "argument --limit: expected an integer >= 150 for all"),
        (["reproduce", "vae", "--out", ""], "argument --out: Expected --out to name a folder"),
        (["reproduce", "vae", "--only", ","], "argument --only: expected one or more comma-separated"),
    ],
)
def test_run_settings_are_checked_before_anything_runs(capsys, args, message):
    """A bad --out or a --limit below the article's minimum: a usage error (exit 2) before any
    TensorFlow import or training."""
    with pytest.raises(SystemExit) as exit:
        cli.main(args)
    assert exit.value.code == 2 and message in capsys.readouterr().err


def test_out_naming_a_file_is_a_usage_error_within_a_second(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("mine")
    code, stdout, imported, stderr = run_tfdl("reproduce", "vae", "--out", str(path))
    assert code == 2 and "tensorflow" not in imported and "Expected --out to be a folder; it is a file" in "".join(stderr)


def test_list_and_only(capsys, tmp_path):
    assert cli.main(["reproduce", "rnn", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "rnn snippet: The snippet, verbatim, and the two equations" and len(listed) == 7
    assert cli.main(["reproduce", "rnn", "--profile", "smoke", "--only", "vanishing", "--out",
                     str(tmp_path / "out")]) == 0
    assert "## 5. Limitations: vanishing gradients" in (tmp_path / "out" / "report.md").read_text()
    with pytest.raises(SystemExit) as exit:
        cli.main(["reproduce", "rnn", "--only", "nope", "--out", str(tmp_path / "other")])
    assert exit.value.code == 2
    assert "argument --only: expected section names among ['snippet'" in capsys.readouterr().err


@pytest.mark.parametrize("seed", [0, 2**32 - 1, -1, 2**32])
def test_seed_range_is_what_numpy_accepts(seed):
    """keras.utils.set_random_seed seeds NumPy's global RandomState: its range is the CLI's."""
    try:
        np.random.RandomState(seed)
        numpy_accepts = True
    except ValueError:
        numpy_accepts = False
    try:
        cli.parser().parse_args(["reproduce", "vae", "--seed", str(seed)])
        cli_accepts = True
    except SystemExit:
        cli_accepts = False
    assert cli_accepts == numpy_accepts


def test_bench_only_choices_are_the_benchmark_scripts():
    from tfdl import bench

    scripts = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "tfdl" / "benchmarks").glob("bench_*.py"))
    assert scripts and cli.parser().parse_args(["bench", "--only", scripts[0]]).only == scripts[0]
    assert scripts == sorted(bench.available())


LOAD = """
import json, sys
import tfdl
import keras, numpy as np
registered = {name for name in keras.saving.get_custom_objects() if name.startswith("tfdl>")}
import importlib, pkgutil
for module in pkgutil.walk_packages(tfdl.__path__, "tfdl."):
    if module.name != "tfdl.__main__":
        importlib.import_module(module.name)
every = {name for name in keras.saving.get_custom_objects() if name.startswith("tfdl>")}
model = keras.saving.load_model(sys.argv[1])
x = np.load(sys.argv[2])
print(json.dumps({"missing": sorted(every - registered), "every": len(every),
                  "log_prob": np.asarray(model.log_prob(x)).tolist()}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["tfdl, then keras", "keras, then tfdl", "from a script named tfdl"])
def test_import_tfdl_registers_every_class_for_load_model(tmp_path, how):
    """`import tfdl` registers every tfdl class with Keras whatever the order of the
    imports and whatever the program is called (the `tfdl` script once skipped it),
    so a fresh process can load a saved model."""
    from tfdl.models import MADE

    model = MADE(6, (8,), seed=0)
    x = (np.random.default_rng(0).random((4, 6)) < 0.5).astype("float32")
    log_prob = model.log_prob(x)
    model.save(tmp_path / "made.keras")
    np.save(tmp_path / "x.npy", x)
    script = LOAD if how != "keras, then tfdl" else LOAD.replace(
        "import tfdl\nimport keras, numpy as np", "import keras, numpy as np\nimport tfdl")
    assert script.index("import keras") < script.index("import tfdl") or how != "keras, then tfdl"
    command = [sys.executable, "-c", script]
    if how == "from a script named tfdl":
        (tmp_path / "tfdl").write_text(script)
        command = [sys.executable, str(tmp_path / "tfdl")]
    result = subprocess.run(
        [*command, str(tmp_path / "made.keras"), str(tmp_path / "x.npy")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.splitlines()[-1])
    assert loaded["missing"] == [] and loaded["every"] >= 15
    np.testing.assert_allclose(loaded["log_prob"], log_prob, rtol=1e-6)


def source_tree(destination):
    """Copies the files git would commit (tracked and untracked, not ignored)."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    return [Path(name) for name in files if (ROOT / name).is_file()]


@pytest.mark.slow
def test_wheel_ships_the_scripts_and_runs_them_from_site_packages(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know the source files")
    source, wheels, site = tmp_path / "source", tmp_path / "wheels", tmp_path / "site"
    source.mkdir()
    files = source_tree(source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(wheels)],
                   check=True, timeout=300)
    (wheel,) = wheels.glob("tfdl-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
        metadata = email.message_from_bytes(archive.read(f"tfdl-{tfdl.__version__}.dist-info/METADATA"))
    expected = {f.as_posix() for f in files if f.suffix == ".py" and f.parts[0] == "tfdl"}
    expected.add("tfdl/benchmarks/reference.json")
    expected.add("tfdl/uci_binary.npz")  # package data: the binary UCI sets
    assert expected - shipped == set()
    assert metadata["Version"] == tfdl.__version__
    assert "tensorboard" in metadata.get_all("Provides-Extra")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target",
                    str(site), str(wheel)], check=True, timeout=300)
    probe = ("import json; from tfdl import bench, report, runner; print(json.dumps([runner.__file__, "
             "report.article_module('rnn').__file__, str(bench.REFERENCE), sorted(bench.available())]))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                            capture_output=True, text=True, check=True, timeout=300)
    module, reproductions, reference, names = json.loads(result.stdout)
    assert Path(module).is_relative_to(site)
    assert Path(reproductions) == site / "tfdl" / "reproductions" / "rnn" / "__init__.py"
    assert Path(reference) == site / "tfdl" / "benchmarks" / "reference.json" and Path(reference).exists()
    assert [f"bench_{n}.py" for n in names] == sorted(p.name for p in (ROOT / "tfdl" / "benchmarks").glob("bench_*.py"))
    code, stdout, imported, stderr = run_tfdl("bench", "--help", cwd=tmp_path, env={"PYTHONPATH": str(site)})
    assert code == 0 and stderr == [] and "{" + ",".join(names) + "}" in stdout
