"""``make bench``: training and sampling speed of tfdl models next to their peers.

Each ``benchmarks/bench_<article>.py`` defines ``run() -> list[Result]``;
it times a tfdl model and its public peer in the same process on the same
data. This module measures the machine's fp32 matmul throughput once, so every
result with a known cost per example also reports the fraction of that peak it
achieved, prints a table and writes ``results/bench.json``. Benchmarks are
never tests: nothing here asserts a time.
"""

import dataclasses
import json
import time
from pathlib import Path

import numpy as np

from tfdl import data, validation
import importlib.util

from tfdl.runner import device_description
from tfdl.tables import markdown_table

_PACKAGE = Path(__file__).resolve().parent
BENCHMARKS = _PACKAGE / "benchmarks" if (_PACKAGE / "benchmarks").is_dir() else _PACKAGE.parent / "benchmarks"


def load_file(path):
    spec = importlib.util.spec_from_file_location(f"tfdl_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclasses.dataclass
class Result:
    """One measurement of a tfdl model next to its peer.

    Args:
        article: the article the model belongs to.
        task: what was timed, with sizes (e.g. "MADE 784-500-784 train, batch 100").
        ours, peer: names of the two implementations.
        ours_value, peer_value: the measurements, in ``unit``.
        unit: e.g. "examples/s" or "s".
        higher_is_better: True for throughputs, False for times.
        flops_per_example: fp32 FLOPs one example costs ours (for throughputs),
            to report the achieved fraction of the matmul peak.
        data: the data set timed on.
    """

    article: str
    task: str
    ours: str
    peer: str
    ours_value: float
    peer_value: float
    unit: str
    higher_is_better: bool = True
    flops_per_example: float = None
    data: str = "fashion_mnist"

    @property
    def speedup(self):
        """How many times better ours is than the peer (> 1: ours wins)."""
        ratio = self.ours_value / self.peer_value
        return ratio if self.higher_is_better else 1.0 / ratio


def matmul_gflops(n=1024, min_seconds=2.0):
    """Measured fp32 GFLOP/s of an ``n x n`` matmul on the default device."""
    import tensorflow as tf

    a = tf.random.stateless_normal((n, n), seed=(1, 2))
    b = tf.random.stateless_normal((n, n), seed=(3, 4))
    matmul = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))
    return 2.0 * n**3 * throughput(lambda: matmul().numpy(), 1, min_seconds) / 1e9


def throughput(step, examples_per_call, min_seconds=3.0, warmup=2):
    """Examples per second of ``step()``, which must block until done.

    Runs ``warmup`` untimed calls (tracing, caches), then calls ``step``
    until ``min_seconds`` have passed.
    """
    for _ in range(warmup):
        step()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        step()
        calls += 1
    return calls * examples_per_call / elapsed


def seconds(fn, repeats=1):
    """Best wall time in seconds of ``repeats`` calls of ``fn()``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def fashion_mnist(split="train", binarize="threshold", flatten=True):
    """The benchmark data: Fashion-MNIST, as ``tfdl.data.load`` returns it."""
    return data.load("fashion_mnist", split=split, binarize=binarize, flatten=flatten)


def available():
    """The names ``X`` of the scripts ``benchmarks/bench_X.py``, sorted."""
    return [path.stem.removeprefix("bench_") for path in sorted(BENCHMARKS.glob("bench_*.py"))]


def _paths(only):
    names = available()
    if not names:
        raise FileNotFoundError(f"No benchmarks: {BENCHMARKS} holds no bench_*.py")
    if only is not None:
        names = [validation.one_of(only, names, "only")]
    return [BENCHMARKS / f"bench_{name}.py" for name in names]


def main(only=None, out="results/bench.json"):
    """Runs the benchmarks (all, or ``bench_<only>.py``), prints a table and writes ``out`` as JSON."""
    paths = _paths(only)
    peak = matmul_gflops()
    print(f"fp32 matmul peak on {device_description()}: {peak:.1f} GFLOP/s")
    results = []
    for path in paths:
        for result in load_file(path).run():
            results.append(result)
            print(f"  {result.task}: {result.ours} {result.ours_value:.4g} vs "
                  f"{result.peer} {result.peer_value:.4g} {result.unit} "
                  f"({result.speedup:.2f}x)", flush=True)
    rows = []
    for r in results:
        fraction = (
            r.ours_value * r.flops_per_example / (peak * 1e9) if r.flops_per_example else None
        )
        rows.append({**dataclasses.asdict(r), "speedup": r.speedup, "peak_fraction": fraction})
    print(
        markdown_table(
            ["article", "task", "ours", "peer", "unit", "ours/peer speed-up", "% of matmul peak"],
            [
                [
                    r["article"], r["task"], f"{r['ours']} {r['ours_value']:.4g}",
                    f"{r['peer']} {r['peer_value']:.4g}", r["unit"], f"{r['speedup']:.2f}x",
                    "" if r["peak_fraction"] is None else f"{100 * r['peak_fraction']:.0f}%",
                ]
                for r in rows
            ],
        )
    )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w") as stream:
        json.dump(
            {"device": device_description(), "matmul_gflops": peak, "results": rows},
            stream,
            indent=2,
            default=lambda v: v.item() if isinstance(v, np.generic) else str(v),
        )
    print(f"wrote {out}")
