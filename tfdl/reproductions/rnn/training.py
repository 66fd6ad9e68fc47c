"""Training and prediction shared by the RNN article's sections."""

import keras
import numpy as np

from tfdl import timing

STEPS_PER_EXECUTION = 16  # many small steps per call: less Python overhead on a CPU


def count(run, smoke, default, full):
    """A count for the run's profile, capped by its limit."""
    return run.at_most(run.by_profile(smoke, default, full))


def epochs(run, default, full):
    """Epochs for the run's profile (one on smoke), unless ``--epochs`` overrides them."""
    return run.num_epochs(smoke=1, default=default, full=full)


def seeds(run):
    """One seed on smoke, 3 on default, 5 on full (1 under a limit)."""
    return run.seeds(run.by_profile(1, 3, 5))


def train(run, build, x, y, epochs, loss, seed, learning_rate=3e-3, batch_size=64, clipnorm=None):
    """Builds (under the run's strategy, seeded), compiles and fits a model (Adam).

    Returns ``(model, training loss per epoch, seconds per epoch)``.
    """
    keras.utils.set_random_seed(seed)
    smoke = run.profile == "smoke"
    with run.strategy.scope():
        model = build()
        # smoke runs a few batches: running eagerly skips tracing, which would dominate
        model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm), loss=loss,
                      run_eagerly=smoke,
                      steps_per_execution=1 if smoke else STEPS_PER_EXECUTION)
    timer = timing.epoch_timer()
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=run.verbose,
                        callbacks=[timer])
    return model, history.history["loss"], timer.seconds


def predict(model, x, batch_size=2048):
    """The model's outputs as NumPy, called in batches (no ``predict`` function traced per model)."""
    return np.concatenate([keras.ops.convert_to_numpy(model(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])


def accuracy(model, x, y):
    return float(np.mean(predict(model, x).argmax(-1) == y))
