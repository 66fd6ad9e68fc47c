"""Fine-tuning (step 4): every variant of the comparison, per seed and label fraction (trained once per run)."""

import dataclasses
import math

import keras
import numpy as np
import tensorflow as tf

from tfdl import claims
from tfdl.reproductions.pretraining.common import (DBN_FROZEN, FINE_TUNING, LEVEL_TAIL, LEVEL_TOLERANCE, NETWORKS,
                                                   NORMED, PATIENCE, PRETRAINED, RANDOM, RELU, STOPPED, VARIANTS,
                                                   budget, images)
from tfdl.reproductions.pretraining.stacks import pretrained
from tfdl.timing import Timer


@dataclasses.dataclass
class Split:
    """The data of one fine-tuning run: the labelled training arrays (repeated), the distinct
    labelled images (for the train error), the validation and the test split, each ``(x, y)``."""

    train: tuple
    distinct: tuple
    valid: tuple
    test: tuple
    fraction: float = 1.0


class Snapshot(keras.callbacks.Callback):
    """Training seconds of each epoch (validation excluded); the weights after ``epoch`` epochs."""

    def __init__(self, epoch=None):
        super().__init__()
        self.epoch, self.weights, self.seconds = epoch, None, []

    def on_epoch_begin(self, epoch, logs=None):
        self._timer = Timer().__enter__()

    def on_test_begin(self, logs=None):
        self.seconds.append(self._timer.seconds)

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            self.weights = self.model.get_weights()


def mlp(units, input_dim, num_classes, activation, seed):
    """A randomly initialised MLP: Glorot-uniform (sigmoid) or He-uniform (ReLU) hidden layers, softmax on top."""
    initializer = (keras.initializers.HeUniform if activation == "relu" else keras.initializers.GlorotUniform)(seed)
    return keras.Sequential(
        [keras.Input((input_dim,))]
        + [keras.layers.Dense(u, activation=activation, kernel_initializer=initializer) for u in units]
        + [keras.layers.Dense(num_classes, activation="softmax",
                              kernel_initializer=keras.initializers.GlorotUniform(seed))]
    )


def gradient_norms(model, x, y):
    """``||dL/dW||`` of each layer's kernel, bottom first, softmax last."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
    kernels = [layer.kernel for layer in model.layers]
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


def labelled_subset(x, y, fraction, seed, min_rows):
    """A random ``fraction`` of the labelled images, repeated to at least ``min_rows`` rows.

    Returns ``(repeated (x, y), distinct (x, y))``.
    """
    rng = np.random.default_rng(seed)
    index = rng.permutation(len(x))[: max(10, round(fraction * len(x)))]
    repeats = max(1, math.ceil(min_rows / len(index)))
    return (np.tile(x[index], (repeats, 1)), np.tile(y[index], repeats)), (x[index], y[index])


def error(model, x, y):
    """Classification error in percent."""
    return 100.0 * (1.0 - model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"])


def converged(curve, stopped_early):
    """Early stopping ended the run, or its validation error ``curve`` levelled off (``claims.levelled``)."""
    return bool(stopped_early) or claims.levelled(curve, tail=LEVEL_TAIL, tolerance=LEVEL_TOLERANCE)


def fine_tune(run, s, model, split, epochs, snapshot):
    """Fine-tunes ``model`` on ``split`` for ``snapshot`` epochs, then on with early stopping (patience
    ``PATIENCE`` on the validation loss, best weights kept) up to ``epochs``.

    Returns ``{"short": the result after snapshot epochs, "stopped": the early-stopped result}``; each
    result: train and test error (%), the validation error curve and cumulative seconds up to it, the
    number of parameters, and (stopped) whether the run converged. With a constant learning rate and
    the same seed, the first ``snapshot`` epochs are exactly a ``snapshot``-epoch run.
    """
    with run.strategy.scope():
        model.compile(optimizer=keras.optimizers.SGD(**FINE_TUNING),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    clock = Snapshot(snapshot)
    stopping = keras.callbacks.EarlyStopping(patience=PATIENCE, start_from_epoch=snapshot - 1,
                                             restore_best_weights=True)
    history = model.fit(*split.train, epochs=epochs, batch_size=s["fine_batch"], validation_data=split.valid,
                        callbacks=[clock, stopping], verbose=run.verbose)
    curve = 100.0 * (1.0 - np.asarray(history.history["val_accuracy"]))
    seconds = np.cumsum(clock.seconds)

    def result(length):
        return {"train_error": error(model, *split.distinct), "test_error": error(model, *split.test),
                "curve": curve[:length], "seconds": seconds[:length], "parameters": model.count_params()}

    stopped = {**result(len(curve)), "converged": converged(curve, stopping.stopped_epoch > 0),
               "best_epoch": int(stopping.best_epoch) + 1}
    model.set_weights(clock.weights)
    return {"short": result(snapshot), "stopped": stopped}


def _model(run, s, variant, stacks, seed, shape):
    """The variant's network before fine-tuning: random, or initialised from a pre-trained stack."""
    input_dim, num_classes = shape
    with run.strategy.scope():
        if variant in (RANDOM, RELU):
            return mlp(s["units"], input_dim, num_classes, "relu" if variant == RELU else "sigmoid", seed)
        return stacks[PRETRAINED[variant]].to_classifier(num_classes, freeze=variant == DBN_FROZEN)


