"""Sections 5 and 6: the article's limitations — vanishing gradients, long-term dependencies."""

import keras
import numpy as np
import tensorflow as tf

from tfdl import claims, plotting, tables
from tfdl.models import deep_rnn
from tfdl.report import Section
from tfdl.reproductions.rnn.tasks import adding_problem, snippet_task
from tfdl.reproductions.rnn.training import LEVEL_TAIL, LEVEL_TOLERANCE, Recipe, count, epochs, predict, seeds, train

CELL_LAYERS = {"simple": keras.layers.SimpleRNNCell, "lstm": keras.layers.LSTMCell, "gru": keras.layers.GRUCell}
CELL_NAMES = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
VANISHING_RATIO = 1e-2  # ||dL/dh_{T/2}|| / ||dL/dh_T||: at least a hundredfold decay in T/2 steps
ADDING_MARGIN = 0.02  # adding-problem MSE: an eighth of the 1/6 of predicting the mean
MEAN_MSE = 1 / 6  # predicting the mean sum: a solved problem's MSE falls far below it, so convergence is
# judged on this scale (LEVEL_TOLERANCE of it), not relative to a loss near zero


def gradient_norms(cell_name, x, labels, units=64, seed=0):
    """||dL/dh_t|| for every t at initialisation, averaged over the batch.

    The recurrence is unrolled in Python so each h_t is a tensor of its own;
    the gradient with respect to it is the total derivative, through every
    later step, of the cross-entropy of a softmax head on h_T.
    """
    keras.utils.set_random_seed(seed)
    cell = CELL_LAYERS[cell_name](units)
    head = keras.layers.Dense(10, activation="softmax")
    x = tf.convert_to_tensor(x)
    states = [tf.zeros((x.shape[0], units))] * (2 if cell_name == "lstm" else 1)
    hidden = []
    with tf.GradientTape() as tape:
        for t in range(x.shape[1]):
            h, states = cell(x[:, t], states)
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            hidden.append(h)
            tape.watch(h)
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, head(h)))
    gradients = tape.gradient(loss, hidden)
    return np.array([float(tf.reduce_mean(tf.norm(g, axis=-1))) for g in gradients])


