"""Sections 2 and 3: the four architectures, and depth (two stacked layers against one)."""

import numpy as np

from tfdl import claims, data, plotting, tables
from tfdl.models import deep_rnn, encoder_decoder, one_to_many, one_to_one
from tfdl.report import Section
from tfdl.reproductions.rnn.tasks import digit_sequences, image_rows
from tfdl.reproductions.rnn.training import accuracy, count, epochs, predict, seeds, train
from tfdl.timing import steady

DEPTH_MARGIN = 0.005  # accuracy: a gain under half a point is not "more complex patterns"
TOKEN_MARGIN = 0.05  # per-token accuracy: five points, well above seed noise on 1000 sequences
ONE_TO_MANY_GAP = 0.1  # generated images close >= 90 % of the gap from the mean image to the class mean
CLASSIFIERS = ("MLP(64)", "SimpleRNN(64)", "2 x SimpleRNN(64)")
ENCODER_DECODER, ALIGNED = "encoder-decoder GRU(64)", "aligned 2 x GRU(64)"


def image_settings(run):
    """Images read row by row, shared by sections 2 and 3: 20,000 training images and 10
    epochs on 28x28 (a 28-step sequence of 28 pixels costs ~12x an 8x8 digit's)."""
    small = run.small_images
    return {"seeds": seeds(run),
            "train_images": count(run, 256, 1257 if small else 20_000, 50_000),
            "test_images": count(run, 128, 270 if small else 5000, 10_000),
            "image_epochs": epochs(run, 30 if small else 10, 30)}


def rows(run, s):
    """The training and test images as sequences of rows (computed once per run)."""
    return run.cached(("rows", s["train_images"], s["test_images"]), lambda: (
        image_rows(run, "train", s["train_images"]), image_rows(run, "test", s["test_images"])))


def classifiers(run, s):
    """One-to-one (MLP), many-to-one (SimpleRNN 64) and two stacked SimpleRNN(64), per seed
    (trained once per run: sections 2 and 3 both read them)."""
    return run.cached(("classifiers", repr(s)), lambda: _train_classifiers(run, s))


def _train_classifiers(run, s):
    (x_train, y_train), (x_test, y_test) = rows(run, s)
    steps, width = x_train.shape[1:]
    flat_train, flat_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    variants = {
        "MLP(64)": (lambda: one_to_one(steps * width, units=(64,)), flat_train, flat_test),
        "SimpleRNN(64)": (lambda: deep_rnn((steps, width), units=(64,)), x_train, x_test),
        "2 x SimpleRNN(64)": (lambda: deep_rnn((steps, width), units=(64, 64)), x_train, x_test),
    }
    results = {name: {"accuracy": [], "epoch_seconds": [], "loss": []} for name in variants}
    for seed in s["seeds"]:
        for name, (build, inputs, test_inputs) in variants.items():
            model, loss, seconds = train(run, build, inputs, y_train, s["image_epochs"],
                                         "sparse_categorical_crossentropy", seed,
                                         learning_rate=1e-3, clipnorm=1.0)
            results[name]["accuracy"].append(accuracy(model, test_inputs, y_test))
            results[name]["epoch_seconds"].append(steady(seconds))
            results[name]["loss"].append(loss)
            results[name]["params"] = model.count_params()
    return results


def one_to_many_images(run, s, epochs_):
    """A class -> its image row by row (GRU 64), against the class-mean and mean images."""
    (x_train, y_train), (x_test, y_test) = rows(run, s)
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
    for seed in s["seeds"]:
        model, _, _ = train(run, lambda: one_to_many(10, steps, units=(64,), cell="gru", output_units=width),
                            classes[y_train], x_train, epochs_, "mse", seed)
        errors.append(float(np.mean((predict(model, classes[y_test]) - x_test) ** 2)))
        if generated is None:
            generated = predict(model, classes)
    gaps = [(e - class_mean_mse) / (mean_image_mse - class_mean_mse) for e in errors]
    examples = [x_test[np.flatnonzero(y_test == k)[:2]] for k in range(10)]
    return {"mse": errors, "class_mean_image_mse": class_mean_mse, "mean_image_mse": mean_image_mse,
            "gap_fraction": gaps, "_images": (generated, class_means, examples)}


