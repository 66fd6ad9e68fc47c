"""Section 7: time-series forecasting with an autoregressive model (the article's applications).

Noisy seasonal series are generated offline (a sinusoid of period ``PERIOD``
plus AR(1) noise); a linear AR(p) model ``x_t = a_0 + sum_(k=1..p) a_k x_(t-k)``
is fitted by least squares on the first part of each series and forecasts the
rest: one step ahead from the true past, and ``HORIZON`` steps ahead by feeding
its own forecasts back (how an autoregressive model generates). The baseline
repeats the last observed value. Errors are in units of the innovation
variance ``SIGMA**2``, the error of the true model one step ahead.
"""

import math

import numpy as np

from tfdl import claims, plotting, tables
from tfdl.report import Section

PERIOD, PHI, SIGMA = 16, 0.6, 0.2  # the series: sin(2 pi t / PERIOD + phase) + u_t, u_t = PHI u_(t-1) + SIGMA e_t
LENGTH, TEST = 1200, 200  # points per series; the last TEST are forecast
LAGS = PERIOD  # p, fixed before the run: one period of history
HORIZON = PERIOD  # steps of the rolled-out forecast
SERIES_SEEDS = 5  # series per run (seeds run.seed ... run.seed + 4)
# Mean squared error in units of SIGMA**2: 0.1 is a tenth of the irreducible one-step error.
FORECAST_MARGIN = 0.1
FORECASTERS = ("AR", "last value")
QUOTE = "Time Series Forecasting: पिछले डेटा के आधार पर भविष्यवाणी।"


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


def evaluate(seed):
    """One generated series: one-step and rolled-out errors of AR(p) and the last value (MSE / σ²)."""
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


def forecast_figure(seed, first, results):
    x, split = first["series"], LENGTH - TEST
    start = split - 3 * PERIOD
    inputs, _ = lagged(x[split - LAGS:], LAGS)
    figure, (left, right) = plotting.figure(11, 3.6, columns=2)
    left.plot(np.arange(start, split + 3 * PERIOD), x[start:split + 3 * PERIOD], "k-", lw=1, label="series")
    left.plot(np.arange(split, split + 3 * PERIOD), predict(first["coefficients"], inputs)[: 3 * PERIOD], "C0.",
              ms=4, label=f"AR({LAGS}) one step ahead")
    left.plot(np.arange(split, split + HORIZON), rollout(first["coefficients"], x[:split], HORIZON), "C1-", lw=2,
              label=f"AR({LAGS}) rolled out {HORIZON} steps")
    left.axvline(split, color="gray", ls=":", label="end of training part")
    left.set_xlabel("t"), left.set_ylabel("x_t"), left.set_title(f"Series seed {seed}")
    left.legend(fontsize=7)
    steps = np.arange(1, HORIZON + 1)
    for name, color in (("AR", "C1"), ("last value", "C3")):
        curves = np.array([r["by_horizon"][name] for r in results])
        right.errorbar(steps, curves.mean(0), curves.std(0, ddof=1) / math.sqrt(len(results)), color=color,
                       marker="o", ms=3, label=f"AR({LAGS})" if name == "AR" else name)
    right.axhline(1.0, color="gray", ls=":", label="true model, one step (= 1)")
    right.set_xlabel("forecast horizon (steps)"), right.set_ylabel("MSE / σ²")
    right.set_title(f"Rolled-out forecast error, mean ± s.e. over {len(results)} series")
    right.legend(fontsize=7)
    return figure


