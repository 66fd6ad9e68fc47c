"""Runs a reproduction script and writes its results.

A reproduction is ``reproductions/<article>.py`` with a function
``reproduce(run) -> str``: it trains and measures, saves figures with
``run.save_figure``, records numbers in ``run.metrics`` and returns the body of
``report.md``. The runner adds the context every report needs (data set,
profile, seed, device, wall time) to ``metrics.json`` and to the report.
"""

import functools
import importlib.util
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from tfdl import data, validation

ARTICLES = ("autoregressive", "vae", "rnn", "pretraining")
PROFILES = ("smoke", "default", "full")
STRATEGIES = ("default", "mirrored")


def scripts_folder(name):
    """The folder of scripts ``name`` ("reproductions", "benchmarks").

    A wheel installs it inside the package (``tfdl/<name>``, mapped in
    setup.cfg); a source checkout or an editable install has it at the top of
    the checkout.
    """
    package = Path(__file__).resolve().parent
    return package / name if (package / name).is_dir() else package.parent / name


REPRODUCTIONS = scripts_folder("reproductions")


class Run:
    """Settings and outputs of one reproduction run.

    Args:
        article: one of ``ARTICLES``.
        dataset: a name from ``tfdl.data.DATASETS``.
        profile: ``"smoke"`` (seconds, used by tests), ``"default"`` (minutes
            on 2 CPU cores) or ``"full"`` (the papers' settings, for a GPU).
        epochs: overrides the profile's epoch counts when given.
        out: output folder (default ``results/<article>``).
        seed: seed for everything random in the run.
        strategy: ``"default"`` or ``"mirrored"`` (``tf.distribute``).
        verbose: the ``verbose`` passed to ``fit`` (0: progress lines per
            section only; 1: Keras progress bars too).
        limit: a quick check of a profile's code path, e.g. ``full`` on a CPU:
            at most ``limit`` examples in every split ``load`` returns, and
            ``at_most`` caps every other count a script sizes by (samples,
            temperatures, chains, sequences) at ``limit``; ``num_seeds`` is 1.
            Model sizes are the profile's. Every verdict is then ``not judged``.
    """

    def __init__(
        self,
        article,
        dataset="digits",
        profile="default",
        epochs=None,
        out=None,
        seed=0,
        strategy="default",
        verbose=0,
        limit=None,
    ):
        self.article = validation.one_of(article, ARTICLES, "article")
        self.dataset = validation.one_of(dataset, data.DATASETS, "dataset")
        self.profile = validation.one_of(profile, PROFILES, "profile")
        self.epochs = None if epochs is None else validation.positive_int(epochs, "epochs")
        self.out = Path(out if out is not None else Path("results") / article)
        self.seed = validation.non_negative_int(seed, "seed")
        self.strategy_name = validation.one_of(strategy, STRATEGIES, "strategy")
        self.metrics = {}
        self.summaries = []
        self.verbose = int(verbose)
        self.limit = None if limit is None else validation.positive_int(limit, "limit")
        self.started = time.perf_counter()

    def claims(self):
        """A ``tfdl.claims.Claims`` for the report: ``not judged`` on the smoke
        profile and when ``epochs`` overrides the profile's training budget."""
        from tfdl.claims import Claims

        if self.profile == "smoke":
            return Claims(judged="smoke profile: too small to decide")
        if self.epochs is not None:
            return Claims(judged=f"epochs={self.epochs} overrides the {self.profile} profile's budget")
        if self.limit is not None:
            return Claims(judged=f"limit={self.limit} cuts the {self.profile} profile's data and counts")
        return Claims(judged=True)

    def section(self, title):
        """Prints a progress line for a section of the reproduction, with the elapsed time."""
        print(f"[{self.article} {time.perf_counter() - self.started:7.1f} s] {title}", flush=True)

    @property
    def strategy(self):
        """The ``tf.distribute.Strategy`` to build and train models under."""
        if self.strategy_name == "mirrored":
            return mirrored_strategy()
        import tensorflow as tf

        return tf.distribute.get_strategy()

    def by_profile(self, smoke, default, full):
        """Returns the argument named after the run's profile."""
        return {"smoke": smoke, "default": default, "full": full}[self.profile]

    def num_epochs(self, smoke, default, full):
        """Epochs for this profile, unless ``--epochs`` overrides them."""
        return self.epochs if self.epochs is not None else self.by_profile(smoke, default, full)

    @property
    def small_images(self):
        """True for 8x8 data sets (digits), False for 28x28 ones."""
        return data.image_shape(self.dataset)[0] <= 8

    def by_size(self, smoke, small, large, full):
        """``by_profile`` whose ``default`` is chosen by image size: ``small`` (8x8) or ``large`` (28x28)."""
        return self.by_profile(smoke, small if self.small_images else large, full)

    def epochs_by_size(self, smoke, small, large, full):
        """``num_epochs`` whose ``default`` is chosen by image size, as in ``by_size``."""
        return self.num_epochs(smoke, small if self.small_images else large, full)

    def at_most(self, count):
        """``count`` capped at the run's ``limit`` (``count`` itself without a limit; None stays None)."""
        return count if self.limit is None or count is None else min(count, self.limit)

    def num_seeds(self, count):
        """``count`` seeds, or 1 under a ``limit``: each seed runs the same code, and
        a limited run checks the code path, not the spread across seeds."""
        return count if self.limit is None else 1

    def load(self, split="train", **kwargs):
        """``tfdl.data.load`` on the run's data set, seeded by the run; at most ``limit`` examples."""
        kwargs.setdefault("seed", self.seed)
        loaded = data.load(self.dataset, split=split, **kwargs)
        if self.limit is None:
            return loaded
        return tuple(a[: self.limit] for a in loaded) if isinstance(loaded, tuple) else loaded[: self.limit]

    def save_figure(self, figure, name, caption=None):
        """Saves a matplotlib figure as ``<out>/<name>.png`` and closes it.

        Returns the Markdown that embeds it in the report:
        ``![caption](name.png)``.
        """
        import matplotlib.pyplot as plt

        path = self.out / f"{name}.png"
        figure.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(figure)
        self.metrics.setdefault("figures", []).append(path.name)
        return f"![{caption or name.replace('_', ' ')}]({path.name})"

    def summarize(self, line):
        """Records a one-line summary printed at the end of the run."""
        self.summaries.append(line)


