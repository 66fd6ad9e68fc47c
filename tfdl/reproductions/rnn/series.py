"""Section 4: a time series, next-value prediction (the article's listed uses)."""

import keras
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.linear_model import LinearRegression

from tfdl import claims, plotting, tables
from tfdl.layers import ElmanCell
from tfdl.models import one_to_one
from tfdl.report import Section
from tfdl.reproductions.rnn.tasks import mackey_glass
from tfdl.reproductions.rnn.training import Recipe, count, epochs, predict, seeds, train

SERIES_MARGIN = 0.002  # next-value MSE: a fifth of the noise floor (0.01), 0.2 % of the series' variance
SERIES_NOISE = 0.1  # observation noise (std, standardised units): MSE floor 0.01
SERIES_WINDOW = 40  # steps the RNN reads; the AR order is chosen from 1..SERIES_WINDOW
WINDOW_MLP_UNITS = 26  # 40 -> 26 -> 1: 1,093 parameters, the Elman RNN's 1,121 give or take
RNN, AR, WINDOW_MLP, STEP_MLP, LAST = ("Elman RNN", "linear AR", f"MLP({WINDOW_MLP_UNITS}) on the window",
                                       "MLP on x_t", "last value")
MODELS = (RNN, AR, WINDOW_MLP, STEP_MLP, LAST)


def elman_forecaster(units):
    """h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h), y_t = W_hy h_t + b_y at every step."""
    return keras.Sequential([keras.Input((None, 1)),
                             keras.layers.RNN(ElmanCell(units, output_units=1), return_sequences=True)],
                            name="elman_forecaster")


def autoregression(train_series, test_series, window):
    """Linear AR(p), p in 1..window chosen on the last fifth of the training series, refitted on all of it.

    Returns ``(p, predictions of test_series[window:])``.
    """
    def lags(series, p):
        return sliding_window_view(series[:-1], p), series[p:]

    cut = len(train_series) * 4 // 5
    errors = {}
    for p in range(1, window + 1):
        fit = LinearRegression().fit(*lags(train_series[:cut], p))
        inputs, targets = lags(train_series[cut - p:], p)
        errors[p] = float(np.mean((fit.predict(inputs) - targets) ** 2))
    p = min(errors, key=errors.get)
    fit = LinearRegression().fit(*lags(train_series, p))
    return p, fit.predict(lags(test_series[window - p:], p)[0])