def reversal(run, s, sequences, epochs_):
    """Reversing 6 digits: encoder-decoder (unaligned) vs a 2-layer aligned GRU, per seed."""
    n = sequences
    variants = {
        ENCODER_DECODER: lambda: encoder_decoder((6, 10), 6, units=64, cell="gru"),
        ALIGNED: lambda: deep_rnn((6, 10), units=(64, 64), cell="gru", return_sequences=True),
    }
    results = {name: {"token_accuracy": [], "sequence_accuracy": []} for name in variants}
    for seed in s["seeds"]:
        digits, one_hot = digit_sequences(n + n // 4, 6, seed + 2)
        target = digits[:, ::-1]
        for name, build in variants.items():
            model, _, _ = train(run, build, one_hot[:n], target[:n], epochs_,
                                "sparse_categorical_crossentropy", seed, learning_rate=1e-2)
            predicted = predict(model, one_hot[n:]).argmax(-1)
            results[name]["token_accuracy"].append(float(np.mean(predicted == target[n:])))
            results[name]["sequence_accuracy"].append(float(np.mean(np.all(predicted == target[n:], 1))))
            results[name]["params"] = model.count_params()
    return results


def one_to_many_figure(images, seed):
    generated, class_means, examples = images
    columns = [f"generated\n(seed {seed})", "class-mean\nimage (train)", "test image 1", "test image 2"]
    figure, axes = plotting.figure(4.6, 11, rows=10, columns=4)
    for k in range(10):
        shown = [generated[k], class_means[k]] + list(examples[k])
        for column, axis in enumerate(axes[k]):
            if column < len(shown):
                axis.imshow(shown[column], cmap="gray", vmin=0, vmax=1)
            axis.set(xticks=[], yticks=[])
            if k == 0:
                axis.set_title(columns[column], fontsize=8)
        axes[k, 0].set_ylabel(f"class {k}", fontsize=8)
    figure.suptitle("One-to-many: GRU generates an image row by row from its class", fontsize=9)
    return figure


class Architectures(Section):
    """One-to-one, many-to-one, one-to-many and (un)aligned many-to-many, each on a task."""

    name = "architectures"
    title = "The four architectures"

    def settings(self, run):
        return {**image_settings(run), "one_to_many_epochs": epochs(run, 40 if run.small_images else 10, 40),
                "reversal_sequences": count(run, 128, 4000, 20_000), "reversal_epochs": epochs(run, 20, 40)}

    def measure(self, run, s):
        shared = {k: s[k] for k in image_settings(run)}
        return {"classifiers": classifiers(run, shared),
                "one_to_many": one_to_many_images(run, shared, s["one_to_many_epochs"]),
                "reversal": reversal(run, shared, s["reversal_sequences"], s["reversal_epochs"])}

    def judge(self, run, s, m):
        unaligned, aligned = (m["reversal"][k]["token_accuracy"] for k in (ENCODER_DECODER, ALIGNED))
        return [
            claims.claim(
                "one_to_many", "एक इनपुट से कई आउटपुट उत्पन्न होते हैं। उदाहरण: इमेज कैप्शनिंग",
                "one input produces many outputs (image captioning)",
                "images generated row by row from the class: share of the gap from the mean image to the "
                "class-mean image (the best possible) left open, mean over seeds",
                claims.bound(float(np.mean(m["one_to_many"]["gap_fraction"])), ONE_TO_MANY_GAP, "gap left open")),
            claims.claim(
                "reversal",
                "यह वह आर्किटेक्चर है जो अनुवाद जैसे कार्यों में उपयोग होता है, जहाँ इनपुट और आउटपुट दोनों अनुक्रम होते हैं।",
                "many-to-many serves translation-like tasks, input and output both sequences",
                "reversing 6 digits (output order differs from input order): test accuracy per token",
                claims.compare(unaligned, aligned, (ENCODER_DECODER, ALIGNED), margin=TOKEN_MARGIN)),
        ]

    def draw(self, run, s, m):
        return {"one_to_many": (one_to_many_figure(m["one_to_many"]["_images"], s["seeds"][0]),
                                "one-to-many: generated images next to class means and test images")}

    def write(self, run, s, m, figures):
        steps, width = data.image_shape(run.dataset)[:2]
        results, generated = m["classifiers"], m["one_to_many"]
        mlp, rnn = results["MLP(64)"], results["SimpleRNN(64)"]
        result_header = tables.se_header("result", s["seeds"])
        table = [
            ["one-to-one", f"MLP(64) on the flat {steps}x{width} image ({mlp['params']:,} parameters)",
             "test accuracy", tables.mean_se(mlp["accuracy"])],
            ["many-to-one", f"SimpleRNN(64) reading the image row by row ({rnn['params']:,} parameters)",
             "test accuracy", tables.mean_se(rnn["accuracy"])],
            ["one-to-many", "GRU(64): one-hot class -> image row by row", "test MSE per pixel",
             f"{tables.mean_se(generated['mse'])} (class-mean image {generated['class_mean_image_mse']:.4g}, "
             f"mean image {generated['mean_image_mse']:.4g})"],
        ]
        for name, result in m["reversal"].items():
            table.append(["many-to-many " + ("(unaligned)" if "encoder" in name else "(aligned)"),
                          f"{name}: reverse 6 digits ({result['params']:,} parameters)",
                          "test accuracy per token / whole sequence",
                          f"{tables.mean_se(result['token_accuracy'])} / "
                          f"{tables.mean_se(result['sequence_accuracy'])}"])
        table.append(["many-to-many (aligned)", "ElmanCell(32, output_units=1): next value of a series",
                      "see section 4", ""])
        return (
            f"Images: the first {s['train_images']:,} training and {s['test_images']:,} test images of "
            f"`{run.dataset}`, each read as {steps} steps of {width} pixels by the recurrent models. "
            "Classifiers: Adam 1e-3 with gradient norms clipped at 1 (at 3e-3 SimpleRNN's training loss "
            f"rose again on 28x28 rows in a trial), batch 64, {s['image_epochs']} epochs; one-to-many: Adam "
            f"3e-3, {s['one_to_many_epochs']} epochs; reversal: {s['reversal_sequences']:,} training and "
            f"{s['reversal_sequences'] // 4:,} test sequences of 6 random digits, Adam 1e-2, "
            f"{s['reversal_epochs']} epochs. Seeds {s['seeds']} (the seed sets the initial weights and, for "
            "the generated tasks, the data).\n\n"
            + tables.markdown_table(["architecture", "model and task", "measure", result_header], table) + "\n\n"
            + figures["one_to_many"] + "\n\n"
            "One-to-many: the network sees only the class, so the best it can generate (in squared "
            "error) is the class-mean image; the figure puts its images (first column) next to the "
            "class means (second) and two real test images. A blurred class mean is the right answer "
            "here, not a failure: nothing in a one-hot class says which of its images to draw. "
            "Fraction of the gap from the mean image (input ignored) to the class-mean image left "
            "open, per seed: " + ", ".join(f"{g:.3f}" for g in generated["gap_fraction"]) + ".\n\n"
            "Unaligned many-to-many (the article's translation example): output t of the reversal is "
            "input 7 - t, so an aligned network, which must answer at step t having read only inputs "
            "1..t, cannot know the first three outputs; the encoder-decoder reads the whole sequence first."
        )


class Depth(Section):
    """Two stacked SimpleRNN(64) layers against one; training time against the MLP."""

    name = "depth"
    title = "Depth: two stacked SimpleRNN(64) layers against one"

    def settings(self, run):
        return image_settings(run)

    def measure(self, run, s):
        return {"classifiers": classifiers(run, s)}

    def judge(self, run, s, m):
        results = m["classifiers"]
        rnn2, rnn1 = (results[k]["accuracy"] for k in ("2 x SimpleRNN(64)", "SimpleRNN(64)"))
        seconds = {k: [t for t in results[k]["epoch_seconds"] if t is not None] for k in ("SimpleRNN(64)", "MLP(64)")}
        return [
            claims.claim(
                "two_layers", "इससे नेटवर्क जटिल पैटर्न्स सीखने में सक्षम होता है।",
                "stacking lets the network learn complex patterns",
                f"test accuracy on {run.dataset} read row by row, per seed",
                claims.compare(rnn2, rnn1, ("2 x SimpleRNN(64)", "1 x SimpleRNN(64)"), margin=DEPTH_MARGIN)),
            claims.claim(
                "training_time", "ट्रेनिंग में अधिक समय।", "training takes more time",
                f"seconds per epoch (after the first) on {run.dataset}, same data and batch, per seed",
                claims.compare(seconds["SimpleRNN(64)"], seconds["MLP(64)"], ("SimpleRNN(64)", "MLP(64)"),
                               better="higher") if all(seconds.values()) else None,
                reason="one epoch per model: no epoch without tracing was timed"),
        ]

    def draw(self, run, s, m):
        figure, axis = plotting.figure()
        for name in CLASSIFIERS:
            losses = np.array(m["classifiers"][name]["loss"])
            steps = np.arange(1, losses.shape[1] + 1)
            axis.plot(steps, losses.mean(0), marker="o", markersize=3, label=name)
            if len(losses) > 1:
                axis.fill_between(steps, losses.min(0), losses.max(0), alpha=0.2)
        axis.set_xlabel("epoch")
        axis.set_ylabel("training cross-entropy (mean; band: min-max over seeds)")
        axis.set_yscale("log")
        axis.set_title(f"Training loss on {run.dataset}, images as sequences of rows")
        axis.legend()
        return {"training_curves": (figure, "training loss: MLP, one and two SimpleRNN layers")}

    def write(self, run, s, m, figures):
        results = m["classifiers"]
        table = []
        for name in CLASSIFIERS:
            seconds = [t for t in results[name]["epoch_seconds"] if t is not None]
            table.append([name, f"{results[name]['params']:,}", tables.mean_se(results[name]["accuracy"]),
                          ", ".join(f"{a:.3f}" for a in results[name]["accuracy"]),
                          tables.mean_se(seconds) if seconds else "one epoch only"])
        final = ", ".join(f"{name} {np.mean([l[-1] for l in results[name]['loss']]):.3g}" for name in CLASSIFIERS)
        return (
            "Same data, optimiser and epochs as section 2; one named variant against one, over seeds "
            f"{s['seeds']}. Seconds per epoch are the median of the epochs after the first (which "
            "includes tracing), on a CPU shared with other jobs.\n\n"
            + tables.markdown_table(["model", "parameters", tables.se_header("test accuracy", s["seeds"]),
                                     "per seed", tables.se_header("s / epoch", s["seeds"])], table)
            + "\n\n" + figures["training_curves"] + "\n\n"
            f"The training curves show how fast each model fits the training images (final training loss, "
            f"mean over seeds: {final}); the test accuracies above show whether that carries over."
        )
