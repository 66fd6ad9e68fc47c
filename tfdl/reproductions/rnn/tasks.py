"""The RNN article's tasks, all generated offline from a seed (or read from the run's images).

* images read row by row: each image is a sequence of its rows (8 steps x 8
  features on ``digits``, 28 x 28 on Fashion-MNIST / MNIST).
* snippet task, 100 steps x 50 features -> 10 classes: x ~ N(0, 1), label
  ``argmax_k mean_t x[t, k]`` over the first ten features (chance 10 %).
* many-to-many, unaligned: the reversal of 6 random digits.
* time series: the Mackey-Glass delay equation (tau = 17), sampled every 6
  time units.
* adding problem (Hochreiter & Schmidhuber, 1997): T steps of (value ~ U(0, 1),
  marker), one marker in each half; target = the sum of the two marked values.
  Predicting the mean 1 gives MSE 1/6.
"""

import numpy as np


def image_rows(run, split, limit):
    """Images as sequences of rows ``[n, height, width]`` and their labels."""
    x, y = run.load(split, with_labels=True)
    return x[:limit, ..., 0], y[:limit]


def snippet_task(n, seed):
    """100 x 50 Gaussian sequences labelled by the argmax of 10 time averages."""
    x = np.random.default_rng(seed).normal(size=(n, 100, 50)).astype("float32")
    return x, x[:, :, :10].mean(axis=1).argmax(axis=1)


def digit_sequences(n, length, seed):
    """Random digit sequences ``[n, length]`` and their one-hot ``[n, length, 10]``."""
    digits = np.random.default_rng(seed).integers(0, 10, size=(n, length))
    return digits, np.eye(10, dtype="float32")[digits]


def adding_problem(n, timesteps, seed):
    """The adding problem: inputs ``[n, T, 2]``, targets ``[n, 1]``."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(size=(n, timesteps)).astype("float32")
    half = timesteps // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, timesteps, size=n)
    markers = np.zeros_like(values)
    markers[np.arange(n), first] = 1.0
    markers[np.arange(n), second] = 1.0
    target = values[np.arange(n), first] + values[np.arange(n), second]
    return np.stack([values, markers], axis=-1), target[:, None].astype("float32")


def mackey_glass(length, seed, tau=17.0, dt=0.1, every=60, burn_in=300):
    """``length`` samples of dx/dt = 0.2 x(t - tau) / (1 + x(t - tau)^10) - 0.1 x(t).

    Euler steps of ``dt``, one sample every ``every`` steps (6 time units),
    after ``burn_in`` samples; the initial history is drawn from ``seed``.
    """
    lag = int(round(tau / dt))
    steps = (length + burn_in) * every
    x = np.empty(lag + steps)
    x[:lag] = np.random.default_rng(seed).uniform(0.5, 1.3, size=lag)
    for t in range(lag, lag + steps):
        delayed = x[t - lag]
        x[t] = x[t - 1] + dt * (0.2 * delayed / (1.0 + delayed**10) - 0.1 * x[t - 1])
    return x[lag + burn_in * every::every][:length]
