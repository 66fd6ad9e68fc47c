"""Training and prediction shared by the RNN article's sections.

Models that a claim compares train with early stopping on a validation set
(the best weights restored); a model counts as converged when early stopping
ended its training, or when its validation loss had levelled off by the end of
its epoch budget (``LEVEL_TAIL`` of the epochs improved it by less than
``LEVEL_TOLERANCE`` of its value, or of a scale the task gives: ``Fit.levelled_within``).
A comparison involving a model that did not converge is ``inconclusive (not converged)``.
"""

import dataclasses

import keras
import numpy as np

from tfdl import claims, timing

STEPS_PER_EXECUTION = 16  # many small steps per call: less Python overhead on a CPU
PATIENCE = 3  # epochs without a better validation loss before training stops
LEVEL_TAIL, LEVEL_TOLERANCE = 0.2, 0.01  # the last 20% of epochs improved validation loss by < 1%


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How a model is trained: Adam at ``learning_rate`` on ``loss`` for at most ``epochs``."""

    loss: str
    epochs: int
    learning_rate: float = 3e-3
    batch_size: int = 64
    clipnorm: float = None


@dataclasses.dataclass
class Fit:
    """A trained model and its curves: training and validation loss, seconds per epoch."""

    model: object
    loss: list
    val_loss: list
    seconds: list
    stopped_early: bool

    @property
    def converged(self):
        """Stopped early, or levelled off within ``LEVEL_TOLERANCE`` of its best validation loss."""
        return bool(self.val_loss) and self.levelled_within(LEVEL_TOLERANCE * abs(min(self.val_loss)))

    def levelled_within(self, tolerance):
        """Stopped early, or the last ``LEVEL_TAIL`` of the epochs improved the validation loss by at most
        ``tolerance`` (in the loss's unit); False without validation."""
        if not self.val_loss:
            return False
        return self.stopped_early or claims.levelled(self.val_loss, tail=LEVEL_TAIL, tolerance=tolerance)


def count(run, smoke, default, full):
    """A count for the run's profile, capped by its limit."""
    return run.at_most(run.by_profile(smoke, default, full))


def epochs(run, default, full):
    """Epochs for the run's profile (one on smoke), unless ``--epochs`` overrides them."""
    return run.num_epochs(smoke=1, default=default, full=full)


def seeds(run):
    """One seed on smoke, 3 on default, 5 on full (1 under a limit)."""
    return run.seeds(run.by_profile(1, 3, 5))


def train(run, build, data, recipe, seed, validation=None):
    """Builds (under the run's strategy, seeded), compiles and fits a model (Adam).

    Args:
        run: the ``Run``.
        build: a function returning the uncompiled model.
        data: ``(x, y)``.
        recipe: a ``Recipe``.
        seed: the initial weights' seed.
        validation: ``(x, y)`` for early stopping (patience ``PATIENCE``, best weights restored),
            or None to train for ``recipe.epochs``.

    Returns:
        A ``Fit``.
    """
    keras.utils.set_random_seed(seed)
    smoke = run.profile == "smoke"
    with run.strategy.scope():
        model = build()
        # smoke runs a few batches: running eagerly skips tracing, which would dominate
        model.compile(optimizer=keras.optimizers.Adam(recipe.learning_rate, clipnorm=recipe.clipnorm),
                      loss=recipe.loss, run_eagerly=smoke, steps_per_execution=1 if smoke else STEPS_PER_EXECUTION)
    timer, callbacks = timing.epoch_timer(), []
    if validation is not None:
        callbacks.append(keras.callbacks.EarlyStopping(patience=PATIENCE, restore_best_weights=True))
    history = model.fit(*data, epochs=recipe.epochs, batch_size=recipe.batch_size, verbose=run.verbose,
                        validation_data=validation, callbacks=[timer] + callbacks)
    stopped = bool(callbacks) and callbacks[0].stopped_epoch > 0
    return Fit(model, history.history["loss"], history.history.get("val_loss", []), timer.seconds, stopped)


def predict(model, x, batch_size=2048):
    """The model's outputs as NumPy, called in batches (no ``predict`` function traced per model)."""
    return np.concatenate([keras.ops.convert_to_numpy(model(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])


def accuracy(model, x, y):
    return float(np.mean(predict(model, x).argmax(-1) == y))
