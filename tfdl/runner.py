"""The settings of one reproduction run, and ``reproduce``, which runs an article.

A reproduction is the module ``tfdl.reproductions.<article>``: a title, an
introduction and a list of sections (``tfdl.report``). ``reproduce`` makes a
``Run`` from the settings, runs the sections and writes ``report.md``,
``metrics.json`` and the figures atomically (``tfdl.results``).

This module imports no TensorFlow at import time: the command line reads its
constants to parse arguments.
"""

import contextlib
import functools
import os
import platform
from pathlib import Path

from tfdl import data, timing, validation

ARTICLES = ("autoregressive", "vae", "rnn", "pretraining")
# The smallest --limit that keeps every section of an article running: autoregressive
# needs 4 AIS temperatures, vae 10 labelled images of every class, rnn 40 images
# (every class in the one-to-many section), pretraining 100 images (every class).
MIN_LIMITS = {"autoregressive": 4, "vae": 150, "rnn": 40, "pretraining": 100}
PROFILES = ("smoke", "default", "full")
STRATEGIES = ("default", "mirrored", "multi_worker")


class Run:
    """The settings of one reproduction run, and what sections ask of them.

    Args:
        article: one of ``ARTICLES``.
        dataset: a name from ``tfdl.data.DATASETS``.
        profile: ``"smoke"`` (seconds, used by tests), ``"default"`` (minutes
            on 2 CPU cores) or ``"full"`` (the papers' settings, for a GPU).
        epochs: overrides the profile's epoch counts when given.
        out: output folder (default ``results/<article>``), checked at once
            (``tfdl.results.check_out``).
        seed: seed for everything random in the run, an integer in [0, 2**32).
        strategy: ``"default"``, ``"mirrored"`` (``tf.distribute``'s
            ``MirroredStrategy``: the GPUs of this machine) or
            ``"multi_worker"`` (``MultiWorkerMirroredStrategy`` over the
            cluster in ``TF_CONFIG``; the global batch sizes stay the
            profile's, split over the replicas; only the chief writes ``out``,
            the other workers write beside their backups, in ``<out>.backup``).
        verbose: the ``verbose`` passed to ``fit`` (0: progress lines per
            section only; 1: Keras progress bars too).
        limit: a quick check of a profile's code path, e.g. ``full`` on a CPU:
            at most ``limit`` examples in every split ``load`` returns, and
            ``at_most`` caps every other count a section sizes by (samples,
            temperatures, chains, sequences) at ``limit``; ``num_seeds`` is 1.
            Model sizes are the profile's. Every claim is then ``not judged``.
            At least the article's ``MIN_LIMITS`` entry.
    """

    def __init__(self, article, dataset="digits", profile="default", epochs=None, out=None, seed=0,
                 strategy="default", verbose=0, limit=None):
        from tfdl import results

        self.article = validation.one_of(article, ARTICLES, "article")
        self.dataset = validation.one_of(dataset, data.DATASETS, "dataset")
        self.profile = validation.one_of(profile, PROFILES, "profile")
        self.epochs = None if epochs is None else validation.positive_int(epochs, "epochs")
        self.out = results.check_out(out if out is not None else Path("results") / article)
        self.seed = validation.seed(seed, "seed")
        self.strategy_name = validation.one_of(strategy, STRATEGIES, "strategy")
        self.backup = self.out.with_name(self.out.name + ".backup")  # BackupAndRestore, multi_worker only
        if self.strategy_name == "multi_worker":
            self._start_worker()
        self.verbose = validation.one_of(int(verbose), (0, 1, 2), "verbose")
        self.limit = None if limit is None else validation.positive_int(limit, "limit")
        if self.limit is not None and self.limit < MIN_LIMITS[self.article]:
            raise ValueError(
                f"Expected limit >= {MIN_LIMITS[self.article]} for article={self.article!r} (the smallest that "
                f"keeps every section running). Received: limit={self.limit}"
            )
        self.clock = timing.Timer.running()
        self._cache = {}

    def _start_worker(self):
        """Creates the multi-worker strategy (first, as TensorFlow requires). Each
        worker keeps its backups in ``<out>.backup/<task>``; one that is not the
        chief writes its results there too (removed with the backups when the
        run completes; kept, like them, for ``--resume`` when it does not)."""
        from tfdl import distribute

        distribute.multi_worker_strategy()
        kind, index = distribute.task()
        self.backup = self.backup / f"{kind}-{index}"
        if not distribute.is_chief():
            self.out = self.backup / self.article

    @property
    def judged(self):
        """``True`` when this run may decide claims, else the reason it may not (a string):
        the smoke profile, an ``epochs`` override or a ``limit``."""
        if self.profile == "smoke":
            return "smoke profile: too small to decide"
        if self.epochs is not None:
            return f"epochs={self.epochs} overrides the {self.profile} profile's budget"
        if self.limit is not None:
            return f"limit={self.limit} cuts the {self.profile} profile's data and counts"
        return True

    def progress(self, text):
        """Prints a progress line with the run's elapsed time."""
        print(f"[{self.article} {self.clock.seconds:7.1f} s] {text}", flush=True)

    def cached(self, key, compute):
        """``compute()``, computed once per run and key: what several sections share
        (a trained model, a data split). A section run alone computes what it needs."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def strategy(self):
        """The ``tf.distribute.Strategy`` to build and train models under."""
        if self.strategy_name == "mirrored":
            return mirrored_strategy()
        if self.strategy_name == "multi_worker":
            from tfdl import distribute

            return distribute.multi_worker_strategy()
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

    def seeds(self, count):
        """The run's seeds: ``seed, seed + 1, ...`` (``num_seeds(count)`` of them)."""
        return [self.seed + i for i in range(self.num_seeds(count))]

    def load(self, split="train", **kwargs):
        """``tfdl.data.load`` on the run's data set, seeded by the run; at most ``limit`` examples."""
        kwargs.setdefault("seed", self.seed)
        loaded = data.load(self.dataset, split=split, **kwargs)
        if self.limit is None:
            return loaded
        return tuple(a[: self.limit] for a in loaded) if isinstance(loaded, tuple) else loaded[: self.limit]

    def identity(self):
        """The settings that decide results (a resumed run reuses sections only when they match)."""
        return (self.article, self.dataset, self.profile, self.epochs, self.limit, self.seed,
                self.strategy_name)

    def context(self, **extra):
        """What every metrics.json records about the run."""
        import keras
        import tensorflow as tf

        return {"article": self.article, "dataset": self.dataset, "profile": self.profile,
                "epochs_override": self.epochs, "limit": self.limit, "seed": self.seed,
                "strategy": self.strategy_name, "device": device_description(),
                "tensorflow": tf.__version__, "keras": keras.__version__, **extra}

    def header(self, context):
        """The report's first line: data set, profile, seed, device, versions, wall time."""
        return (
            f"Data set: `{self.dataset}`; profile: `{self.profile}`"
            + (f" (epochs={self.epochs})" if self.epochs is not None else "")
            + (f" (limit={self.limit}: a check of the code path, not a result)" if self.limit is not None else "")
            + f"; seed: {self.seed}; strategy: `{self.strategy_name}`; device: {context['device']}; "
            f"TensorFlow {context['tensorflow']}, Keras {context['keras']}; "
            f"wall time: {context['wall_time_s']:.1f} s."
        )


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


