"""The regression net of ``make bench`` (tfdl.bench): comparison with the stored
reference, the exit status, ``--update``, the table and the README block. Nothing
here times anything: the results are made up."""

import json
import types
from pathlib import Path

import pytest

from tfdl import bench

ROOT = Path(__file__).resolve().parent.parent


def result(key, ours, peer, higher_is_better=True, flops=None):
    return bench.Result(key=key, article="a", task=f"task {key}", ours="ours", peer="peer", ours_value=ours,
                        peer_value=peer, unit="examples/s" if higher_is_better else "s",
                        higher_is_better=higher_is_better, flops_per_example=flops)


def test_speedup_is_the_ratio_the_right_way_up():
    assert result("k", 300.0, 100.0).speedup == 3.0
    assert result("k", 2.0, 8.0, higher_is_better=False).speedup == 4.0  # times: less is better


def test_compare_flags_a_fall_of_more_than_the_tolerance_only():
    reference = {"slow": {"ratio": 2.0}, "kept": {"ratio": 2.0}, "faster": {"ratio": 2.0}}
    changes = bench.compare({"slow": 1.5, "kept": 1.7, "faster": 3.0, "new": 1.0}, reference)
    assert changes["slow"] == (pytest.approx(-0.25), True)   # 1.5 / 2 - 1
    assert changes["kept"] == (pytest.approx(-0.15), False)  # within 20%
    assert changes["faster"] == (pytest.approx(0.5), False)
    assert changes["new"] == (None, False)                   # no reference: nothing to compare


def test_compare_rejects_a_tolerance_outside_0_1():
    with pytest.raises(ValueError, match="tolerance in \\(0, 1\\).*tolerance=20"):
        bench.compare({}, {}, tolerance=20)


def test_rows_format_ratio_ceiling_fraction_and_change():
    found = [result("fast", 400.0, 100.0, flops=2.5e7), result("slow", 100.0, 100.0)]
    table = bench.rows(found, gflops=10.0, reference={"fast": {"ratio": 5.0}, "slow": {"ratio": 2.0}})
    # 400 examples/s x 2.5e7 FLOPs = 1e10 FLOP/s = 100% of 10 GFLOP/s; 4 / 5 - 1 = -20% (not below 20%)
    assert table[0] == ["fast", "task fast", "ours 400", "peer 100", "examples/s", "4.00x", "100%", "-20%"]
    assert table[1][5:] == ["1.00x", "", "-50% REGRESSION"]
    text = bench.markdown_table(bench.HEADERS, table)
    assert text.splitlines()[0].startswith("| key | task |") and "-50% REGRESSION" in text


def fake_run(monkeypatch, found, needs_fashion=False, have_fashion=True):
    module = types.SimpleNamespace(NEEDS_FASHION_MNIST=needs_fashion, run=lambda quick: list(found))
    monkeypatch.setattr(bench, "available", lambda: ["fake"])
    monkeypatch.setattr(bench, "benchmark", lambda name: module)
    monkeypatch.setattr(bench.data, "available", lambda name: have_fashion)
    monkeypatch.setattr(bench, "matmul_gflops", lambda: 100.0)
    monkeypatch.setattr("tfdl.runner.device_description", lambda: "CPU: test")


def write_reference(path, mode="full", ratio=2.0):
    path.write_text(json.dumps({mode: {"fake/k": {"ratio": ratio, "task": "t", "ours": "o", "peer": "p",
                                                  "unit": "examples/s", "ceiling_fraction": None}}}))


def test_a_slower_ratio_prints_regression_and_exits_1(monkeypatch, tmp_path, capsys):
    reference = tmp_path / "reference.json"
    write_reference(reference, ratio=2.0)
    fake_run(monkeypatch, [result("fake/k", 150.0, 100.0)])  # 1.5x against 2.0x: -25%
    status = bench.main(out=tmp_path / "bench.json", reference_path=reference, readme=None)
    out = capsys.readouterr().out
    assert status == 1 and "running them once more to confirm" in out  # slow twice: a regression
    assert "REGRESSION fake/k: ours/peer 1.50x, reference 2.00x (-25%, more than 20% below)" in out
    written = json.loads((tmp_path / "bench.json").read_text())
    assert written["results"][0]["ratio"] == 1.5 and written["mode"] == "full"
    assert json.loads(reference.read_text())["full"]["fake/k"]["ratio"] == 2.0  # left alone


def test_a_slow_run_not_repeated_on_the_confirming_run_is_no_regression(monkeypatch, tmp_path, capsys):
    reference = tmp_path / "reference.json"
    write_reference(reference, ratio=2.0)
    fake_run(monkeypatch, [])
    runs = iter([[result("fake/k", 100.0, 100.0)], [result("fake/k", 210.0, 100.0)]])  # 1.0x, then 2.1x
    monkeypatch.setattr(bench, "benchmark", lambda name: types.SimpleNamespace(
        NEEDS_FASHION_MNIST=False, run=lambda quick: next(runs)))
    assert bench.main(out=tmp_path / "bench.json", reference_path=reference, readme=None) == 0
    out = capsys.readouterr().out
    assert "running them once more to confirm" in out and "REGRESSION fake" not in out
    assert json.loads((tmp_path / "bench.json").read_text())["results"][0]["ratio"] == 2.1  # the better run


