"""Training tfdl's models past one machine: ``tf.distribute.MultiWorkerMirroredStrategy``.

Keras 3's TensorFlow trainer fails under the multi-worker strategy
(keras-team/keras#20585, open; checked with Keras 3.15 and TensorFlow 2.21):
``reduce_per_replica`` reduces a step's scalar logs with
``strategy.reduce("MEAN", value, axis=0)``, and a scalar has no axis 0; and
``_maybe_symbolic_build`` reduces a whole distributed batch eagerly only to
learn its shapes. tfdl works around both for its own models
(``tfdl.models.base.OwnLossModel`` calls ``make_function`` and
``first_local_batch``), never by patching Keras for everyone who imports
tfdl: the step's scalar logs get a leading axis of one (their mean over the
replicas and that axis is their mean over the replicas), and a model is built
from the first local replica's batch (only shapes matter). The ``tfdl
reproduce`` command, which owns its process, applies the same two fixes to
the plain Keras models its sections train (``multi_worker_training``), and
gives every ``fit`` a ``keras.callbacks.BackupAndRestore`` so that a run whose
worker died resumes each interrupted ``fit`` from its last finished epoch.

The cluster comes from the standard ``TF_CONFIG`` environment variable;
``launch`` starts local workers with a generated one (``tfdl reproduce
--workers N``), the way to try a cluster on one host.
"""

import contextlib
import functools
import itertools
import json
import os
import socket
import subprocess
import sys
import time

import tensorflow as tf

KERAS_CHECKED = "3.15"
UPSTREAM_ISSUE = "https://github.com/keras-team/keras/issues/20585"


def in_multi_worker_mode(strategy):
    """True when ``strategy`` is a ``MultiWorkerMirroredStrategy`` over more than one worker."""
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and (
        strategy.extended._in_multi_worker_mode()
    )


def logs_as_vectors(step_function):
    """``step_function`` whose scalar outputs are returned with shape ``[1]``."""

    def step(data):
        outputs = step_function(data)
        return tf.nest.map_structure(
            lambda value: tf.reshape(value, [1]) if value.shape.rank == 0 else value, outputs
        )

    return step


def first_local_batch(iterator, strategy):
    """The first batch of a Keras epoch iterator, as the first local replica sees it."""
    for _, _, batches in iterator:
        batch = next(batches)
        return tf.nest.map_structure(
            lambda value: strategy.experimental_local_results(value)[0]
            if isinstance(value, tf.distribute.DistributedValues) else value,
            batch,
        )
    return None


def make_function(original):
    """Wraps a trainer's ``_make_function``: scalar logs as vectors under the multi-worker strategy."""

    @functools.wraps(original)
    def _make_function(self, step_function):
        if in_multi_worker_mode(self.distribute_strategy):
            step_function = logs_as_vectors(step_function)
        return original(self, step_function)

    return _make_function


def symbolic_build(original):
    """Wraps a trainer's ``_maybe_symbolic_build``: builds from the first local replica's batch."""

    @functools.wraps(original)
    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        if iterator is not None and in_multi_worker_mode(self.distribute_strategy):
            iterator, data_batch = None, first_local_batch(iterator, self.distribute_strategy)
        return original(self, iterator=iterator, data_batch=data_batch)

    return _maybe_symbolic_build


def build_in_scope(model, input_shape):
    """``model.build(input_shape)`` under the strategy the model was made in, so
    that a model built from its data's width outside ``strategy.scope()`` (in
    ``fit``, ``pretrain``) gets distributed variables."""
    with model.distribute_strategy.scope():
        model.build(input_shape)


def task():
    """``(type, index)`` of this process in ``TF_CONFIG``; ``("worker", 0)`` without one."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    entry = config.get("task", {})
    return entry.get("type", "worker"), int(entry.get("index", 0))


def is_chief():
    """True for the process that writes results: the ``chief`` task, else worker 0."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    kind, index = task()
    if "chief" in config.get("cluster", {}):
        return kind == "chief"
    return kind == "worker" and index == 0


@functools.lru_cache(maxsize=None)
def multi_worker_strategy():
    """One ``MultiWorkerMirroredStrategy`` per process, from ``TF_CONFIG``."""
    if not os.environ.get("TF_CONFIG"):
        raise ValueError(
            "strategy='multi_worker' reads the cluster from the TF_CONFIG environment variable; "
            "expected TF_CONFIG to be set (or use --workers N to start N local workers). Received: no TF_CONFIG"
        )
    return tf.distribute.MultiWorkerMirroredStrategy()


@contextlib.contextmanager
def multi_worker_training(backup_dir):
    """Within: every Keras model trains under the multi-worker strategy (the two
    fixes above applied to Keras's trainer), and every ``fit`` without its own
    ``BackupAndRestore`` gets one in ``backup_dir/fit-<n>`` (``n`` counts the
    process's ``fit`` calls, so a restarted run finds each backup again).
    Restores Keras's trainer on exit."""
    from keras.callbacks import BackupAndRestore
    from keras.src.backend.tensorflow import trainer

    cls = trainer.TensorFlowTrainer
    saved = {name: cls.__dict__[name] for name in ("_make_function", "_maybe_symbolic_build", "fit")}
    count = itertools.count()

    def fit(self, *args, callbacks=None, **kwargs):
        callbacks = list(callbacks or [])
        if not any(isinstance(c, BackupAndRestore) for c in callbacks):
            callbacks.append(BackupAndRestore(os.path.join(backup_dir, f"fit-{next(count)}")))
        return saved["fit"](self, *args, callbacks=callbacks, **kwargs)

    cls._make_function = make_function(saved["_make_function"])
    cls._maybe_symbolic_build = symbolic_build(saved["_maybe_symbolic_build"])
    cls.fit = fit
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(cls, name, value)


def free_ports(count):
    """``count`` free TCP ports on localhost."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def local_tf_configs(workers):
    """One ``TF_CONFIG`` (a JSON string) per local worker of a cluster on free localhost ports."""
    hosts = [f"localhost:{port}" for port in free_ports(workers)]
    return [json.dumps({"cluster": {"worker": hosts}, "task": {"type": "worker", "index": i}})
            for i in range(workers)]


def launch(command, workers, env=None):
    """Runs ``command`` (an argument list) as ``workers`` local processes, each
    with its ``TF_CONFIG``; when one fails the others are stopped (a
    collective would wait for it forever). Returns the exit codes, chief first."""
    processes = [
        subprocess.Popen(command, env={**os.environ, **(env or {}), "TF_CONFIG": config})
        for config in local_tf_configs(workers)
    ]
    while any(p.poll() is None for p in processes):
        if any(p.returncode not in (None, 0) for p in processes):
            for p in processes:
                if p.poll() is None:
                    p.terminate()
        time.sleep(0.2)
    return [p.returncode for p in processes]


def launcher_command(argv):
    """``python -m tfdl`` with ``argv`` minus ``--workers N``: the command each local worker runs."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--workers":
            skip = True
        elif not arg.startswith("--workers="):
            kept.append(arg)
    return [sys.executable, "-m", "tfdl", *kept]