def hidden_kernels(model):
    """The hidden layers' kernels (every layer but the softmax), as NumPy copies."""
    return [np.array(layer.kernel) for layer in model.layers[:-1]]


def _fraction(run, s, seed, stacks, split, results):
    """Fine-tunes every variant of one seed on one label fraction into ``results``."""
    fraction, norms = split.fraction, results["norms"]
    x, y = images(run, s)["train"]
    for variant in NETWORKS:
        keras.utils.set_random_seed(seed)
        model = _model(run, s, variant, stacks, seed, (x.shape[1], results["num_classes"]))
        if fraction == 1.0 and variant in NORMED:
            norms[variant].append(gradient_norms(model, x[:256], y[:256]))
        if variant in PRETRAINED:
            start = stacks[PRETRAINED[variant]].transform(x[:256])
            results["start_difference"][variant].append(float(np.max(np.abs(
                np.asarray(keras.Sequential(model.layers[:-1])(x[:256])) - np.asarray(start)))))
        before = hidden_kernels(model)
        ran = fine_tune(run, s, model, split, budget(s), s["fine_epochs"])
        if variant == DBN_FROZEN:
            results["frozen_change"].append(max(float(np.max(np.abs(a - b)))
                                                for a, b in zip(before, hidden_kernels(model))))
        results[(variant, fraction)].append(ran["short"])
        results[(STOPPED[variant], fraction)].append(ran["stopped"])


def compare(run, s):
    """Every variant fine-tuned, per seed and label fraction, and the gradient norms before fine-tuning
    (100% labels). Returns ``{(variant, fraction): [per seed result], "norms": {variant: [per seed]},
    "start_difference": {pre-trained variant: [largest |classifier's hidden output - stack's transform|,
    per seed and fraction]}, "frozen_change": [largest change of a frozen hidden weight]}``."""
    def compute():
        data, stacks = images(run, s), pretrained(run, s)["stacks"]
        (x, y), valid, test = data["train"], data["valid"], data["test"]
        # a small subset may miss a class
        results = {"norms": {v: [] for v in NORMED}, "start_difference": {v: [] for v in PRETRAINED},
                   "frozen_change": [], "num_classes": int(max(y.max(), valid[1].max(), test[1].max())) + 1}
        results.update({(v, f): [] for v in VARIANTS for f in s["fractions"]})
        for seed in s["seeds"]:
            for fraction in s["fractions"]:
                train, distinct = labelled_subset(x, y, fraction, seed, len(x))
                run.progress(f"seed {seed}, {100 * fraction:g}% labels ({len(distinct[0])} images): fine-tuning")
                _fraction(run, s, seed, stacks[seed], Split(train, distinct, valid, test, fraction), results)
        return results

    return run.cached(("compare", repr(s)), compute)


def per_seed(results, variant, fraction, key):
    """``key`` of ``variant``'s results at ``fraction``, one float per seed."""
    return [float(r[key]) for r in results[(variant, fraction)]]


def mean(results, variant, fraction, key="test_error"):
    return float(np.mean(per_seed(results, variant, fraction, key)))