class Vanishing(Section):
    """The gradient reaching each step at initialisation, for SimpleRNN, LSTM and GRU."""

    name = "vanishing"
    title = "Limitations: vanishing gradients"

    def settings(self, run):
        return {"seeds": seeds(run)}

    def measure(self, run, s):
        x, labels = snippet_task(32, run.seed)
        middle = x.shape[1] // 2
        norms = {cell: [gradient_norms(cell, x, labels, seed=seed) for seed in s["seeds"]] for cell in CELL_LAYERS}
        return {"gradient_norms": {cell: values[0] for cell, values in norms.items()},
                "gradient_norm_middle": {cell: [float(v[middle - 1]) for v in values] for cell, values in norms.items()},
                "gradient_norm_last": {cell: [float(v[-1]) for v in values] for cell, values in norms.items()},
                "gradient_ratio_middle_over_last": {cell: [float(v[middle - 1] / v[-1]) for v in values]
                                                    for cell, values in norms.items()},
                "middle": middle}

    def judge(self, run, s, m):
        middle, last = m["gradient_norm_middle"]["simple"], m["gradient_norm_last"]["simple"]
        return [claims.claim(
            "vanishing_gradient", "Vanishing Gradient समस्या।", "the vanishing gradient problem",
            f"SimpleRNN at initialisation: norm(dL/dh_{m['middle']}) = "
            + ", ".join(f"{v:.3g}" for v in middle) + " against norm(dL/dh_100) = "
            + ", ".join(f"{v:.3g}" for v in last) + " per seed; the ratio must fall by a hundredfold in "
            f"{100 - m['middle']} steps (the largest over seeds)",
            claims.bound(max(m["gradient_ratio_middle_over_last"]["simple"]), VANISHING_RATIO,
                         f"norm(dL/dh_{m['middle']}) / norm(dL/dh_100)"))]

    def draw(self, run, s, m):
        figure, axis = plotting.figure()
        for cell, first in m["gradient_norms"].items():
            axis.semilogy(np.arange(1, len(first) + 1), np.where(first > 0, first, np.nan), label=CELL_NAMES[cell])
        axis.set_xlabel("time step t")
        axis.set_ylabel(r"$\|\partial L / \partial h_t\|$ (batch mean)")
        axis.set_title(f"Gradient reaching h_t at initialisation (seed {s['seeds'][0]})")
        axis.legend()
        return {"gradient_norms": (figure, "gradient norm reaching each step")}

    def write(self, run, s, m, figures):
        ratios = m["gradient_ratio_middle_over_last"]
        underflow = {cell: int(np.sum(np.asarray(values) == 0)) for cell, values in m["gradient_norms"].items()}
        rows = [[CELL_NAMES[c], tables.mean_se(m["gradient_norm_middle"][c]), tables.mean_se(m["gradient_norm_last"][c]),
                 tables.mean_se(ratios[c])] for c in CELL_LAYERS]
        return (
            figures["gradient_norms"] + "\n\n"
            + tables.markdown_table(["cell", tables.se_header(f"norm(dL/dh_{m['middle']})", s["seeds"]),
                                     tables.se_header("norm(dL/dh_100)", s["seeds"]),
                                     tables.se_header("ratio", s["seeds"])], rows) + "\n\n"
            "At initialisation (Keras defaults: Glorot input kernel, orthogonal recurrent kernel), "
            "on 32 sequences of the snippet task (100 x 50, 64 units), the gradient of the loss on "
            f"h_100 reaching each earlier h_t. Ratio norm(dL/dh_{m['middle']}) / norm(dL/dh_100) per seed: "
            + "; ".join(f"{CELL_NAMES[c]} " + ", ".join(f"{r:.2g}" for r in v) for c, v in ratios.items())
            + ". Steps whose gradient underflows to exactly 0 in float32 (missing from the log plot), "
            "first seed: " + ", ".join(f"{CELL_NAMES[c]} {k}" for c, k in underflow.items()) + ". "
            "Untrained gates do not stop the decay (a GRU's update gate starts near 1/2); whether "
            "trained gates carry information over long spans is what the adding problem measures (section 6)."
        )