@functools.lru_cache(maxsize=None)
def mirrored_strategy():
    """One ``MirroredStrategy`` over all GPUs (else all logical CPUs) per process.

    Shared because collective-op keys of separate MirroredStrategy objects in
    one process collide: a second strategy's all-reduce can meet the first's.
    """
    import tensorflow as tf

    devices = [d.name for d in tf.config.list_logical_devices("GPU")] or [
        d.name for d in tf.config.list_logical_devices("CPU")
    ]
    return tf.distribute.MirroredStrategy(devices)


def markdown_table(headers, rows):
    """Formats a Markdown table; floats get 4 significant digits."""

    def cell(value):
        return f"{value:.4g}" if isinstance(value, (float, np.floating)) else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def device_description():
    """A short description of the device TensorFlow computes on."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
        return f"{len(gpus)} GPU: {', '.join(names)}"
    return f"CPU: {platform.machine()}, {os.cpu_count()} cores"


def load_file(path):
    """Imports the Python file at ``path`` (a script, snippet or benchmark) as a module."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"tfdl_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_script(article):
    path = REPRODUCTIONS / f"{article}.py"
    if not path.exists():
        raise FileNotFoundError(
            f"No reproduction script for article={article!r}: expected {path} "
            "(reproductions/ of a source checkout, tfdl/reproductions/ of an installed wheel)."
        )
    return load_file(path)


def _to_json(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"Cannot write {type(value).__name__} to metrics.json")


def reproduce(article, **settings):
    """Runs ``reproductions/<article>.py`` and writes metrics.json and report.md.

    Args:
        article: one of ``ARTICLES``.
        **settings: keyword arguments of ``Run``.

    Returns:
        The finished ``Run``.
    """
    run = Run(article, **settings)
    script = _load_script(run.article)
    run.out.mkdir(parents=True, exist_ok=True)
    import keras

    keras.utils.set_random_seed(run.seed)
    start = time.perf_counter()
    body = script.reproduce(run)
    wall = time.perf_counter() - start
    import tensorflow as tf

    context = {
        "article": run.article,
        "dataset": run.dataset,
        "profile": run.profile,
        "epochs_override": run.epochs,
        "limit": run.limit,
        "seed": run.seed,
        "strategy": run.strategy_name,
        "device": device_description(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "wall_time_s": round(wall, 2),
    }
    with open(run.out / "metrics.json", "w") as stream:
        json.dump({**context, "results": run.metrics}, stream, indent=2, default=_to_json)
    header = (
        f"Data set: `{run.dataset}`; profile: `{run.profile}`"
        + (f" (epochs={run.epochs})" if run.epochs is not None else "")
        + (f" (limit={run.limit}: a check of the code path, not a result)" if run.limit is not None else "")
        + f"; seed: {run.seed}; "
        f"strategy: `{run.strategy_name}`; device: {context['device']}; "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}; "
        f"wall time: {wall:.1f} s.\n\n"
    )
    title, _, rest = body.strip().partition("\n")
    if not title.startswith("# "):
        title, rest = f"# Reproduction: {run.article}", body.strip()
    (run.out / "report.md").write_text(f"{title}\n\n{header}{rest.strip()}\n")
    for line in run.summaries:
        print(line)
    print(f"{run.article}: wrote {run.out}/metrics.json and report.md in {wall:.1f} s")
    return run
