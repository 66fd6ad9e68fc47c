"""Deep recurrent networks and their architectures (article 002), reproduced.

Sections: (1) the article's snippet run verbatim, and its two equations
computed by hand against ``ElmanCell(units, output_units)``; (2) the four
architectures; (3) depth: two stacked layers against one; (4) a time series
standing for the article's listed uses; (5) its limitations: vanishing
gradients, long-term dependencies, training time; (6) the claims, each judged
by a criterion fixed below before the run; (7) every item of the article and
where it is covered.

Tasks (all offline; everything random is drawn from the run's seeds):

* images read row by row: each image is a sequence of its rows (8 steps x 8
  features on ``digits``, 28 x 28 on Fashion-MNIST / MNIST).
* snippet task, 100 steps x 50 features -> 10 classes: x ~ N(0, 1), label
  ``argmax_k mean_t x[t, k]`` over the first ten features (chance 10 %).
* one-to-many: an image generated row by row from its one-hot class; the
  best any model can do from the class alone (in mean squared error) is the
  class-mean image, the input-ignoring baseline is the mean image.
* many-to-many, unaligned: the reversal of 6 random digits.
* time series: the Mackey-Glass delay equation (tau = 17), sampled every 6
  time units, standardised, with N(0, 0.1^2) observation noise; next-value
  prediction against repeating the last value, a linear autoregression and a
  feed-forward net that sees only the current value.
* adding problem (Hochreiter & Schmidhuber, 1997): T steps of (value ~ U(0, 1),
  marker), one marker in each half; target = the sum of the two marked values.
  Predicting the mean 1 gives MSE 1/6.
"""

import contextlib
import dataclasses
import io
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402

from tfdl import data  # noqa: E402
from tfdl.claims import bound, compare  # noqa: E402
from tfdl.layers import ElmanCell  # noqa: E402
from tfdl.models import deep_rnn, encoder_decoder, one_to_many, one_to_one  # noqa: E402
from tfdl.runner import load_file, markdown_table  # noqa: E402

SNIPPET = Path(__file__).resolve().parent / "snippets" / "deep_rnn_snippet.py"
CELL_LAYERS = {"simple": keras.layers.SimpleRNNCell, "lstm": keras.layers.LSTMCell,
               "gru": keras.layers.GRUCell}
CELL_NAMES = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
STEPS_PER_EXECUTION = 16  # many small steps per call: less Python overhead on a CPU

# Criteria, fixed before any run.
EXACT = 1e-5  # float32 round-off of a few matmuls: "the same computation"
DEPTH_MARGIN = 0.005  # accuracy: a gain under half a point is not "more complex patterns"
TOKEN_MARGIN = 0.05  # per-token accuracy: five points, well above seed noise on 1000 sequences
SERIES_MARGIN = 0.02  # next-value MSE on a unit-variance series: 2 % of its variance
ADDING_MARGIN = 0.02  # adding-problem MSE: an eighth of the 1/6 of predicting the mean
ONE_TO_MANY_GAP = 0.1  # generated images close >= 90 % of the gap from the mean image to the class mean
VANISHING_RATIO = 1e-2  # ||dL/dh_{T/2}|| / ||dL/dh_T||: at least a hundredfold decay in T/2 steps
SERIES_NOISE = 0.1  # observation noise (std, standardised units): MSE floor 0.01
SERIES_WINDOW = 40  # steps the RNN reads; the AR order is chosen from 1..SERIES_WINDOW


@dataclasses.dataclass(frozen=True)
class Settings:
    """Sizes, epochs and seeds of one run (``settings``)."""

    seeds: list
    train_images: int
    test_images: int
    image_epochs: int
    one_to_many_epochs: int
    snippet_sequences: int
    snippet_epochs: int
    reversal_sequences: int
    reversal_epochs: int
    series_length: int
    series_stride: int
    series_epochs: int
    adding_sequences: int
    adding_epochs: int
    adding_lengths: tuple


def settings(run):
    """Profile settings, scaled to the image size.

    ``default`` keeps digits (8x8) to a few minutes and 28x28 data to under
    ten minutes on 2 CPU cores: 20,000 training images and 10 epochs on
    28x28 (a 28-step sequence of 28 pixels costs ~12x an 8x8 digit's).
    ``--epochs`` overrides every epoch count; ``--limit`` caps the numbers
    of images and sequences and the series length, which stays at least ten
    windows long (its test fifth, two windows, then gives 40 predictions).
    """
    small = run.small_images

    def count(smoke, default, full):
        return run.at_most(run.by_profile(smoke, default, full))

    def epochs(default, full):
        return run.num_epochs(smoke=1, default=default, full=full)

    return Settings(
        seeds=[run.seed + i for i in range(run.num_seeds(run.by_profile(1, 3, 5)))],
        train_images=count(256, 1257 if small else 20_000, 50_000),
        test_images=count(128, 270 if small else 5000, 10_000),
        image_epochs=epochs(30 if small else 10, 30),
        one_to_many_epochs=epochs(40 if small else 10, 40),
        snippet_sequences=count(64, 2000, 20_000),
        snippet_epochs=epochs(5, 20),
        reversal_sequences=count(128, 4000, 20_000),
        reversal_epochs=epochs(20, 40),
        series_length=max(count(400, 5000, 20_000), 10 * SERIES_WINDOW),
        series_stride=run.by_profile(4, 2, 1),
        series_epochs=epochs(20, 40),
        adding_sequences=count(128, 5000, 20_000),
        adding_epochs=epochs(10, 30),
        adding_lengths=run.by_profile((5, 10), (20, 100), (20, 100)),
    )