class LongTerm(Section):
    """The adding problem at a short and a long T: SimpleRNN, then LSTM and GRU at the long T."""

    name = "long_term"
    title = "Limitations: long-term dependencies (the adding problem)"

    def settings(self, run):
        return {"seeds": seeds(run), "sequences": count(run, 128, 5000, 20_000), "epochs": epochs(run, 20, 30),
                "lengths": run.by_profile((5, 10), (20, 100), (20, 100))}

    def runs(self, s):
        short, long = s["lengths"]
        return [("simple", short)] + [(cell, long) for cell in CELL_LAYERS]

    def measure(self, run, s):
        n, held_out, adding, converged = s["sequences"], s["sequences"] // 5, {}, {}
        recipe = Recipe("mse", s["epochs"], learning_rate=1e-2)
        for cell, timesteps in self.runs(s):
            errors, key = [], f"{cell}_T{timesteps}"
            for seed in s["seeds"]:
                x, y = adding_problem(n + 2 * held_out, timesteps, seed + timesteps)
                fit = train(run, lambda: deep_rnn((timesteps, 2), units=(32,), cell=cell, output_units=1,
                                                  output_activation=None),
                            (x[:n], y[:n]), recipe, seed, (x[n:n + held_out], y[n:n + held_out]))
                errors.append(float(np.mean((predict(fit.model, x[n + held_out:]) - y[n + held_out:]) ** 2)))
                converged.setdefault(key, []).append(fit.levelled_within(LEVEL_TOLERANCE * MEAN_MSE))
            adding[key] = errors
        return {"adding_problem": adding, "converged": converged}

    def judge(self, run, s, m):
        short, long = s["lengths"]
        adding, converged = m["adding_problem"], m["converged"]
        simple_long = adding[f"simple_T{long}"]
        rows = [claims.claim(
            "long_term", "Long-term dependencies सीखने में कठिनाई।", "difficulty learning long-term dependencies",
            f"adding problem test MSE of SimpleRNN at T = {long} against T = {short}, per seed",
            claims.compare(simple_long, adding[f"simple_T{short}"],
                           (f"SimpleRNN at T={long}", f"SimpleRNN at T={short}"), better="higher",
                           margin=ADDING_MARGIN),
            converged=all(converged[f"simple_T{long}"] + converged[f"simple_T{short}"]))]
        for cell in ("lstm", "gru"):
            rows.append(claims.claim(
                f"{cell}_improves", "LSTM और GRU जैसे उन्नत मॉडल्स ने इसे और प्रभावी बना दिया है।",
                f"advanced models such as LSTM and GRU made RNNs more effective ({CELL_NAMES[cell]})",
                f"adding problem test MSE at T = {long}, per seed",
                claims.compare(adding[f"{cell}_T{long}"], simple_long, (CELL_NAMES[cell], "SimpleRNN"),
                               better="lower", margin=ADDING_MARGIN),
                converged=all(converged[f"{cell}_T{long}"] + converged[f"simple_T{long}"])))
        return rows

    def draw(self, run, s, m):
        figure, axis = plotting.figure()
        runs = self.runs(s)
        for position, (cell, timesteps) in enumerate(runs):
            errors = m["adding_problem"][f"{cell}_T{timesteps}"]
            axis.scatter([position] * len(errors), errors, color=f"C{position}", zorder=3)
            axis.hlines(np.mean(errors), position - 0.25, position + 0.25, color=f"C{position}")
        axis.axhline(MEAN_MSE, color="grey", linestyle=":", label="predict the mean (1/6)")
        axis.set_xticks(range(len(runs)), [f"{CELL_NAMES[c]}\nT={t}" for c, t in runs])
        axis.set_ylabel("test MSE (dots: seeds, bar: mean)")
        axis.set_yscale("log")
        axis.set_title("Adding problem: one recurrent layer of 32 units")
        axis.legend()
        return {"adding_problem": (figure, "adding problem test MSE per seed")}

    def write(self, run, s, m, figures):
        short, long = s["lengths"]
        adding, n = m["adding_problem"], s["sequences"]
        rows = [[CELL_NAMES[c], t, tables.mean_se(adding[f"{c}_T{t}"]),
                 ", ".join(f"{e:.4f}" for e in adding[f"{c}_T{t}"]),
                 f"{sum(m['converged'][f'{c}_T{t}'])} of {len(s['seeds'])}"] for c, t in self.runs(s)]
        return (
            f"Adding problem: one recurrent layer of 32 units, {n:,} training, {n // 5:,} validation and "
            f"{n // 5:,} test sequences per seed, Adam 1e-2, batch 64, at most {s['epochs']} epochs (stopping "
            f"early on the validation sequences), seeds {s['seeds']}; SimpleRNN at T = {short} and {long}, LSTM "
            f"and GRU at T = {long}. A model counts as converged when early stopping ended its training or the "
            f"last {LEVEL_TAIL:.0%} of its epochs improved its validation MSE by less than {LEVEL_TOLERANCE:.0%} "
            "of the 1/6 of predicting the mean (not of its own MSE: a solved problem's MSE keeps halving near 0)."
            "\n\n"
            + tables.markdown_table(["cell", "T", tables.se_header("test MSE", s["seeds"]), "per seed", "converged"],
                                    rows)
            + "\n\n" + figures["adding_problem"] + "\n\n"
            "Dots above the dotted line are worse than ignoring the input and predicting 1; near "
            "0 the two marked values were found and added. Training time is measured in section 3."
        )