def test_a_ratio_within_tolerance_exits_0(monkeypatch, tmp_path, capsys):
    reference = tmp_path / "reference.json"
    write_reference(reference, ratio=2.0)
    fake_run(monkeypatch, [result("fake/k", 170.0, 100.0)])
    assert bench.main(out=tmp_path / "bench.json", reference_path=reference, readme=None) == 0
    assert "REGRESSION" not in capsys.readouterr().out


def test_quick_compares_with_the_quick_reference_only(monkeypatch, tmp_path, capsys):
    reference = tmp_path / "reference.json"
    write_reference(reference, mode="full", ratio=2.0)
    fake_run(monkeypatch, [result("fake/k", 150.0, 100.0)])
    assert bench.main(out=tmp_path / "b.json", quick=True, reference_path=reference, readme=None) == 0
    assert "no quick reference" in capsys.readouterr().out


def test_update_rewrites_the_reference_and_the_readme_table(monkeypatch, tmp_path):
    reference, readme = tmp_path / "reference.json", tmp_path / "README.md"
    write_reference(reference, ratio=2.0)
    stored = json.loads(reference.read_text())
    stored["quick"] = {"fake/q": {"ratio": 9.0}}
    reference.write_text(json.dumps(stored))
    readme.write_text(f"intro\n{bench.README_BEGIN}\nold table\n{bench.README_END}\noutro\n")
    fake_run(monkeypatch, [result("fake/k", 150.0, 100.0, flops=2e8)])
    assert bench.main(out=tmp_path / "b.json", update=True, reference_path=reference, readme=readme) == 0
    stored = json.loads(reference.read_text())
    assert stored["full"]["fake/k"]["ratio"] == 1.5
    assert stored["full"]["fake/k"]["ceiling_fraction"] == pytest.approx(150 * 2e8 / 100e9)
    assert stored["quick"] == {"fake/q": {"ratio": 9.0}}  # the other mode is kept
    assert stored["full_device"] == "CPU: test" and stored["full_matmul_gflops"] == 100.0
    text = readme.read_text()
    assert "old table" not in text and text.startswith("intro\n") and text.endswith("outro\n")
    assert "| task fake/k | ours | peer | examples/s | 1.50x | 30% |" in text  # 150 x 2e8 / 1e11


def test_a_missing_data_set_skips_with_how_to_get_it(monkeypatch, tmp_path, capsys):
    fake_run(monkeypatch, [result("fake/k", 1.0, 1.0)], needs_fashion=True, have_fashion=False)
    assert bench.main(out=tmp_path / "b.json", reference_path=tmp_path / "none.json", readme=None) == 0
    out = capsys.readouterr().out
    assert "SKIPPED bench_fake" in out and "dataset-fashion-mnist" in out and "~/.keras/datasets" in out


def test_every_benchmark_module_declares_its_data_and_takes_quick():
    import inspect

    names = bench.available()
    assert names == sorted(p.stem.removeprefix("bench_") for p in (ROOT / "tfdl" / "benchmarks").glob("bench_*.py"))
    for name in names:
        module = bench.benchmark(name)
        assert isinstance(module.NEEDS_FASHION_MNIST, bool)
        assert "quick" in inspect.signature(module.run).parameters


def test_readme_table_is_the_stored_reference():
    """The README's performance table cannot drift from tfdl/benchmarks/reference.json."""
    text = (ROOT / "README.md").read_text()
    assert bench.with_readme_table(text, bench.load_reference()) == text


def test_stored_reference_has_keyed_positive_ratios_and_quick_keys_among_full_ones():
    stored = bench.load_reference()
    assert stored.get("quick") or stored.get("full"), "tfdl/benchmarks/reference.json holds no run"
    for mode in ("full", "quick"):
        for key, entry in stored.get(mode, {}).items():
            assert key.split("/")[0] in {"autoregressive", "pretraining", "rnn", "vae"} and entry["ratio"] > 0
    if stored.get("full"):
        assert set(stored.get("quick", {})) <= set(stored["full"])


def test_the_command_line_passes_the_exit_status_and_options_on(monkeypatch):
    from tfdl import cli

    calls = []
    monkeypatch.setattr(bench, "main", lambda **kwargs: calls.append(kwargs) or 1)
    assert cli.main(["bench", "--quick", "--update", "--only", bench.available()[0]]) == 1
    assert calls == [dict(only=bench.available()[0], out="results/bench.json", quick=True, update=True)]
