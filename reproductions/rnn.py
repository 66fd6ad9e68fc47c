"""Deep recurrent networks and their architectures (article 002), reproduced.

Sections follow the issue: (1) the article's snippet next to
``tfdl.models.deep_rnn((100, 50))``; (2) the four architectures trained on
small, clearly defined tasks; (3) depth 1 vs 2 vs 3 over seeds; (4) vanishing
gradients at initialisation and the adding problem; (5) a claims table.

Tasks (all generated with ``run.seed``, all offline):

* digits read row by row: each image is a sequence of its rows
  (8 steps x 8 features on ``digits``, 28 x 28 on MNIST / Fashion-MNIST).
* snippet task, 100 steps x 50 features -> 10 classes: x ~ N(0, 1) and the
  label is the feature among the first ten with the largest time average,
  ``y = argmax_k mean_t x[t, k]`` for k < 10 (chance 10 %).
* one-to-many: the image of a digit generated row by row from its one-hot
  class (mean squared error; the best any model can do from the class alone
  is the class-mean image, reported next to it).
* many-to-many, aligned: running sum modulo 10 of a sequence of 10 random
  digits (one output per input step; chance 10 %).
* many-to-many, unaligned: the reversal of a sequence of 6 random digits by
  an encoder-decoder (chance 10 % per token).
* adding problem (Hochreiter & Schmidhuber, 1997): T steps of (value ~ U(0, 1),
  marker); two markers, one in each half; target = sum of the two marked
  values. Predicting the mean 1 gives MSE 1/6; "solved" means test MSE < 0.05.
"""

import contextlib
import io
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfdl.layers import ElmanCell  # noqa: E402
from tfdl.models import deep_rnn, encoder_decoder, one_to_many, one_to_one  # noqa: E402
from tfdl.runner import load_file, markdown_table  # noqa: E402

SNIPPET = Path(__file__).resolve().parent / "snippets" / "deep_rnn_snippet.py"
SOLVED_MSE = 0.05
CELL_LAYERS = {"simple": keras.layers.SimpleRNNCell, "lstm": keras.layers.LSTMCell,
               "gru": keras.layers.GRUCell}


# ---------------------------------------------------------------- data
def digit_rows(run, split):
    """Images as sequences of rows: ``[n, height, width]`` and labels."""
    x, y = run.load(split, with_labels=True)
    return x[..., 0], y


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


# ---------------------------------------------------------------- training
def fit(run, build, x, y, epochs, loss, learning_rate=3e-3, batch_size=64, seed=None):
    """Builds (under the run's strategy), compiles and fits a model."""
    keras.utils.set_random_seed(run.seed if seed is None else seed)
    with run.strategy.scope():
        model = build()
        metrics = ["accuracy"] if "crossentropy" in loss else []
        # smoke runs a few batches: running eagerly skips tracing, which would dominate
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=metrics,
                      run_eagerly=run.profile == "smoke")
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return model


def accuracy(model, x, y):
    return float(np.mean(model.predict(x, batch_size=256, verbose=0).argmax(-1) == y))


def mse(model, x, y):
    return float(np.mean((model.predict(x, batch_size=256, verbose=0) - y) ** 2))