def noisy_series(n, seed):
    """Mackey-Glass, standardised on its first ``n`` samples, plus N(0, SERIES_NOISE^2) noise;
    ``(training series [n], test series [n // 5])``."""
    rng = np.random.default_rng(seed)
    clean = mackey_glass(n + n // 5, seed)
    series = (clean - clean[:n].mean()) / clean[:n].std()
    series = (series + SERIES_NOISE * rng.normal(size=series.shape)).astype("float32")
    return series[:n], series[n:]


def split(windows):
    """Windows (of the training series, in time order) split 80/20: fitting and validation."""
    cut = len(windows) * 4 // 5
    return windows[:cut], windows[cut:]


def forecasts(run, s, seed):
    """Each model's next-value predictions of one seed's test series, whether each trained model
    converged, and the AR order."""
    window, recipe = SERIES_WINDOW, Recipe("mse", s["epochs"])
    train_series, test_series = noisy_series(s["length"], seed)
    fitting, held = split(sliding_window_view(train_series, window + 1)[::s["stride"], :, None])
    elman = train(run, lambda: elman_forecaster(32), (fitting[:, :-1], fitting[:, 1:]), recipe, seed,
                  (held[:, :-1], held[:, 1:]))
    test_windows = sliding_window_view(test_series[:-1], window)[:, :, None]
    predictions = {RNN: predict(elman.model, test_windows)[:, -1, 0]}
    order, predictions[AR] = autoregression(train_series, test_series, window)
    fitting, held = split(sliding_window_view(train_series, window + 1))
    window_mlp = train(run, lambda: one_to_one(window, units=(WINDOW_MLP_UNITS,), output_units=1,
                                               output_activation=None),
                       (fitting[:, :-1], fitting[:, -1:]), recipe, seed, (held[:, :-1], held[:, -1:]))
    predictions[WINDOW_MLP] = predict(window_mlp.model, test_windows[..., 0])[:, 0]
    fitting, held = split(sliding_window_view(train_series, 2))
    step_mlp = train(run, lambda: one_to_one(1, units=(32, 32), output_units=1, output_activation=None),
                     (fitting[:, :1], fitting[:, 1:]), Recipe("mse", s["epochs"], batch_size=128), seed,
                     (held[:, :1], held[:, 1:]))
    predictions[STEP_MLP] = predict(step_mlp.model, test_series[window - 1:-1, None])[:, 0]
    predictions[LAST] = test_series[window - 1:-1]
    converged = {RNN: elman.converged, WINDOW_MLP: window_mlp.converged, STEP_MLP: step_mlp.converged}
    return test_series[window:], predictions, converged, order


class Series(Section):
    """Next-value prediction on Mackey-Glass: Elman RNN vs last value, AR(p) and a per-step MLP."""

    name = "series"
    title = "A time series: next-value prediction (the article's listed uses)"

    def settings(self, run):
        # the series stays at least ten windows long (its test fifth, two windows, gives 40 predictions)
        return {"seeds": seeds(run), "length": max(count(run, 400, 5000, 20_000), 10 * SERIES_WINDOW),
                "stride": run.by_profile(4, 2, 1), "epochs": epochs(run, 60, 60)}

    def measure(self, run, s):
        results, converged, orders, shown = {name: [] for name in MODELS}, [], [], None
        for seed in s["seeds"]:
            targets, predictions, seed_converged, order = forecasts(run, s, seed)
            for name, predicted in predictions.items():
                results[name].append(float(np.mean((predicted - targets) ** 2)))
            converged.append(seed_converged)
            orders.append(order)
            shown = shown or (targets, predictions)
        return {"test_mse": results, "converged": {name: [c[name] for c in converged] for name in converged[0]},
                "ar_order": orders, "_shown": shown}

    def judge(self, run, s, m):
        mse, converged = m["test_mse"], m["converged"]
        return [
            claims.claim(
                "rnn_vs_feed_forward",
                "सामान्य Feedforward Neural Network केवल वर्तमान इनपुट पर निर्भर होता है, जबकि RNN समय के साथ "
                "आने वाले इनपुट्स के संबंधों को समझ सकता है।",
                "a feed-forward network depends only on the current input; an RNN understands relations "
                "across time",
                "next-value test MSE on the Mackey-Glass series, per seed, against a feed-forward net of about "
                f"the same size that sees the same {SERIES_WINDOW} past values",
                claims.compare(mse[RNN], mse[WINDOW_MLP], (RNN, WINDOW_MLP), better="lower", margin=SERIES_MARGIN),
                converged=all(converged[RNN] + converged[WINDOW_MLP])),
            claims.claim(
                "rnn_vs_autoregression",
                "2025 में, RNNs अभी भी NLP और टाइम-सीरीज़ एनालिटिक्स में एक शक्तिशाली उपकरण बने हुए हैं।",
                "RNNs remain a powerful tool for time-series analytics (and NLP)",
                "next-value test MSE on the Mackey-Glass series against the sceptic's linear AR, per seed",
                claims.compare(mse[RNN], mse[AR], (RNN, "linear AR(p)"), better="lower", margin=SERIES_MARGIN),
                converged=all(converged[RNN])),
        ]

    def draw(self, run, s, m):
        targets, predictions = m["_shown"]
        stretch = slice(0, 150)
        figure, (top, bottom) = plotting.figure(11, 3.8, columns=2, width_ratios=(2.2, 1))
        top.plot(targets[stretch], color="black", linewidth=2, label="series (noisy)")
        for name, predicted in predictions.items():
            top.plot(predicted[stretch], linewidth=1, label=name)
        top.set_xlabel("test step")
        top.set_ylabel("standardised value")
        top.set_title(f"Next-value predictions, first 150 test steps (seed {s['seeds'][0]})")
        top.legend(fontsize=7, ncol=3)
        for position, (name, errors) in enumerate(m["test_mse"].items()):
            bottom.scatter([position] * len(errors), errors, color=f"C{position}", zorder=3)
            bottom.hlines(np.mean(errors), position - 0.3, position + 0.3, color=f"C{position}")
        bottom.axhline(SERIES_NOISE**2, color="grey", linestyle=":", label="noise variance")
        bottom.set_xticks(range(len(MODELS)), [name.replace(" on ", "\non ") for name in MODELS], fontsize=7)
        bottom.set_yscale("log")
        bottom.set_ylabel("test MSE (dots: seeds, bar: mean)")
        bottom.set_title("Test MSE per model")
        bottom.legend(fontsize=7)
        return {"time_series": (figure, "next-value predictions and test MSE")}

    def write(self, run, s, m, figures):
        n, window = s["length"], SERIES_WINDOW
        rows = [[name, tables.mean_se(v), ", ".join(f"{e:.4f}" for e in v),
                 f"{sum(m['converged'][name])} of {len(v)}" if name in m["converged"] else "fitted in closed form"
                 if name == AR else "no training"] for name, v in m["test_mse"].items()]
        return (
            "The article lists language modelling, translation, speech and stock-trend prediction, "
            "and ends with time-series analytics. A language model and a forecaster share the "
            "task: predict the next element from the past ones. Here it is a chaotic series with "
            f"structure to learn: Mackey-Glass (tau = 17) sampled every 6 time units, {n:,} training "
            f"and {n // 5:,} test samples per seed, standardised, plus N(0, {SERIES_NOISE}^2) noise "
            f"(so MSE {SERIES_NOISE**2:.2g} is the floor). The model is the article's two equations "
            "with a linear output, `RNN(ElmanCell(32, output_units=1), return_sequences=True)`: "
            "y_t = W_hy h_t + b_y predicts x_{t+1} at every step (aligned many-to-many), trained on "
            f"windows of {window} steps (stride {s['stride']}), Adam 3e-3, at most {s['epochs']} "
            "epochs, stopping early on the last fifth of the training series. Every model predicts the same "
            f"test values, each from the {window} values before it. Baselines: the last value (what a sceptic "
            "predicts for a stock price); a linear autoregression whose order is chosen from "
            f"1..{window} on a validation split (chosen orders: {m['ar_order']}); the sceptic's feed-forward "
            f"net, an MLP({WINDOW_MLP_UNITS}) with about the RNN's parameter count that sees the same {window} "
            "past values (the claim faces this one); and an MLP(32, 32) that, like the article's "
            "feed-forward network, sees only the current value (shown, not a baseline: it cannot see the past). "
            "A real stock series is close to a random walk, where the last value is hard to beat: this task "
            "says what an RNN learns when there is structure, not that prices have it.\n\n"
            + tables.markdown_table(["model", tables.se_header("test MSE", s["seeds"]), "per seed", "converged"],
                                    rows) + "\n\n"
            + figures["time_series"] + "\n\n"
            "Left: the first 150 test steps and each model's prediction; right: every seed's test "
            "MSE on a log scale against the noise variance. The last value lags the series by one "
            "step; the MLP cannot tell a rising from a falling stretch through the same value."
        )