class Forecasting(Section):
    """AR(p) by least squares against the last value on generated seasonal series."""

    name = "forecasting"
    title = "Application: time-series forecasting"

    def settings(self, run):
        return {"seeds": [run.seed + i for i in range(SERIES_SEEDS)], "lags": LAGS, "horizon": HORIZON}

    def measure(self, run, s):
        run.progress(f"time-series forecasting: AR({LAGS}) against the last value, {SERIES_SEEDS} series")
        results = [evaluate(seed) for seed in s["seeds"]]
        return {
            "one_step_mse_over_sigma2": {k: [r["one_step"][k] for r in results] for k in FORECASTERS},
            f"steps_1_to_{HORIZON}_mse_over_sigma2": {k: [float(r["by_horizon"][k].mean()) for r in results]
                                                      for k in FORECASTERS},
            "by_horizon_mse_over_sigma2": {k: np.mean([r["by_horizon"][k] for r in results], 0).tolist()
                                           for k in FORECASTERS},
            "lags": LAGS, "series": SERIES_SEEDS, "_results": results,
        }

    def judge(self, run, s, m):
        one_step, rolled = m["one_step_mse_over_sigma2"], m[f"steps_1_to_{HORIZON}_mse_over_sigma2"]
        names = (f"AR({LAGS})", "last value")
        return [
            claims.claim(
                "one_step", QUOTE, "autoregressive models forecast a time series from its past",
                f"one-step-ahead test MSE / σ², AR({LAGS}) by least squares vs repeating the last value, "
                f"{SERIES_SEEDS} generated series",
                claims.compare(one_step["AR"], one_step["last value"], names=names, better="lower",
                               margin=FORECAST_MARGIN)),
            claims.claim(
                "rolled_out", QUOTE, "… also many steps ahead, generating from its own forecasts",
                f"MSE / σ² over horizons 1-{HORIZON} (forecasts fed back), AR({LAGS}) vs the last value, "
                f"{SERIES_SEEDS} series",
                claims.compare(rolled["AR"], rolled["last value"], names=names, better="lower",
                               margin=FORECAST_MARGIN)),
        ]

    def draw(self, run, s, m):
        return {"forecasting": (forecast_figure(run.seed, m["_results"][0], m["_results"]),
                                "time-series forecasting")}

    def write(self, run, s, m, figures):
        one_step, rolled = m["one_step_mse_over_sigma2"], m[f"steps_1_to_{HORIZON}_mse_over_sigma2"]
        rows = [[f"AR({LAGS})" if k == "AR" else k, np.mean(one_step[k]), np.std(one_step[k], ddof=1),
                 np.mean(rolled[k]), np.std(rolled[k], ddof=1)] for k in FORECASTERS]
        table = tables.markdown_table(["forecaster", "one step: MSE / σ²", "sd over series",
                                       f"steps 1-{HORIZON}: MSE / σ²", "sd over series"], rows)
        return "\n\n".join([(
            "The article lists time-series forecasting (\"prediction from past data\") among the applications. "
            f"No time series ships with this project, so {SERIES_SEEDS} are generated (seeds {s['seeds'][0]}-"
            f"{s['seeds'][-1]}): {LENGTH} points of sin(2πt/{PERIOD} + random phase) plus AR(1) noise u_t = {PHI} "
            f"u_(t-1) + {SIGMA} e_t. The autoregressive model is the textbook one, linear AR({LAGS}) (one period of "
            f"lags, chosen before the run), fitted by least squares on the first {LENGTH - TEST} points; it "
            f"forecasts the last {TEST}. MADE, NADE and the PixelRNNs model binary data, so none of them forecasts "
            f"real values here. The baseline repeats the last observed value. Errors are MSE / σ² with σ = "
            f"{SIGMA}: the true model's one-step error is 1."), table, figures["forecasting"], (
            f"Left: the end of one training part and the start of its test part, with the one-step forecasts (from "
            f"the true past) and a {HORIZON}-step forecast rolled out from the end of the training part, each step "
            "fed the model's own earlier forecasts. Right: the rolled-out error at each horizon. The AR model's "
            "error grows over the first steps as the AR(1) noise it cannot foresee accumulates (the noise alone "
            f"would leave {1 / (1 - PHI ** 2):.2f} σ² at long horizons; the rest is the error of a finite-lag model "
            "with estimated coefficients), and then stays flat: the seasonal part is still predicted "
            f"{HORIZON} steps ahead. The last value misses the seasonal swing, and is right again only a whole "
            f"period ({PERIOD} steps) later, when the season comes back round; the table's steps 1-{HORIZON} column "
            "averages over every horizon so that no single lucky horizon decides.")])
