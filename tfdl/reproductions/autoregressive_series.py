"""Time-series forecasting with an autoregressive model (article 000's applications).

``forecasting_section(run, claims)`` generates noisy seasonal series offline
(a sinusoid of period ``PERIOD`` plus AR(1) noise), fits a linear AR(p) model
``x_t = a_0 + sum_(k=1..p) a_k x_(t-k)`` by least squares on the first part of
each series, and forecasts the rest: one step ahead from the true past, and
``HORIZON`` steps ahead by feeding its own forecasts back (how an
autoregressive model generates). The sceptic's baseline repeats the last
observed value. Errors are in units of the innovation variance ``SIGMA**2``,
the error of the true model one step ahead. It returns the report's Markdown
and adds its claims to ``claims``.
"""

import math

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tfdl import claims  # noqa: E402
from tfdl.runner import markdown_table  # noqa: E402

PERIOD, PHI, SIGMA = 16, 0.6, 0.2  # the series: sin(2 pi t / PERIOD + phase) + u_t, u_t = PHI u_(t-1) + SIGMA e_t
LENGTH, TEST = 1200, 200  # points per series; the last TEST are forecast
LAGS = PERIOD  # p, fixed before the run: one period of history
HORIZON = PERIOD  # steps of the rolled-out forecast
SERIES_SEEDS = 5  # series per run (seeds run.seed ... run.seed + 4)
# Mean squared error in units of SIGMA**2: 0.1 is a tenth of the irreducible one-step error.
FORECAST_MARGIN = 0.1


def series(length, seed):
    """A sinusoid of period ``PERIOD`` (random phase) plus AR(1) noise, ``[length]`` float64."""
    rng = np.random.default_rng(seed)
    shocks = SIGMA * rng.standard_normal(length)
    noise = np.zeros(length)
    for t in range(1, length):
        noise[t] = PHI * noise[t - 1] + shocks[t]
    return np.sin(2 * math.pi * np.arange(length) / PERIOD + rng.uniform(0, 2 * math.pi)) + noise


def lagged(x, lags):
    """Rows ``[x_(t-p), ..., x_(t-1)]`` and targets ``x_t`` for every t >= p."""
    windows = np.lib.stride_tricks.sliding_window_view(x, lags + 1)
    return windows[:, :lags], windows[:, lags]


def fit_ar(x, lags):
    """Least-squares AR(p) coefficients ``[a_p, ..., a_1, a_0]`` (oldest lag first, intercept last)."""
    inputs, targets = lagged(x, lags)
    design = np.column_stack([inputs, np.ones(len(inputs))])
    return np.linalg.lstsq(design, targets, rcond=None)[0]


def predict(coefficients, inputs):
    """One-step forecasts from rows of lags ``[n, p]`` (oldest first)."""
    return inputs @ coefficients[:-1] + coefficients[-1]


def rollout(coefficients, history, steps):
    """``steps`` forecasts, each fed back as the newest lag of the next."""
    window = list(history[-(len(coefficients) - 1):])
    forecasts = []
    for _ in range(steps):
        forecasts.append(float(predict(coefficients, np.array(window)[None, :])[0]))
        window = window[1:] + [forecasts[-1]]
    return np.array(forecasts)


def _evaluate(seed):
    x = series(LENGTH, seed)
    split = LENGTH - TEST
    coefficients = fit_ar(x[:split], LAGS)
    inputs, targets = lagged(x[split - LAGS:], LAGS)
    one_step = {"AR": np.mean((predict(coefficients, inputs) - targets) ** 2),
                "last value": np.mean((inputs[:, -1] - targets) ** 2)}
    origins = range(split, LENGTH - HORIZON + 1)
    ar = np.array([(rollout(coefficients, x[:t], HORIZON) - x[t:t + HORIZON]) ** 2 for t in origins])
    last = np.array([(x[t - 1] - x[t:t + HORIZON]) ** 2 for t in origins])
    return {
        "one_step": {k: float(v / SIGMA**2) for k, v in one_step.items()},
        "by_horizon": {"AR": ar.mean(0) / SIGMA**2, "last value": last.mean(0) / SIGMA**2},
        "series": x, "coefficients": coefficients,
    }