# ---------------------------------------------------------------- data
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


# ---------------------------------------------------------------- training
class EpochTimer(keras.callbacks.Callback):
    """Wall seconds of every epoch (the first includes tracing)."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


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
    timer = EpochTimer()
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=run.verbose,
                        callbacks=[timer])
    return model, history.history["loss"], timer.seconds


def predict(model, x, batch_size=2048):
    """The model's outputs as NumPy, called in batches (no ``predict`` function traced per model)."""
    return np.concatenate([keras.ops.convert_to_numpy(model(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])


def accuracy(model, x, y):
    return float(np.mean(predict(model, x).argmax(-1) == y))


def mean_se(values):
    """``"mean ± standard error"`` of per-seed values."""
    values = np.asarray(values, dtype="float64")
    if len(values) < 2:
        return f"{values.mean():.4g}"
    return f"{values.mean():.4g} ± {values.std(ddof=1) / np.sqrt(len(values)):.2g}"


def steady_epoch_seconds(seconds):
    """Median seconds of the epochs after the first (which includes tracing); None if only one."""
    return float(np.median(seconds[1:])) if len(seconds) > 1 else None


# ---------------------------------------------------------------- 1. snippet and equations
def article_equations(seed):
    """The article's h_t and y_t computed by hand against ``RNN(ElmanCell(units, output_units))``.

    Returns the largest difference of ``ElmanCell`` from the hand computation
    and of ``SimpleRNN`` + ``Dense`` (same weights) from ``ElmanCell``.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, 7, 5)).astype("float32")
    keras.utils.set_random_seed(seed)
    elman = keras.layers.RNN(ElmanCell(6, output_units=4, output_activation="softmax"),
                             return_sequences=True)
    y = keras.ops.convert_to_numpy(elman(x))
    w_xh, w_hh, b_h, w_hy, b_y = elman.get_weights()
    h, by_hand = np.zeros((3, 6)), []
    for t in range(x.shape[1]):
        h = np.tanh(h @ w_hh + x[:, t] @ w_xh + b_h)  # h_t = f(W_hh h_{t-1} + W_xh x_t + b_h)
        logits = h @ w_hy + b_y  # y_t = f(W_hy h_t + b_y), f = softmax here
        by_hand.append(np.exp(logits) / np.exp(logits).sum(-1, keepdims=True))
    hand_difference = float(np.max(np.abs(y - np.stack(by_hand, axis=1))))
    keras_layers = keras.Sequential([keras.Input((7, 5)), keras.layers.SimpleRNN(6, return_sequences=True),
                                     keras.layers.Dense(4, activation="softmax")])
    keras_layers.set_weights(elman.get_weights())
    keras_difference = float(np.max(np.abs(keras.ops.convert_to_numpy(keras_layers(x)) - y)))
    return hand_difference, keras_difference


def snippet_section(run, s):
    """Item 1: the snippet verbatim, deep_rnn((100, 50)), the equations, masking, training the snippet."""
    run.section("1. The article's snippet and equations")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        snippet = load_file(SNIPPET).model
    snippet_warnings = sorted({str(w.message) for w in caught if issubclass(w.category, UserWarning)})
    ours = deep_rnn((100, 50))
    ours.set_weights(snippet.get_weights())
    x, _ = snippet_task(8, run.seed)
    difference = float(np.max(np.abs(ours(x) - snippet(x))))
    hand_difference, keras_difference = article_equations(run.seed)

    padded = np.concatenate([x[:1, :20], np.zeros((1, 10, 50), "float32")], axis=1)
    masked = deep_rnn((None, 50), units=(16, 8), mask_value=0.0)
    mask_difference = float(np.max(np.abs(masked(padded) - masked(x[:1, :20]))))

    summaries = []
    for model in (snippet, ours):
        stream = io.StringIO()
        with contextlib.redirect_stdout(stream):
            model.summary(line_length=80)
        summaries.append(stream.getvalue().strip())

    n = s.snippet_sequences
    x, y = snippet_task(n + n // 4, run.seed + 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the input_shape warning, reported above
        trained, _, _ = train(run, lambda: load_file(SNIPPET).model, x[:n], y[:n], s.snippet_epochs,
                              "sparse_categorical_crossentropy", run.seed, learning_rate=1e-3)
    snippet_accuracy = accuracy(trained, x[n:], y[n:])
    result = {
        "snippet_params": snippet.count_params(),
        "deep_rnn_params": ours.count_params(),
        "max_abs_output_difference": difference,
        "equations_elman_vs_by_hand": hand_difference,
        "equations_simple_rnn_dense_vs_elman": keras_difference,
        "masked_padding_max_abs_difference": mask_difference,
        "snippet_warnings": snippet_warnings,
        "snippet_task_accuracy": snippet_accuracy,
    }
    run.metrics["snippet"] = result
    warning_text = (
        "this warning (`input_shape=` still works on Keras 3, which recommends `keras.Input`):\n\n"
        + "".join(f"> UserWarning: {w}\n\n" for w in snippet_warnings)
        if snippet_warnings else "no warning.\n\n"
    )
    text = (
        "## 1. The snippet, verbatim, and the two equations\n\n"
        "`reproductions/snippets/deep_rnn_snippet.py` is the article's code unchanged "
        "(`from tensorflow.keras...`, `SimpleRNN(128, input_shape=(100, 50), ...)`). On Keras "
        f"{keras.__version__} it runs as written; building it gives {warning_text}"
        "```\n" + summaries[0] + "\n```\n\n"
        "`tfdl.models.deep_rnn((100, 50))`:\n\n```\n" + summaries[1] + "\n```\n\n"
        f"Parameters: {snippet.count_params():,} vs {ours.count_params():,}; with the snippet's "
        f"weights copied, the outputs on 8 inputs differ by at most {difference:.2g}. The first "
        "layer returns its whole hidden sequence `(None, 100, 128)`, which the second reads: "
        "each layer's hidden state goes to the next.\n\n"
        "The article's equations, h_t = f(W_hh h_{t-1} + W_xh x_t + b_h) and "
        "y_t = f(W_hy h_t + b_y), are `keras.layers.RNN(ElmanCell(units, output_units))`: "
        "computed by hand in NumPy with the cell's weights (6 units, 4 softmax outputs, 7 steps), "
        f"they match its output to {hand_difference:.2g}; `SimpleRNN` followed by `Dense` with the "
        f"same weights matches it to {keras_difference:.2g}. The output equation is used to predict "
        "a time series in section 4.\n\n"
        f"Variable-length input: a 20-step sequence padded with 10 zero steps and masked gives the "
        f"unpadded output to {mask_difference:.2g}.\n\n"
        f"Trained as written (Adam 1e-3, batch 64, {s.snippet_epochs} epochs) on {n:,} sequences of "
        "the snippet task (100 x 50 Gaussian inputs, label = which of the first ten features has the "
        f"largest time average; chance 0.1), the snippet reaches {snippet_accuracy:.3f} test accuracy "
        f"on {n // 4:,} sequences (one seed: a demonstration, not a claim). The label depends "
        "equally on all 100 steps, the long-range case that section 5 measures.\n"
    )
    return text, result


# ---------------------------------------------------------------- 2-3. architectures and depth
def classifiers(run, s, rows_train, rows_test):
    """One-to-one (MLP), many-to-one (SimpleRNN 64) and two stacked SimpleRNN(64), per seed."""
    (x_train, y_train), (x_test, y_test) = rows_train, rows_test
    steps, width = x_train.shape[1:]
    flat_train, flat_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    variants = {
        "MLP(64)": (lambda: one_to_one(steps * width, units=(64,)), flat_train, flat_test),
        "SimpleRNN(64)": (lambda: deep_rnn((steps, width), units=(64,)), x_train, x_test),
        "2 x SimpleRNN(64)": (lambda: deep_rnn((steps, width), units=(64, 64)), x_train, x_test),
    }
    results = {name: {"accuracy": [], "epoch_seconds": [], "loss": []} for name in variants}
    for seed in s.seeds:
        for name, (build, inputs, test_inputs) in variants.items():
            model, loss, seconds = train(run, build, inputs, y_train, s.image_epochs,
                                         "sparse_categorical_crossentropy", seed,
                                         learning_rate=1e-3, clipnorm=1.0)
            results[name]["accuracy"].append(accuracy(model, test_inputs, y_test))
            results[name]["epoch_seconds"].append(steady_epoch_seconds(seconds))
            results[name]["loss"].append(loss)
            results[name]["params"] = model.count_params()
    return results


def one_to_many_section(run, s, rows_train, rows_test):
    """A class -> its image row by row (GRU 64), against the class-mean and mean images."""
    (x_train, y_train), (x_test, y_test) = rows_train, rows_test
    steps, width = x_train.shape[1:]
    missing = sorted(set(range(10)) - set(y_train.tolist()))
    if missing:
        raise ValueError(f"one-to-many needs training images of every class; the first {len(y_train)} "
                         f"lack classes {missing}: raise limit")
    classes = np.eye(10, dtype="float32")
    class_means = np.stack([x_train[y_train == k].mean(0) for k in range(10)])
    class_mean_mse = float(np.mean((class_means[y_test] - x_test) ** 2))
    mean_image_mse = float(np.mean((x_train.mean(0) - x_test) ** 2))
    errors, generated = [], None
    for seed in s.seeds:
        model, _, _ = train(run, lambda: one_to_many(10, steps, units=(64,), cell="gru",
                                                     output_units=width),
                            classes[y_train], x_train, s.one_to_many_epochs, "mse", seed)
        errors.append(float(np.mean((predict(model, classes[y_test]) - x_test) ** 2)))
        if generated is None:
            generated = predict(model, classes)
    gaps = [(e - class_mean_mse) / (mean_image_mse - class_mean_mse) for e in errors]
    result = {"mse": errors, "class_mean_image_mse": class_mean_mse,
              "mean_image_mse": mean_image_mse, "gap_fraction": gaps}

    examples = [x_test[np.flatnonzero(y_test == k)[:2]] for k in range(10)]
    columns = ["generated\n(seed %d)" % s.seeds[0], "class-mean\nimage (train)",
               "test image 1", "test image 2"]
    figure, axes = plt.subplots(10, 4, figsize=(4.6, 11))
    for k in range(10):
        images = [generated[k], class_means[k]] + list(examples[k])
        for column, axis in enumerate(axes[k]):
            if column < len(images):
                axis.imshow(images[column], cmap="gray", vmin=0, vmax=1)
            axis.set(xticks=[], yticks=[])
            if k == 0:
                axis.set_title(columns[column], fontsize=8)
        axes[k, 0].set_ylabel(f"class {k}", fontsize=8)
    figure.suptitle("One-to-many: GRU generates an image row by row from its class", fontsize=9)
    result["figure"] = run.save_figure(figure, "one_to_many",
                                       "one-to-many: generated images next to class means and test images")
    return result


def reversal_section(run, s):
    """Reversing 6 digits: encoder-decoder (unaligned) vs a 2-layer aligned GRU, per seed."""
    n = s.reversal_sequences
    variants = {
        "encoder-decoder GRU(64)": lambda: encoder_decoder((6, 10), 6, units=64, cell="gru"),
        "aligned 2 x GRU(64)": lambda: deep_rnn((6, 10), units=(64, 64), cell="gru",
                                                return_sequences=True),
    }
    results = {name: {"token_accuracy": [], "sequence_accuracy": []} for name in variants}
    for seed in s.seeds:
        digits, one_hot = digit_sequences(n + n // 4, 6, seed + 2)
        target = digits[:, ::-1]
        for name, build in variants.items():
            model, _, _ = train(run, build, one_hot[:n], target[:n], s.reversal_epochs,
                                "sparse_categorical_crossentropy", seed, learning_rate=1e-2)
            predicted = predict(model, one_hot[n:]).argmax(-1)
            results[name]["token_accuracy"].append(float(np.mean(predicted == target[n:])))
            results[name]["sequence_accuracy"].append(float(np.mean(np.all(predicted == target[n:], 1))))
            results[name]["params"] = model.count_params()
    return results


def architectures_text(run, s, classifier_results, one_to_many_result, reversal_results):
    steps, width = data.image_shape(run.dataset)[:2]
    mlp, rnn = classifier_results["MLP(64)"], classifier_results["SimpleRNN(64)"]
    rows = [
        ["one-to-one", f"MLP(64) on the flat {steps}x{width} image ({mlp['params']:,} parameters)",
         "test accuracy", mean_se(mlp["accuracy"])],
        ["many-to-one", f"SimpleRNN(64) reading the image row by row ({rnn['params']:,} parameters)",
         "test accuracy", mean_se(rnn["accuracy"])],
        ["one-to-many", "GRU(64): one-hot class -> image row by row", "test MSE per pixel",
         f"{mean_se(one_to_many_result['mse'])} (class-mean image "
         f"{one_to_many_result['class_mean_image_mse']:.4g}, mean image "
         f"{one_to_many_result['mean_image_mse']:.4g})"],
    ]
    for name, result in reversal_results.items():
        rows.append(["many-to-many " + ("(unaligned)" if "encoder" in name else "(aligned)"),
                     f"{name}: reverse 6 digits ({result['params']:,} parameters)",
                     "test accuracy per token / whole sequence",
                     f"{mean_se(result['token_accuracy'])} / {mean_se(result['sequence_accuracy'])}"])
    rows.append(["many-to-many (aligned)", "ElmanCell(32, output_units=1): next value of a series",
                 "see section 4", ""])
    gaps = one_to_many_result["gap_fraction"]
    return (
        "## 2. The four architectures\n\n"
        f"Images: the first {s.train_images:,} training and {s.test_images:,} test images of "
        f"`{run.dataset}`, each read as {steps} steps of {width} pixels by the recurrent models. "
        f"Classifiers: Adam 1e-3 with gradient norms clipped at 1 (at 3e-3 SimpleRNN's training loss "
        f"rose again on 28x28 rows in a trial), batch 64, {s.image_epochs} epochs; one-to-many: Adam 3e-3, "
        f"{s.one_to_many_epochs} epochs; "
        f"reversal: {s.reversal_sequences:,} training and {s.reversal_sequences // 4:,} test "
        f"sequences of 6 random digits, Adam 1e-2, {s.reversal_epochs} epochs. Seeds {s.seeds} "
        "(the seed sets the initial weights and, for the generated tasks, the data); "
        "results are mean ± standard error over seeds.\n\n"
        + markdown_table(["architecture", "model and task", "measure", "result"], rows) + "\n\n"
        + one_to_many_result["figure"] + "\n\n"
        "One-to-many: the network sees only the class, so the best it can generate (in squared "
        "error) is the class-mean image; the figure puts its images (first column) next to the "
        "class means (second) and two real test images. A blurred class mean is the right answer "
        "here, not a failure: nothing in a one-hot class says which of its images to draw. "
        "Fraction of the gap from the mean image (input ignored) to the class-mean image left "
        "open, per seed: " + ", ".join(f"{g:.3f}" for g in gaps) + ".\n\n"
        "Unaligned many-to-many (the article's translation example): output t of the reversal is "
        "input 7 - t, so an aligned network, which must answer at step t having read only inputs "
        "1..t, cannot know the first three outputs; the encoder-decoder reads the whole sequence "
        "first.\n"
    )


def depth_text(run, s, classifier_results):
    names = ("MLP(64)", "SimpleRNN(64)", "2 x SimpleRNN(64)")
    figure, axis = plt.subplots(figsize=(6, 3.5))
    for name in names:
        losses = np.array(classifier_results[name]["loss"])
        epochs = np.arange(1, losses.shape[1] + 1)
        axis.plot(epochs, losses.mean(0), marker="o", markersize=3, label=name)
        if len(losses) > 1:
            axis.fill_between(epochs, losses.min(0), losses.max(0), alpha=0.2)
    axis.set_xlabel("epoch")
    axis.set_ylabel("training cross-entropy (mean; band: min-max over seeds)")
    axis.set_yscale("log")
    axis.set_title(f"Training loss on {run.dataset}, images as sequences of rows")
    axis.legend()
    figure_markdown = run.save_figure(figure, "training_curves",
                                      "training loss: MLP, one and two SimpleRNN layers")
    rows = []
    for name in names:
        result = classifier_results[name]
        seconds = [t for t in result["epoch_seconds"] if t is not None]
        rows.append([name, f"{result['params']:,}", mean_se(result["accuracy"]),
                     ", ".join(f"{a:.3f}" for a in result["accuracy"]),
                     mean_se(seconds) if seconds else "one epoch only"])
    return (
        "## 3. Depth: two stacked SimpleRNN(64) layers against one\n\n"
        "Same data, optimiser and epochs as section 2; one named variant against one, over seeds "
        f"{s.seeds}. Seconds per epoch are the median of the epochs after the first (which "
        "includes tracing), on a CPU shared with other jobs.\n\n"
        + markdown_table(["model", "parameters", "test accuracy", "per seed", "s / epoch"], rows)
        + "\n\n" + figure_markdown + "\n\n"
        "The training curves show how fast each model fits the training images (final training "
        "loss, mean over seeds: "
        + ", ".join(f"{name} {np.mean([l[-1] for l in classifier_results[name]['loss']]):.3g}"
                    for name in names)
        + "); the test accuracies above show whether that carries over. The claims table judges two layers "
        "against one (accuracy) and the recurrent model against the MLP (seconds per epoch).\n"
    )


# ---------------------------------------------------------------- 4. time series
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
        rows = sliding_window_view(series[:-1], p)
        return rows, series[p:]

    cut = len(train_series) * 4 // 5
    errors = {}
    for p in range(1, window + 1):
        fit = LinearRegression().fit(*lags(train_series[:cut], p))
        inputs, targets = lags(train_series[cut - p:], p)
        errors[p] = float(np.mean((fit.predict(inputs) - targets) ** 2))
    p = min(errors, key=errors.get)
    fit = LinearRegression().fit(*lags(train_series, p))
    return p, fit.predict(lags(test_series[window - p:], p)[0])


def series_section(run, s):
    """Next-value prediction on Mackey-Glass: Elman RNN vs last value, AR(p) and a per-step MLP."""
    run.section("4. Time series: next-value prediction")
    window, n = SERIES_WINDOW, s.series_length
    results = {name: [] for name in ("Elman RNN", "linear AR", "MLP on x_t", "last value")}
    orders, shown = [], None
    for seed in s.seeds:
        rng = np.random.default_rng(seed)
        clean = mackey_glass(n + n // 5, seed)
        series = (clean - clean[:n].mean()) / clean[:n].std()
        series = (series + SERIES_NOISE * rng.normal(size=series.shape)).astype("float32")
        train_series, test_series = series[:n], series[n:]
        targets = test_series[window:]

        windows = sliding_window_view(train_series, window + 1)[::s.series_stride, :, None]
        model, _, _ = train(run, lambda: elman_forecaster(32), windows[:, :-1], windows[:, 1:],
                            s.series_epochs, "mse", seed)
        test_windows = sliding_window_view(test_series[:-1], window)[:, :, None]
        predictions = {"Elman RNN": predict(model, test_windows)[:, -1, 0]}
        order, predictions["linear AR"] = autoregression(train_series, test_series, window)
        mlp, _, _ = train(run, lambda: one_to_one(1, units=(32, 32), output_units=1,
                                                  output_activation=None),
                          train_series[:-1, None], train_series[1:, None], s.series_epochs, "mse",
                          seed, batch_size=128)
        predictions["MLP on x_t"] = predict(mlp, test_series[window - 1:-1, None])[:, 0]
        predictions["last value"] = test_series[window - 1:-1]
        for name, predicted in predictions.items():
            results[name].append(float(np.mean((predicted - targets) ** 2)))
        orders.append(order)
        if shown is None:
            shown = targets, predictions
    run.metrics["time_series"] = {"test_mse": results, "ar_order": orders}

    targets, predictions = shown
    stretch = slice(0, 150)
    figure, (top, bottom) = plt.subplots(1, 2, figsize=(11, 3.8), width_ratios=(2.2, 1))
    top.plot(targets[stretch], color="black", linewidth=2, label="series (noisy)")
    for name, predicted in predictions.items():
        top.plot(predicted[stretch], linewidth=1, label=name)
    top.set_xlabel("test step")
    top.set_ylabel("standardised value")
    top.set_title(f"Next-value predictions, first 150 test steps (seed {s.seeds[0]})")
    top.legend(fontsize=7, ncol=3)
    for position, (name, errors) in enumerate(results.items()):
        bottom.scatter([position] * len(errors), errors, color=f"C{position}", zorder=3)
        bottom.hlines(np.mean(errors), position - 0.3, position + 0.3, color=f"C{position}")
    bottom.axhline(SERIES_NOISE**2, color="grey", linestyle=":", label="noise variance")
    bottom.set_xticks(range(len(results)), [name.replace(" on ", "\non ") for name in results],
                      fontsize=8)
    bottom.set_yscale("log")
    bottom.set_ylabel("test MSE (dots: seeds, bar: mean)")
    bottom.set_title("Test MSE per model")
    bottom.legend(fontsize=7)
    figure_markdown = run.save_figure(figure, "time_series", "next-value predictions and test MSE")
    rows = [[name, mean_se(v), ", ".join(f"{e:.4f}" for e in v)] for name, v in results.items()]
    text = (
        "## 4. A time series: next-value prediction (the article's listed uses)\n\n"
        "The article lists language modelling, translation, speech and stock-trend prediction, "
        "and ends with time-series analytics. A language model and a forecaster share the "
        "task: predict the next element from the past ones. Here it is a chaotic series with "
        f"structure to learn: Mackey-Glass (tau = 17) sampled every 6 time units, {n:,} training "
        f"and {n // 5:,} test samples per seed, standardised, plus N(0, {SERIES_NOISE}^2) noise "
        f"(so MSE {SERIES_NOISE**2:.2g} is the floor). The model is the article's two equations "
        "with a linear output, `RNN(ElmanCell(32, output_units=1), return_sequences=True)`: "
        "y_t = W_hy h_t + b_y predicts x_{t+1} at every step (aligned many-to-many), trained on "
        f"windows of {window} steps (stride {s.series_stride}), Adam 3e-3, {s.series_epochs} "
        "epochs. Every model predicts the same test values, each from the "
        f"{window} values before it. Baselines: the last value (what a sceptic "
        "predicts for a stock price), a linear autoregression whose order is chosen from "
        f"1..{window} on a validation split (chosen orders: {orders}), and an MLP(32, 32) that, "
        "like the article's feed-forward network, sees only the current value. A real stock "
        "series is close to a random walk, where the last value is hard to beat: this task "
        "says what an RNN learns when there is structure, not that prices have it.\n\n"
        + markdown_table(["model", "test MSE", "per seed"], rows) + "\n\n"
        + figure_markdown + "\n\n"
        "Left: the first 150 test steps and each model's prediction; right: every seed's test "
        "MSE on a log scale against the noise variance. The last value lags the series by one "
        "step; the MLP cannot tell a rising from a falling stretch through the same value.\n"
    )
    return text, results


# ---------------------------------------------------------------- 5. limitations
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


def vanishing_section(run, s):
    """Gradient norms at initialisation (figure) and the adding problem at a short and a long T."""
    run.section("5. Vanishing gradients and long-term dependencies")
    x, labels = snippet_task(32, run.seed)
    middle = x.shape[1] // 2
    norms = {cell: [gradient_norms(cell, x, labels, seed=seed) for seed in s.seeds]
             for cell in CELL_LAYERS}
    ratios = {cell: [float(v[middle - 1] / v[-1]) for v in values] for cell, values in norms.items()}
    underflow = {cell: int(np.sum(values[0] == 0)) for cell, values in norms.items()}
    figure, axis = plt.subplots(figsize=(6, 3.5))
    for cell, values in norms.items():
        first = values[0]
        axis.semilogy(np.arange(1, len(first) + 1), np.where(first > 0, first, np.nan),
                      label=CELL_NAMES[cell])
    axis.set_xlabel("time step t")
    axis.set_ylabel(r"$\|\partial L / \partial h_t\|$ (batch mean)")
    axis.set_title(f"Gradient reaching h_t at initialisation (seed {s.seeds[0]})")
    axis.legend()
    gradient_figure = run.save_figure(figure, "gradient_norms", "gradient norm reaching each step")
    run.metrics["gradient_norms"] = {cell: values[0] for cell, values in norms.items()}
    run.metrics["gradient_ratio_middle_over_last"] = ratios

    short, long = s.adding_lengths
    n = s.adding_sequences
    runs = [("simple", short)] + [(cell, long) for cell in CELL_LAYERS]
    adding = {}
    for cell, timesteps in runs:
        errors = []
        for seed in s.seeds:
            x, y = adding_problem(n + n // 5, timesteps, seed + timesteps)
            model, _, _ = train(run, lambda: deep_rnn((timesteps, 2), units=(32,), cell=cell,
                                                      output_units=1, output_activation=None),
                                x[:n], y[:n], s.adding_epochs, "mse", seed, learning_rate=1e-2)
            errors.append(float(np.mean((predict(model, x[n:]) - y[n:]) ** 2)))
        adding[f"{cell}_T{timesteps}"] = errors
    run.metrics["adding_problem"] = adding

    figure, axis = plt.subplots(figsize=(6, 3.5))
    for position, (cell, timesteps) in enumerate(runs):
        errors = adding[f"{cell}_T{timesteps}"]
        axis.scatter([position] * len(errors), errors, color=f"C{position}", zorder=3)
        axis.hlines(np.mean(errors), position - 0.25, position + 0.25, color=f"C{position}")
    axis.axhline(1 / 6, color="grey", linestyle=":", label="predict the mean (1/6)")
    axis.set_xticks(range(len(runs)), [f"{CELL_NAMES[c]}\nT={t}" for c, t in runs])
    axis.set_ylabel("test MSE (dots: seeds, bar: mean)")
    axis.set_yscale("log")
    axis.set_title("Adding problem: one recurrent layer of 32 units")
    axis.legend()
    adding_figure = run.save_figure(figure, "adding_problem", "adding problem test MSE per seed")
    rows = [[CELL_NAMES[c], t, mean_se(adding[f"{c}_T{t}"]),
             ", ".join(f"{e:.4f}" for e in adding[f"{c}_T{t}"])] for c, t in runs]
    text = (
        "## 5. Limitations: vanishing gradients, long-term dependencies, training time\n\n"
        + gradient_figure + "\n\n"
        f"At initialisation (Keras defaults: Glorot input kernel, orthogonal recurrent kernel), "
        f"on 32 sequences of the snippet task (100 x 50, 64 units), the gradient of the loss on "
        f"h_100 reaching each earlier h_t. Ratio norm(dL/dh_{middle}) / norm(dL/dh_100) per seed: "
        + "; ".join(f"{CELL_NAMES[c]} " + ", ".join(f"{r:.2g}" for r in v) for c, v in ratios.items())
        + ". Steps whose gradient underflows to exactly 0 in float32 (missing from the log plot), "
        "first seed: " + ", ".join(f"{CELL_NAMES[c]} {k}" for c, k in underflow.items()) + ". "
        "Untrained gates do not stop the decay (a GRU's update gate starts near 1/2); whether "
        "trained gates carry information over long spans is what the adding problem measures.\n\n"
        f"Adding problem: one recurrent layer of 32 units, {n:,} training and {n // 5:,} test "
        f"sequences per seed, Adam 1e-2, batch 64, {s.adding_epochs} epochs, seeds {s.seeds}; "
        f"SimpleRNN at T = {short} and {long}, LSTM and GRU at T = {long}.\n\n"
        + markdown_table(["cell", "T", "test MSE", "per seed"], rows) + "\n\n"
        + adding_figure + "\n\n"
        "Dots above the dotted line are worse than ignoring the input and predicting 1; near "
        "0 the two marked values were found and added. Training time is measured in section 3.\n"
    )
    return text, ratios, adding


# ---------------------------------------------------------------- 6. claims
def judge(run, s, snippet, classifier_results, one_to_many_result, reversal_results, series,
          ratios, adding):
    claims = run.claims()
    claims.add(
        "हर समय t पर RNN निम्न समीकरणों के अनुसार काम करता है: hₜ = f(Wₕₕ * hₜ₋₁ + Wₓₕ * xₜ + bₕ) "
        "yₜ = f(Wₕy * hₜ + b_y)",
        "at every step the RNN computes h_t and y_t by these equations",
        "ElmanCell(6, output_units=4) against the equations by hand; SimpleRNN + Dense against it",
        bound(max(snippet["equations_elman_vs_by_hand"], snippet["equations_simple_rnn_dense_vs_elman"]),
              EXACT, "largest absolute difference"))
    claims.add(
        "Deep RNN में कई RNN लेयर्स को एक के ऊपर एक लगाया जाता है ... हर लेयर का Hidden State अगले "
        "लेयर में जाता है",
        "a deep RNN stacks RNN layers; each layer's hidden state goes to the next",
        "the article's snippet (verbatim) against deep_rnn((100, 50)) with its weights",
        bound(snippet["max_abs_output_difference"], EXACT, "largest absolute output difference"))
    rnn2, rnn1 = (classifier_results[k]["accuracy"] for k in ("2 x SimpleRNN(64)", "SimpleRNN(64)"))
    claims.add(
        "इससे नेटवर्क जटिल पैटर्न्स सीखने में सक्षम होता है।",
        "stacking lets the network learn complex patterns",
        f"test accuracy on {run.dataset} read row by row, per seed",
        compare(rnn2, rnn1, ("2 x SimpleRNN(64)", "1 x SimpleRNN(64)"), margin=DEPTH_MARGIN))
    claims.add(
        "सामान्य Feedforward Neural Network केवल वर्तमान इनपुट पर निर्भर होता है, जबकि RNN समय के साथ "
        "आने वाले इनपुट्स के संबंधों को समझ सकता है।",
        "a feed-forward network depends only on the current input; an RNN understands relations "
        "across time",
        "next-value test MSE on the Mackey-Glass series, per seed",
        compare(series["Elman RNN"], series["MLP on x_t"], ("Elman RNN", "MLP on x_t"), better="lower",
                margin=SERIES_MARGIN))
    claims.add(
        "2025 में, RNNs अभी भी NLP और टाइम-सीरीज़ एनालिटिक्स में एक शक्तिशाली उपकरण बने हुए हैं।",
        "RNNs remain a powerful tool for time-series analytics (and NLP)",
        "next-value test MSE on the Mackey-Glass series against the sceptic's linear AR, per seed",
        compare(series["Elman RNN"], series["linear AR"], ("Elman RNN", "linear AR(p)"), better="lower",
                margin=SERIES_MARGIN))
    claims.add(
        "एक इनपुट से कई आउटपुट उत्पन्न होते हैं। उदाहरण: इमेज कैप्शनिंग",
        "one input produces many outputs (image captioning)",
        "images generated row by row from the class: share of the gap from the mean image to the "
        "class-mean image (the best possible) left open, mean over seeds",
        bound(float(np.mean(one_to_many_result["gap_fraction"])), ONE_TO_MANY_GAP,
              "gap left open"))
    unaligned, aligned = (reversal_results[k]["token_accuracy"]
                          for k in ("encoder-decoder GRU(64)", "aligned 2 x GRU(64)"))
    claims.add(
        "यह वह आर्किटेक्चर है जो अनुवाद जैसे कार्यों में उपयोग होता है, जहाँ इनपुट और आउटपुट दोनों अनुक्रम होते हैं।",
        "many-to-many serves translation-like tasks, input and output both sequences",
        "reversing 6 digits (output order differs from input order): test accuracy per token",
        compare(unaligned, aligned, ("encoder-decoder GRU(64)", "aligned 2 x GRU(64)"),
                margin=TOKEN_MARGIN))
    claims.add(
        "Variable-length inputs को संभालने की क्षमता।",
        "RNNs handle variable-length inputs",
        "a sequence padded with zero steps and masked, against the unpadded one",
        bound(snippet["masked_padding_max_abs_difference"], EXACT, "largest absolute output difference"))
    claims.add(
        "Vanishing Gradient समस्या।",
        "the vanishing gradient problem",
        "SimpleRNN at initialisation: norm(dL/dh_50) / norm(dL/dh_100), largest over seeds",
        bound(max(ratios["simple"]), VANISHING_RATIO, "ratio"))
    short, long = s.adding_lengths
    simple_long = adding[f"simple_T{long}"]
    claims.add(
        "Long-term dependencies सीखने में कठिनाई।",
        "difficulty learning long-term dependencies",
        f"adding problem test MSE of SimpleRNN at T = {long} against T = {short}, per seed",
        compare(simple_long, adding[f"simple_T{short}"],
                (f"SimpleRNN at T={long}", f"SimpleRNN at T={short}"), better="higher",
                margin=ADDING_MARGIN))
    for cell in ("lstm", "gru"):
        claims.add(
            "LSTM और GRU जैसे उन्नत मॉडल्स ने इसे और प्रभावी बना दिया है।",
            f"advanced models such as LSTM and GRU made RNNs more effective ({CELL_NAMES[cell]})",
            f"adding problem test MSE at T = {long}, per seed",
            compare(adding[f"{cell}_T{long}"], simple_long, (f"{CELL_NAMES[cell]}", "SimpleRNN"),
                    better="lower", margin=ADDING_MARGIN))
    seconds = {k: [t for t in classifier_results[k]["epoch_seconds"] if t is not None]
               for k in ("SimpleRNN(64)", "MLP(64)")}
    claims.add(
        "ट्रेनिंग में अधिक समय।",
        "training takes more time",
        f"seconds per epoch (after the first) on {run.dataset}, same data and batch, per seed",
        compare(seconds["SimpleRNN(64)"], seconds["MLP(64)"], ("SimpleRNN(64)", "MLP(64)"),
                better="higher") if all(seconds.values()) else None,
        reason="one epoch per model: no epoch without tracing was timed")
    claims.add(
        "जहाँ CNN इमेज डेटा के लिए उपयुक्त है, वहीं RNN उन कार्यों के लिए डिज़ाइन किया गया है जहाँ इनपुट डेटा समय पर आधारित होता है",
        "CNNs suit images; RNNs are designed for time-based input",
        "-", None, reason="no CNN is trained here; images are read as sequences only to give the "
        "RNN a sequence task")
    claims.add(
        "Language understanding और speech tasks में उपयोगी।",
        "useful for language understanding and speech",
        "-", None, reason="no text or audio corpus ships offline; section 4's next-value task is "
        "a language model's objective on a real-valued series")
    run.metrics["claims"] = claims.rows
    return claims


ITEMS = """## 7. Article items and where they are covered

| article item | covered |
|---|---|
| RNNs process sequential data (language, speech, video); CNNs suit images | sections 2-4 (sequence tasks); the CNN contrast is not judged (claims table) |
| hidden state as memory of past inputs; why feed-forward nets are not enough | section 4, Elman RNN vs an MLP on the current value (claim) |
| uses: language modelling, machine translation, speech recognition, stock-trend prediction | section 4 (next-value prediction, with a last-value baseline for stock-like series); translation: section 2 reversal; language and speech corpora: not reproduced (none offline) |
| equations h_t = f(W_hh h_{t-1} + W_xh x_t + b_h), y_t = f(W_hy h_t + b_y) | section 1, `ElmanCell(units, output_units)` against a hand computation (claim); section 4 uses y_t to forecast |
| one-to-one (image classification) | section 2, MLP on flat images |
| one-to-many (image captioning) | section 2, image generated row by row from its class, figure and claim |
| many-to-one (sentiment analysis) | section 2, SimpleRNN reading images row by row (no text corpus offline) |
| many-to-many (translation) | section 2, reversal: encoder-decoder vs aligned (claim); section 4, aligned |
| deep RNN: stacked layers, hidden state to the next layer, complex patterns | sections 1 and 3, two layers vs one (claims) |
| the Keras snippet | section 1, run verbatim, compared with `deep_rnn((100, 50))`, trained on a 100 x 50 task |
| advantage: sequential dependency | section 4 (claim) |
| advantage: language and speech tasks | not reproduced (claims table) |
| advantage: variable-length inputs | section 1, masking (claim) |
| limitation: vanishing gradients | section 5, figure and claim |
| limitation: long-term dependencies | section 5, adding problem (claim) |
| limitation: training time | section 3, seconds per epoch (claim) |
| conclusion: LSTM and GRU improve on RNNs; RNNs still used for NLP and time series | section 5 (claims), section 4 (claim) |
"""


def reproduce(run):
    s = settings(run)
    snippet_text, snippet = snippet_section(run, s)

    run.section("2. The four architectures (images as sequences of rows)")
    rows_train = image_rows(run, "train", s.train_images)
    rows_test = image_rows(run, "test", s.test_images)
    classifier_results = classifiers(run, s, rows_train, rows_test)
    one_to_many_result = one_to_many_section(run, s, rows_train, rows_test)
    reversal_results = reversal_section(run, s)
    run.metrics["architectures"] = {"classifiers": classifier_results,
                                    "one_to_many": {k: v for k, v in one_to_many_result.items()
                                                    if k != "figure"},
                                    "reversal": reversal_results}
    architecture_text = architectures_text(run, s, classifier_results, one_to_many_result,
                                           reversal_results)
    run.section("3. Depth")
    depth = depth_text(run, s, classifier_results)
    series_text, series = series_section(run, s)
    vanishing_text, ratios, adding = vanishing_section(run, s)
    run.section("6. Claims")
    claims = judge(run, s, snippet, classifier_results, one_to_many_result, reversal_results,
                   series, ratios, adding)
    rnn_accuracy = np.mean(classifier_results["SimpleRNN(64)"]["accuracy"])
    run.summarize(f"rnn: many-to-one accuracy {rnn_accuracy:.3f}; claims {claims.counts()}")
    return (
        "# Deep recurrent networks and their architectures (article 002)\n\n"
        + snippet_text + "\n" + architecture_text + "\n" + depth + "\n" + series_text + "\n"
        + vanishing_text
        + "\n## 6. The article's claims\n\n"
        "Each claim quotes the article, names what was measured, and is judged by a criterion "
        "fixed in `reproductions/rnn.py` before the run: a margin and, across seeds, a "
        "difference of means larger than 2 standard errors with at least 3 seeds per side. "
        "`inconclusive` means within the margin or the noise at this budget, not false.\n\n"
        + claims.table() + "\n\n" + ITEMS
    )