# ---------------------------------------------------------------- sections
def snippet_section(run):
    """Item 1: the snippet as written next to deep_rnn((100, 50))."""
    snippet, ours = load_file(SNIPPET).build(), deep_rnn((100, 50))
    ours.set_weights(snippet.get_weights())
    x, _ = snippet_task(8, run.seed)
    difference = float(np.max(np.abs(ours(x) - snippet(x))))

    simple = keras.layers.SimpleRNN(16, return_sequences=True)
    elman = keras.layers.RNN(ElmanCell(16), return_sequences=True)
    simple(x[:, :20]), elman(x[:, :20])
    elman.set_weights(simple.get_weights())
    elman_difference = float(np.max(np.abs(elman(x[:, :20]) - simple(x[:, :20]))))

    padded = np.concatenate([x[:1, :20], np.zeros((1, 10, 50), "float32")], axis=1)
    masked = deep_rnn((None, 50), units=(16, 8), mask_value=0.0)
    mask_difference = float(np.max(np.abs(masked(padded) - masked(x[:1, :20]))))

    summaries = []
    for model in (snippet, ours):
        stream = io.StringIO()
        with contextlib.redirect_stdout(stream):
            model.summary(line_length=80)
        summaries.append(stream.getvalue().strip())
    run.metrics["snippet"] = {
        "snippet_params": snippet.count_params(),
        "deep_rnn_params": ours.count_params(),
        "max_abs_output_difference": difference,
        "elman_vs_simple_rnn_max_abs_difference": elman_difference,
        "masked_padding_max_abs_difference": mask_difference,
    }
    text = (
        "## 1. The snippet as written and `deep_rnn((100, 50))`\n\n"
        "The article's `Sequential` (with `keras.Input((100, 50))`, since Keras 3 "
        "dropped `input_shape` on layers):\n\n```\n" + summaries[0] + "\n```\n\n"
        "`tfdl.models.deep_rnn((100, 50))`:\n\n```\n" + summaries[1] + "\n```\n\n"
        f"Parameters: {snippet.count_params():,} vs {ours.count_params():,}. After copying "
        f"the snippet's weights, the largest output difference on 8 inputs is {difference:.2g}. "
        f"`RNN(ElmanCell(16))` with `SimpleRNN(16)`'s weights differs from it by at most "
        f"{elman_difference:.2g} over 20 steps. A 20-step sequence padded with 10 zero "
        f"steps, masked, gives the unpadded output to {mask_difference:.2g} "
        "(variable-length input).\n"
    )
    return text, difference, elman_difference, mask_difference