def _figure(run, first, results):
    x, split = first["series"], LENGTH - TEST
    start = split - 3 * PERIOD
    forecast = rollout(first["coefficients"], x[:split], HORIZON)
    inputs, _ = lagged(x[split - LAGS:], LAGS)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    time = np.arange(start, split + 3 * PERIOD)
    left.plot(time, x[start:split + 3 * PERIOD], "k-", lw=1, label="series")
    left.plot(np.arange(split, split + 3 * PERIOD), predict(first["coefficients"], inputs)[: 3 * PERIOD], "C0.",
              ms=4, label=f"AR({LAGS}) one step ahead")
    left.plot(np.arange(split, split + HORIZON), forecast, "C1-", lw=2, label=f"AR({LAGS}) rolled out {HORIZON} steps")
    left.axvline(split, color="gray", ls=":", label="end of training part")
    left.set_xlabel("t"), left.set_ylabel("x_t"), left.set_title(f"Series seed {run.seed}")
    left.legend(fontsize=7)
    steps = np.arange(1, HORIZON + 1)
    for name, color in (("AR", "C1"), ("last value", "C3")):
        curves = np.array([r["by_horizon"][name] for r in results])
        right.errorbar(steps, curves.mean(0), curves.std(0, ddof=1) / math.sqrt(len(results)), color=color,
                       marker="o", ms=3, label=f"{name if name != 'AR' else f'AR({LAGS})'}")
    right.axhline(1.0, color="gray", ls=":", label="true model, one step (= 1)")
    right.set_xlabel("forecast horizon (steps)"), right.set_ylabel("MSE / σ²")
    right.set_title(f"Rolled-out forecast error, mean ± s.e. over {len(results)} series")
    right.legend(fontsize=7)
    return run.save_figure(figure, "forecasting", "time-series forecasting")


def forecasting_section(run, table):
    """Forecasts generated series with AR(p) and the last value; returns Markdown, adds claims to ``table``."""
    run.section(f"6. time-series forecasting: AR({LAGS}) against the last value, {SERIES_SEEDS} series")
    results = [_evaluate(run.seed + i) for i in range(SERIES_SEEDS)]
    one_step = {name: [r["one_step"][name] for r in results] for name in ("AR", "last value")}
    rolled = {name: [float(r["by_horizon"][name].mean()) for r in results] for name in ("AR", "last value")}
    run.metrics["forecasting"] = {
        "one_step_mse_over_sigma2": one_step, f"steps_1_to_{HORIZON}_mse_over_sigma2": rolled,
        "by_horizon_mse_over_sigma2": {name: np.mean([r["by_horizon"][name] for r in results], 0)
                                       for name in ("AR", "last value")},
        "lags": LAGS, "series": SERIES_SEEDS,
    }
    figure = _figure(run, results[0], results)
    quote = "Time Series Forecasting: पिछले डेटा के आधार पर भविष्यवाणी।"
    table.add(
        quote, "autoregressive models forecast a time series from its past",
        f"one-step-ahead test MSE / σ², AR({LAGS}) by least squares vs repeating the last value, "
        f"{SERIES_SEEDS} generated series",
        claims.compare(one_step["AR"], one_step["last value"], names=(f"AR({LAGS})", "last value"), better="lower",
                       margin=FORECAST_MARGIN),
    )
    table.add(
        quote, "… also many steps ahead, generating from its own forecasts",
        f"MSE / σ² over horizons 1-{HORIZON} (forecasts fed back), AR({LAGS}) vs the last value, "
        f"{SERIES_SEEDS} series",
        claims.compare(rolled["AR"], rolled["last value"], names=(f"AR({LAGS})", "last value"),
                       better="lower", margin=FORECAST_MARGIN),
    )
    rows = [[f"AR({LAGS})" if name == "AR" else name, np.mean(one_step[name]), np.std(one_step[name], ddof=1),
             np.mean(rolled[name]), np.std(rolled[name], ddof=1)] for name in one_step]
    return f"""## 6. Application: time-series forecasting

The article lists time-series forecasting ("prediction from past data") among
the applications. No time series ships with this project, so {SERIES_SEEDS}
are generated (seeds {run.seed}-{run.seed + SERIES_SEEDS - 1}): {LENGTH} points of
sin(2πt/{PERIOD} + random phase) plus AR(1) noise u_t = {PHI} u_(t-1) + {SIGMA} e_t.
The autoregressive model is the textbook one, linear AR({LAGS}) (one period of
lags, chosen before the run), fitted by least squares on the first
{LENGTH - TEST} points; it forecasts the last {TEST}. MADE, NADE and the
PixelRNNs model binary data, so none of them forecasts real values here. The
baseline repeats the last observed value. Errors are MSE / σ² with σ = {SIGMA}:
the true model's one-step error is 1.

{markdown_table(["forecaster", "one step: MSE / σ²", "sd over series", f"steps 1-{HORIZON}: MSE / σ²",
                 "sd over series"], rows)}

{figure}

Left: the end of one training part and the start of its test part, with the
one-step forecasts (from the true past) and a {HORIZON}-step forecast rolled
out from the end of the training part, each step fed the model's own earlier
forecasts. Right: the rolled-out error at each horizon. The AR model's error
grows over the first steps as the AR(1) noise it cannot foresee accumulates
(the noise alone would leave {1 / (1 - PHI ** 2):.2f} σ² at long horizons;
the rest is the error of a finite-lag model with estimated coefficients),
and then stays flat: the seasonal part is still predicted
{HORIZON} steps ahead. The last value misses the seasonal swing, and is right
again only a whole period ({PERIOD} steps) later, when the season comes back
round; the table's steps 1-{HORIZON} column averages over every horizon so
that no single lucky horizon decides.
"""
