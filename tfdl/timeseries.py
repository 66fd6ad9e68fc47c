"""Real-valued series: two that nobody here made, a linear autoregressive model, and the simple forecasts
it must beat.

The series are statsmodels' bundled data sets (offline): yearly sunspot numbers
(``"sunspots"``, 1700-2008) and weekly atmospheric CO2 at Mauna Loa
(``"co2"``, 1958-2001, ppm). The model is linear AR(p),
``x_t = a_0 + sum_(k=1..p) a_k x_(t-k)``, fitted by least squares (the
conditional maximum-likelihood fit statsmodels' ``AutoReg`` makes with
``trend="c"``). Forecasts are made from origins ``t``: ``x_t, ..., x_(t+h-1)``
from ``x_0, ..., x_(t-1)``.

Example:

>>> x = np.arange(10.0)
>>> last_value(x, origins=[8], steps=2).tolist()
[[7.0, 7.0]]
>>> seasonal_naive(x, origins=[8], steps=2, period=3).tolist()
[[5.0, 6.0]]
"""

import numpy as np

from tfdl import validation

SERIES = ("sunspots", "co2")


def load_series(name):
    """``(values [n] float64, dates [n] str)`` of a statsmodels data set.

    ``"sunspots"``: yearly mean sunspot number (Wolf number), 1700-2008.
    ``"co2"``: weekly CO2 (ppm), March 1958 - December 2001; its 59 missing
    weeks are filled by linear interpolation between their neighbours.
    """
    validation.one_of(name, SERIES, "name")
    from statsmodels import datasets

    if name == "sunspots":
        frame = datasets.sunspots.load_pandas().data
        return frame["SUNACTIVITY"].to_numpy(np.float64), frame["YEAR"].astype(int).astype(str).to_numpy()
    frame = datasets.co2.load_pandas().data["co2"].interpolate()
    return frame.to_numpy(np.float64), frame.index.strftime("%Y-%m-%d").to_numpy()


def _series(x, name="x"):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ValueError(f"Expected {name} to be a 1-D array of finite numbers. Received: {name}.shape={x.shape}")
    return x


def lagged(x, lags):
    """Rows ``[x_(t-p), ..., x_(t-1)]`` (oldest first) and targets ``x_t`` for every t >= p."""
    x, lags = _series(x), validation.positive_int(lags, "lags")
    if len(x) <= lags:
        raise ValueError(f"Expected more than lags={lags} values. Received: len(x)={len(x)}")
    windows = np.lib.stride_tricks.sliding_window_view(x, lags + 1)
    return windows[:, :lags], windows[:, lags]


def fit_ar(x, lags):
    """Least-squares AR(p) coefficients ``[a_p, ..., a_1, a_0]`` (oldest lag first, intercept last).

    Args:
        x: the training series ``[n]``, ``n > 2 * lags``.
        lags: p, a positive int.
    """
    x = _series(x)
    if len(x) <= 2 * validation.positive_int(lags, "lags"):
        raise ValueError(f"Expected more than 2 * lags = {2 * lags} values. Received: len(x)={len(x)}")
    inputs, targets = lagged(x, lags)
    design = np.column_stack([inputs, np.ones(len(inputs))])
    return np.linalg.lstsq(design, targets, rcond=None)[0]


def predict(coefficients, inputs):
    """One-step forecasts from rows of lags ``[n, p]`` (oldest first)."""
    return np.asarray(inputs, np.float64) @ coefficients[:-1] + coefficients[-1]


def rollout(coefficients, history, steps):
    """``steps`` forecasts after ``history``, each fed back as the newest lag of the next."""
    lags = len(coefficients) - 1
    history = _series(history, "history")
    if len(history) < lags:
        raise ValueError(f"Expected a history of at least {lags} values. Received: len(history)={len(history)}")
    window = list(history[len(history) - lags:])
    forecasts = []
    for _ in range(validation.positive_int(steps, "steps")):
        forecasts.append(float(predict(coefficients, np.array(window)[None, :])[0]))
        window = window[1:] + [forecasts[-1]]
    return np.array(forecasts)


def _origins(x, origins, steps, first):
    origins = np.asarray(origins, dtype=int)
    if origins.ndim != 1 or len(origins) == 0 or origins.min() < first or origins.max() + steps > len(x):
        raise ValueError(f"Expected origins t with {first} <= t and t + steps <= {len(x)} (steps={steps}). "
                         f"Received: origins from {origins.min(initial=0)} to {origins.max(initial=0)}")
    return origins


def ar_forecasts(coefficients, x, origins, steps):
    """``[origins, steps]``: AR(p) rolled out from each origin, from ``x`` before it."""
    x = _series(x)
    origins = _origins(x, origins, validation.positive_int(steps, "steps"), len(coefficients) - 1)
    return np.array([rollout(coefficients, x[:t], steps) for t in origins])


def last_value(x, origins, steps):
    """``[origins, steps]``: the value before each origin, repeated."""
    x = _series(x)
    origins = _origins(x, origins, validation.positive_int(steps, "steps"), 1)
    return np.repeat(x[origins - 1][:, None], steps, axis=1)


def seasonal_naive(x, origins, steps, period):
    """``[origins, steps]``: each forecast is the value one season earlier, ``x_(t+h-period)``, the last
    observed season repeated for horizons beyond one period (``h >= period``)."""
    x = _series(x)
    period = validation.positive_int(period, "period")
    origins = _origins(x, origins, validation.positive_int(steps, "steps"), period)
    horizons = np.arange(steps)
    return x[origins[:, None] - period + horizons % period]


def squared_errors(forecasts, x, origins):
    """``[origins, steps]``: (forecast - truth)² for forecasts from ``origins``."""
    x, forecasts = _series(x), np.asarray(forecasts, np.float64)
    steps = forecasts.shape[1]
    truth = np.array([x[t:t + steps] for t in _origins(x, origins, steps, 0)])
    return (forecasts - truth) ** 2
