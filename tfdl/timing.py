"""Wall-clock timing, written once: a timer, an epoch timer for ``fit``, and the
two measurements the benchmarks make (examples per second, best-of-n seconds).

Nothing here asserts a time; tests never time anything.

Example:

>>> with Timer() as timer:
...     total = sum(range(1000))
>>> timer.seconds >= 0
True
"""

import time

import numpy as np


class Timer:
    """Measures the wall seconds of a ``with`` block (``perf_counter``).

    ``seconds`` is the elapsed time so far while the block runs, and the
    block's duration after it.
    """

    def __init__(self):
        self.start = self.end = None

    @classmethod
    def running(cls):
        """A timer started now, for a span that is not one ``with`` block (a whole run)."""
        return cls().__enter__()

    def __enter__(self):
        self.start, self.end = time.perf_counter(), None
        return self

    def __exit__(self, *exc):
        self.end = time.perf_counter()
        return False

    @property
    def seconds(self):
        if self.start is None:
            raise ValueError("Timer.seconds read before the timer was started (use `with Timer() as t:`).")
        return (self.end if self.end is not None else time.perf_counter()) - self.start


def timed(fn, *args, **kwargs):
    """``(fn(*args, **kwargs), wall seconds)``."""
    with Timer() as timer:
        result = fn(*args, **kwargs)
    return result, timer.seconds


def seconds(fn, repeats=1):
    """Best wall time in seconds of ``repeats`` calls of ``fn()``."""
    return min(timed(fn)[1] for _ in range(repeats))


def throughput(step, examples_per_call, min_seconds=3.0, warmup=2):
    """Examples per second of ``step()``, which must block until done.

    Runs ``warmup`` untimed calls (tracing, caches), then calls ``step``
    until ``min_seconds`` have passed.
    """
    for _ in range(warmup):
        step()
    calls = 0
    with Timer() as timer:
        while timer.seconds < min_seconds:
            step()
            calls += 1
    return calls * examples_per_call / timer.seconds


def steady(epoch_seconds):
    """Median seconds of the epochs after the first (which includes tracing); None with one epoch."""
    return float(np.median(epoch_seconds[1:])) if len(epoch_seconds) > 1 else None


def epoch_timer():
    """A ``keras.callbacks.Callback`` that records the wall seconds of every epoch in ``.seconds``
    (the first epoch includes tracing; ``steady`` leaves it out)."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._timer = Timer().__enter__()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(self._timer.seconds)

    return EpochTimer()