def architectures_section(run, epochs):
    """Item 2: each architecture on its task."""
    n = run.by_profile(smoke=128, default=4000, full=20000)
    rows, results = [], {}
    x_train, y_train = digit_rows(run, "train")
    x_test, y_test = digit_rows(run, "test")
    steps, width = x_train.shape[1:]
    if run.profile == "smoke":
        x_train, y_train = x_train[:256], y_train[:256]

    start = time.perf_counter()
    model = fit(run, lambda: one_to_one(steps * width, units=(64,)),
                x_train.reshape(len(x_train), -1), y_train, epochs(30),
                "sparse_categorical_crossentropy")
    mlp_seconds = time.perf_counter() - start
    results["one_to_one_digits_accuracy"] = accuracy(model, x_test.reshape(len(x_test), -1), y_test)
    rows.append(["one-to-one", "Dense 64 on flat digits", "test accuracy",
                 results["one_to_one_digits_accuracy"], "0.1 (chance)"])

    start = time.perf_counter()
    model = fit(run, lambda: deep_rnn((steps, width), units=(64,)), x_train, y_train,
                epochs(30), "sparse_categorical_crossentropy")
    rnn_seconds = time.perf_counter() - start
    results["many_to_one_digits_accuracy"] = accuracy(model, x_test, y_test)
    rows.append(["many-to-one", f"SimpleRNN 64, digits row by row ({steps}x{width})",
                 "test accuracy", results["many_to_one_digits_accuracy"], "0.1 (chance)"])
    results["train_seconds_mlp"], results["train_seconds_rnn"] = mlp_seconds, rnn_seconds

    n_snippet = n // 2  # 100-step sequences cost 10x more per example
    x, y = snippet_task(n_snippet + n_snippet // 4, run.seed)
    snippet_train, snippet_test = (x[:n_snippet], y[:n_snippet]), (x[n_snippet:], y[n_snippet:])
    for cell in ("simple",) if run.profile == "smoke" else ("simple", "gru"):
        model = fit(run, lambda: deep_rnn((100, 50), cell=cell), *snippet_train, epochs(10),
                    "sparse_categorical_crossentropy", learning_rate=1e-3)
        results[f"many_to_one_snippet_{cell}_accuracy"] = accuracy(model, *snippet_test)
        rows.append(["many-to-one", f"snippet model with {cell} cells (128-64), argmax of 10 "
                     f"time averages, 100x50, {n_snippet} sequences", "test accuracy",
                     results[f"many_to_one_snippet_{cell}_accuracy"], "0.1 (chance)"])

    classes = np.eye(10, dtype="float32")
    model = fit(run, lambda: one_to_many(10, steps, units=(64,), cell="gru", output_units=width),
                classes[y_train], x_train, epochs(40), "mse")
    class_means = np.stack([x_train[y_train == k].mean(0) for k in range(10)])
    results["one_to_many_mse"] = mse(model, classes[y_test], x_test)
    results["class_mean_image_mse"] = float(np.mean((class_means[y_test] - x_test) ** 2))
    rows.append(["one-to-many", "GRU 64: class -> digit image row by row", "test MSE per pixel",
                 results["one_to_many_mse"],
                 f"{results['class_mean_image_mse']:.4g} (class-mean image), "
                 f"{float(np.var(x_test)):.4g} (grey-level variance)"])

    digits, one_hot = digit_sequences(n + n // 4, 10, run.seed + 1)
    running_sum = np.cumsum(digits, axis=1) % 10
    model = fit(run, lambda: deep_rnn((10, 10), units=(64,), cell="gru", return_sequences=True),
                one_hot[:n], running_sum[:n], epochs(30), "sparse_categorical_crossentropy",
                learning_rate=1e-2)
    results["many_to_many_running_sum_accuracy"] = accuracy(model, one_hot[n:], running_sum[n:])
    rows.append(["many-to-many (aligned)", "GRU 64: running sum mod 10 of 10 digits",
                 "test accuracy per step", results["many_to_many_running_sum_accuracy"],
                 "0.1 (chance)"])

    digits, one_hot = digit_sequences(n + n // 4, 6, run.seed + 2)
    reversed_digits = digits[:, ::-1]
    model = fit(run, lambda: encoder_decoder((6, 10), 6, units=64, cell="gru"),
                one_hot[:n], reversed_digits[:n], epochs(30), "sparse_categorical_crossentropy",
                learning_rate=1e-2)
    predicted = model.predict(one_hot[n:], verbose=0).argmax(-1)
    results["encoder_decoder_reversal_token_accuracy"] = float(np.mean(predicted == reversed_digits[n:]))
    results["encoder_decoder_reversal_sequence_accuracy"] = float(
        np.mean(np.all(predicted == reversed_digits[n:], axis=1)))
    rows.append(["many-to-many (unaligned)", "GRU 64 encoder-decoder: reverse 6 digits",
                 "test accuracy per token / whole sequence",
                 f"{results['encoder_decoder_reversal_token_accuracy']:.3f} / "
                 f"{results['encoder_decoder_reversal_sequence_accuracy']:.3f}",
                 "0.1 / 1e-6 (chance)"])
    run.metrics["architectures"] = results
    text = (
        "## 2. The four architectures\n\n"
        f"{n} training and {n // 4} test sequences for the generated tasks (half as many for "
        "the 100 x 50 one); digits use the data set's own train/test split.\n\n"
        + markdown_table(["architecture", "model and task", "measure", "result", "baseline"], rows)
        + "\n"
    )
    return text, results


def depth_section(run, epochs):
    """Item 3: 1, 2 and 3 stacked SimpleRNN layers, several seeds."""
    x_train, y_train = digit_rows(run, "train")
    x_test, y_test = digit_rows(run, "test")
    if run.profile == "smoke":
        x_train, y_train = x_train[:256], y_train[:256]
    steps, width = x_train.shape[1:]
    seeds = [run.seed + i for i in range(run.by_profile(smoke=1, default=3, full=5))]
    depths = run.by_profile(smoke=(1, 2), default=(1, 2, 3), full=(1, 2, 3))
    scores = {}
    for depth in depths:
        scores[depth] = [
            accuracy(fit(run, lambda: deep_rnn((steps, width), units=(32,) * depth), x_train,
                         y_train, epochs(30), "sparse_categorical_crossentropy", seed=seed),
                     x_test, y_test)
            for seed in seeds
        ]
    rows = [[d, f"{np.mean(s):.4f}", f"{np.std(s):.4f}", ", ".join(f"{v:.3f}" for v in s)]
            for d, s in scores.items()]
    run.metrics["depth"] = {str(d): s for d, s in scores.items()}
    text = (
        "## 3. Depth: stacked SimpleRNN(32) layers on digits row by row\n\n"
        f"Same data, optimiser (Adam 3e-3, batch 64) and {epochs(30)} epochs for each depth; "
        f"seeds {seeds}.\n\n"
        + markdown_table(["layers", "mean test accuracy", "std", "per seed"], rows) + "\n"
    )
    return text, scores


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
        loss = keras.losses.sparse_categorical_crossentropy(labels, head(h))
        loss = tf.reduce_mean(loss)
    gradients = tape.gradient(loss, hidden)
    return np.array([float(tf.reduce_mean(tf.norm(g, axis=-1))) for g in gradients])


def vanishing_section(run, epochs):
    """Item 4: gradient norms at initialisation and the adding problem."""
    x, labels = snippet_task(32, run.seed)
    norms = {cell: gradient_norms(cell, x, labels, seed=run.seed) for cell in CELL_LAYERS}
    figure, axis = plt.subplots(figsize=(6, 3.5))
    for cell, values in norms.items():
        axis.semilogy(np.arange(1, len(values) + 1), np.where(values > 0, values, np.nan),
                      label=cell)
    axis.set_xlabel("time step t")
    axis.set_ylabel(r"$\|\partial L / \partial h_t\|$ (batch mean)")
    axis.set_title("Gradient reaching h_t at initialisation (100x50 input, 64 units)")
    axis.legend()
    run.save_figure(figure, "gradient_norms")
    middle = len(x[0]) // 2
    ratios = {cell: float(v[middle - 1] / v[-1]) for cell, v in norms.items()}
    underflow = {cell: int(np.sum(v == 0)) for cell, v in norms.items()}
    run.metrics["gradient_norms"] = {cell: v for cell, v in norms.items()}
    run.metrics["gradient_ratio_middle_over_last"] = ratios
    run.metrics["gradient_steps_underflowed_to_zero"] = underflow

    lengths = run.by_profile(smoke=(10,), default=(20, 50, 100), full=(20, 50, 100))
    seeds = [run.seed + i for i in range(run.by_profile(smoke=1, default=1, full=3))]
    n = run.by_profile(smoke=128, default=5000, full=20000)
    adding, rows = {}, []
    for timesteps in lengths:
        x, y = adding_problem(n + 1000, timesteps, run.seed + timesteps)
        for cell in CELL_LAYERS:
            errors = [
                mse(fit(run, lambda: deep_rnn((timesteps, 2), units=(32,), cell=cell,
                                              output_units=1, output_activation=None),
                        x[:n], y[:n], epochs(10), "mse", learning_rate=1e-2, seed=seed),
                    x[n:], y[n:])
                for seed in seeds
            ]
            solved = float(np.mean(np.array(errors) < SOLVED_MSE))
            adding[f"{cell}_T{timesteps}"] = {"test_mse": errors, "success_rate": solved}
            rows.append([timesteps, cell, ", ".join(f"{e:.4f}" for e in errors), solved])
    run.metrics["adding_problem"] = adding
    text = (
        "## 4. Vanishing gradients\n\n"
        "![gradient norms](gradient_norms.png)\n\n"
        "At initialisation (Keras defaults: Glorot input kernel, orthogonal recurrent kernel), "
        f"on 32 sequences of the snippet task (100 x 50, 64 units), "
        f"norm(dL/dh_{middle}) / norm(dL/dh_100): "
        + ", ".join(f"{c} {r:.3g}" for c, r in ratios.items())
        + "; the earliest steps underflow to exactly 0 in float32 (and drop off the log plot): "
        + ", ".join(f"{c} {k} steps" for c, k in underflow.items()) + ". "
        "Untrained gates do not prevent the decay (the GRU's update gate starts near 1/2); "
        "LSTM/GRU help once training sets their gates, which the adding problem measures.\n\n"
        f"Adding problem, one recurrent layer of 32 units, {n} training and 1000 test "
        f"sequences, Adam 1e-2, batch 64, {epochs(10)} epochs, seeds {seeds}; "
        f"predicting 1 gives MSE 0.167, solved = test MSE < {SOLVED_MSE}.\n\n"
        + markdown_table(["T", "cell", "test MSE per seed", "success rate"], rows) + "\n"
    )
    return text, ratios, adding, lengths


def reproduce(run):
    def epochs(default):
        return run.num_epochs(smoke=1, default=default, full=3 * default)

    snippet_text, difference, elman_difference, mask_difference = snippet_section(run)
    architecture_text, results = architectures_section(run, epochs)
    depth_text, depth_scores = depth_section(run, epochs)
    vanishing_text, ratios, adding, lengths = vanishing_section(run, epochs)

    def held(condition):
        return "yes" if condition else "no"

    depth_means = {d: float(np.mean(s)) for d, s in depth_scores.items()}
    longest = max(lengths)
    success = {c: adding[f"{c}_T{longest}"]["success_rate"] for c in CELL_LAYERS}
    rnn_slowdown = results["train_seconds_rnn"] / results["train_seconds_mlp"]
    claims = [
        ["h_t = f(W_hh h_{t-1} + W_xh x_t + b_h) is what Keras' SimpleRNN computes",
         f"ElmanCell vs SimpleRNN, same weights: max abs difference {elman_difference:.2g}",
         held(elman_difference < 1e-5)],
        ["the snippet builds a 2-layer deep RNN with a 10-way softmax",
         f"35,914 parameters both ways; outputs differ by {difference:.2g}",
         held(difference < 1e-5)],
        ["many-to-one (sentiment-style classification) works",
         f"digits row by row: {results['many_to_one_digits_accuracy']:.3f} test accuracy",
         held(results["many_to_one_digits_accuracy"] > 0.5)],
        ["one-to-many generates a sequence from one input",
         f"digit images from class: MSE {results['one_to_many_mse']:.4f} vs class-mean "
         f"{results['class_mean_image_mse']:.4f}",
         held(results["one_to_many_mse"] < 1.5 * results["class_mean_image_mse"])],
        ["many-to-many maps sequences to sequences",
         f"running sum {results['many_to_many_running_sum_accuracy']:.3f}, reversal "
         f"{results['encoder_decoder_reversal_token_accuracy']:.3f} per token (chance 0.1)",
         held(min(results["many_to_many_running_sum_accuracy"],
                  results["encoder_decoder_reversal_token_accuracy"]) > 0.5)],
        ["stacking RNN layers learns more complex patterns",
         "mean test accuracy by depth: "
         + ", ".join(f"{d}: {m:.3f}" for d, m in depth_means.items()),
         held(max(depth_means[d] for d in depth_means if d > 1)
              > depth_means[1] + np.std(depth_scores[1]))
         + " (on this small task)"],
        ["RNNs handle variable-length input",
         f"masked zero padding changes the output by {mask_difference:.2g}",
         held(mask_difference < 1e-5)],
        ["vanishing gradients",
         "at initialisation norm(dL/dh_50) / norm(dL/dh_100) = "
         + ", ".join(f"{c} {r:.2g}" for c, r in ratios.items()),
         held(ratios["simple"] < 1e-6)],
        ["long-term dependencies are hard for a plain RNN; LSTM/GRU fix it",
         f"adding problem T={longest} success: "
         + ", ".join(f"{c} {s:.2f}" for c, s in success.items()),
         held(success["simple"] < min(success["lstm"], success["gru"]))],
        ["training takes longer",
         f"digits, same epochs: SimpleRNN {results['train_seconds_rnn']:.1f} s vs "
         f"MLP {results['train_seconds_mlp']:.1f} s ({rnn_slowdown:.1f}x)",
         held(rnn_slowdown > 1)],
    ]
    run.metrics["claims"] = [dict(zip(("claim", "measured", "held"), c)) for c in claims]
    run.summarize(f"rnn: digits many-to-one accuracy {results['many_to_one_digits_accuracy']:.3f}; "
                  f"adding T={longest} success " + ", ".join(f"{c} {s:.2f}" for c, s in success.items()))
    return (
        "# Deep recurrent networks and their architectures (article 002)\n\n"
        + snippet_text + "\n" + architecture_text + "\n" + depth_text + "\n" + vanishing_text
        + "\n## 5. The article's claims\n\n"
        + markdown_table(["article claim", "measured", "held?"], claims) + "\n\n"
        "Timings come from a CPU shared with other jobs; the small models and budgets are "
        "the `default` profile's, so 'no' means 'not at this budget', not 'never'.\n"
    )