def device_description():
    """A short description of the device TensorFlow computes on."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
        return f"{len(gpus)} GPU: {', '.join(names)}"
    return f"CPU: {platform.machine()}, {os.cpu_count()} cores"


def sections(article):
    """The names and titles of an article's sections, in the article's order."""
    from tfdl import report

    return [(s.name, s.title) for s in report.article_module(article).SECTIONS]


def reproduce(article, only=None, resume=False, **settings):
    """Runs ``tfdl.reproductions.<article>`` and writes report.md, metrics.json and figures.

    Args:
        article: one of ``ARTICLES``.
        only: names of the sections to run (None: every section).
        resume: continue an interrupted run on the same ``out`` from the
            sections it finished (``tfdl.results``).
        **settings: keyword arguments of ``Run``.

    Returns:
        The list of ``tfdl.report.Outcome``, one per section run.
    """
    from tfdl import report

    run = Run(article, **settings)
    if run.strategy_name != "multi_worker":
        return report.build(run, report.article_module(run.article), only=only, resume=resume)
    import shutil

    from tfdl import distribute

    with distribute.multi_worker_training(run.backup):
        outcomes = report.build(run, report.article_module(run.article), only=only, resume=resume)
    shutil.rmtree(run.backup, ignore_errors=True)  # complete: nothing left to resume
    with contextlib.suppress(OSError):
        run.backup.parent.rmdir()  # the last worker to finish removes the folder
    return outcomes
