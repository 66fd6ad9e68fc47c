"""A job that tests/test_multi_worker.py runs as local worker processes.

``python tests/multi_worker_job.py JOB[,JOB] OUT`` runs the jobs in turn.

``models``: trains each tfdl model with its
own training step for two epochs (global batch 16, SGD 0.1, seeds fixed) under
the strategy of ``TF_CONFIG`` (none: one process) and saves the weights of
each in ``OUT/worker-<task index>/<model>.npz``; also records in ``plain_keras.json`` there whether a
plain Keras model trains under the strategy without tfdl's workaround, and
with it (``tfdl.distribute.multi_worker_training``).

``restart``: trains a MADE for four
epochs under ``multi_worker_training(OUT/backup)``, appending every epoch it
begins to ``epochs.txt`` there; with ``KILL_AT_EPOCH=e`` the
worker of index 1 exits in the middle of epoch ``e``. Saves the weights in
``restart.npz`` there.
"""

import json
import os
import sys

import numpy as np

import tfdl  # noqa: F401 (before keras: the TensorFlow backend)
from tfdl import distribute
import keras
import tensorflow as tf
from tfdl import models

RNG = np.random.default_rng(0)
X = (RNG.random((64, 12)) < 0.4).astype("float32")
IMAGES = (RNG.random((32, 6, 6, 1)) < 0.4).astype("float32")
BUILDERS = {
    "made": lambda: (models.MADE(12, (16,), seed=3), X),
    "nade": lambda: (models.NADE(12, 8, seed=3), X),
    "rbm_cd": lambda: (models.RBM(8, seed=3), X),
    "rbm_pcd": lambda: (models.RBM(8, persistent=True, seed=3), X),
    "dbn": lambda: (models.DBN((8, 6), seed=3), X),
    "pixelcnn": lambda: (models.PixelCNN((6, 6, 1), filters=8, num_residual=1, kernel_size=3, seed=3), IMAGES),
    "pixelrnn": lambda: (models.PixelRNN((6, 6, 1), units=4, num_layers=1, seed=3), IMAGES),
    "vae": lambda: (models.VAE(*models.vae.dense_pair((12,), 2, (8,)), seed=3), X),
    "autoencoder": lambda: (models.Autoencoder(*models.vae.dense_pair((12,), 2, (8,), variational=False)), X),
    "stacked_autoencoder": lambda: (models.StackedAutoencoder((8, 6), seed=3), X),
}


def distribution():
    if os.environ.get("TF_CONFIG"):
        return distribute.multi_worker_strategy()
    return tf.distribute.get_strategy()


def train(name, strategy):
    with strategy.scope():
        keras.utils.set_random_seed(1)
        model, data = BUILDERS[name]()
        if name == "stacked_autoencoder":
            model.pretrain(data, epochs=2, batch_size=16, optimizer=lambda: keras.optimizers.SGD(0.1))
        else:
            model.compile(optimizer=keras.optimizers.SGD(0.1))
    if name != "stacked_autoencoder":
        model.fit(data, batch_size=16, epochs=2, shuffle=False, verbose=0)
    return model


def plain_keras(strategy):
    """Whether a Dense model with Keras's own loss trains under ``strategy``: "trained" or the error."""
    with strategy.scope():
        model = keras.Sequential([keras.Input((12,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
    try:
        model.fit(X, X[:, :1], batch_size=16, epochs=1, verbose=0)
        return "trained"
    except Exception as error:  # the upstream failure, whatever its type
        return f"{type(error).__name__}: {str(error)[:200]}"


class Killer(keras.callbacks.Callback):
    """Appends each epoch begun to a file; exits worker 1 in the middle of ``kill_at``."""

    def __init__(self, path, kill_at):
        super().__init__()
        self.path, self.kill_at, self.epoch = path, kill_at, None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        with open(self.path, "a") as stream:
            stream.write(f"{epoch}\n")

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == self.kill_at and batch == 1 and distribute.task()[1] == 1:
            os._exit(3)


def main(jobs, out):
    strategy = distribution()
    out = os.path.join(out, f"worker-{distribute.task()[1]}")
    os.makedirs(out, exist_ok=True)
    for job in jobs.split(","):
        {"models": train_models, "restart": restart}[job](strategy, out)


def train_models(strategy, out):
    for name in BUILDERS:
        np.savez(os.path.join(out, f"{name}.npz"), *train(name, strategy).get_weights())
    results = {"without": plain_keras(strategy)}
    with distribute.multi_worker_training(os.path.join(out, "backup")):
        results["with"] = plain_keras(strategy)
    with open(os.path.join(out, "plain_keras.json"), "w") as stream:
        json.dump(results, stream)


def restart(strategy, out):
    kill_at = int(os.environ.get("KILL_AT_EPOCH", -1))
    with distribute.multi_worker_training(os.path.join(out, "backup")):
        with strategy.scope():
            keras.utils.set_random_seed(1)
            model = models.MADE(12, (16,), seed=3)
            model.build((None, 12))  # BackupAndRestore restores into a built model
            model.compile(optimizer=keras.optimizers.SGD(0.1))
        killer = Killer(os.path.join(out, "epochs.txt"), kill_at)
        model.fit(X, batch_size=16, epochs=4, shuffle=False, verbose=0, callbacks=[killer])
    np.savez(os.path.join(out, "restart.npz"), *model.get_weights())


if __name__ == "__main__":
    main(*sys.argv[1:])
