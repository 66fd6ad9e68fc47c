"""Sections 2 and 3: the four architectures, and depth (two stacked layers against one)."""

import keras
import numpy as np

from tfdl import claims, data, plotting, tables
from tfdl.models import deep_rnn, encoder_decoder, one_to_many, one_to_one
from tfdl.report import Section
from tfdl.reproductions.rnn.tasks import digit_sequences, image_rows
from tfdl.reproductions.rnn.training import PATIENCE, Recipe, accuracy, count, epochs, predict, seeds, train
from tfdl.timing import steady

DEPTH_MARGIN = 0.005  # accuracy: a gain under half a point is not "more complex patterns"
TOKEN_MARGIN = 0.05  # per-token accuracy: five points (as good as: within them), well above seed noise
ONE_TO_MANY_GAP = 0.1  # generated images close >= 90 % of the gap from the mean image to the class mean
CLASSIFIERS = ("MLP(64)", "SimpleRNN(64)", "2 x SimpleRNN(64)")
ENCODER_DECODER, ALIGNED = "encoder-decoder GRU(64)", "aligned 2 x GRU(64)"
WHOLE_MLP_UNITS = 332  # 60 -> 332 -> 60: 40,232 parameters, the encoder-decoder's 40,202 give or take
WHOLE_MLP = f"MLP({WHOLE_MLP_UNITS}) on the whole sequence"


def image_settings(run):
    """Images read row by row, shared by sections 2 and 3: 20,000 training images and at most 25
    epochs on 28x28 (a 28-step sequence of 28 pixels costs ~12x an 8x8 digit's)."""
    small = run.small_images
    return {"seeds": seeds(run),
            "train_images": count(run, 256, 1257 if small else 20_000, 50_000),
            "test_images": count(run, 128, 270 if small else 5000, 10_000),
            "image_epochs": epochs(run, 30 if small else 25, 30)}


def rows(run, s):
    """The training, validation and test images as sequences of rows (computed once per run);
    validation: the data set's own validation split, as many images as the test set."""
    return run.cached(("rows", s["train_images"], s["test_images"]), lambda: tuple(
        image_rows(run, split, s["train_images"] if split == "train" else s["test_images"])
        for split in ("train", "valid", "test")))



def classifiers(run, s):
    """One-to-one (MLP), many-to-one (SimpleRNN 64) and two stacked SimpleRNN(64), per seed
    (trained once per run: sections 2 and 3 both read them)."""
    return run.cached(("classifiers", repr(s)), lambda: _train_classifiers(run, s))


def _train_classifiers(run, s):
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = rows(run, s)
    steps, width = x_train.shape[1:]

    def flat(x):
        return x.reshape(len(x), -1)

    variants = {
        "MLP(64)": (lambda: one_to_one(steps * width, units=(64,)), flat),
        "SimpleRNN(64)": (lambda: deep_rnn((steps, width), units=(64,)), lambda x: x),
        "2 x SimpleRNN(64)": (lambda: deep_rnn((steps, width), units=(64, 64)), lambda x: x),
    }
    recipe = Recipe("sparse_categorical_crossentropy", s["image_epochs"], learning_rate=1e-3, clipnorm=1.0)
    results = {name: {"accuracy": [], "epoch_seconds": [], "loss": [], "val_loss": [], "converged": []}
               for name in variants}
    for seed in s["seeds"]:
        for name, (build, inputs) in variants.items():
            fit = train(run, build, (inputs(x_train), y_train), recipe, seed, (inputs(x_valid), y_valid))
            result = results[name]
            result["accuracy"].append(accuracy(fit.model, inputs(x_test), y_test))
            result["epoch_seconds"].append(steady(fit.seconds))
            result["loss"].append(fit.loss)
            result["val_loss"].append(fit.val_loss)
            result["converged"].append(fit.converged)
            result["params"] = fit.model.count_params()
    return results


def one_to_many_images(run, s, epochs_):
    """A class -> its image row by row (GRU 64), against the class-mean and mean images."""
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = rows(run, s)
    steps, width = x_train.shape[1:]
    missing = sorted(set(range(10)) - set(y_train.tolist()))
    if missing:
        raise ValueError(f"one-to-many needs training images of every class; the first {len(y_train)} "
                         f"lack classes {missing}: raise limit")
    classes = np.eye(10, dtype="float32")
    class_means = np.stack([x_train[y_train == k].mean(0) for k in range(10)])
    class_mean_mse = float(np.mean((class_means[y_test] - x_test) ** 2))
    mean_image_mse = float(np.mean((x_train.mean(0) - x_test) ** 2))
    errors, converged, generated = [], [], None
    for seed in s["seeds"]:
        fit = train(run, lambda: one_to_many(10, steps, units=(64,), cell="gru", output_units=width),
                    (classes[y_train], x_train), Recipe("mse", epochs_), seed, (classes[y_valid], x_valid))
        errors.append(float(np.mean((predict(fit.model, classes[y_test]) - x_test) ** 2)))
        converged.append(fit.converged)
        if generated is None:
            generated = predict(fit.model, classes)
    gaps = [(e - class_mean_mse) / (mean_image_mse - class_mean_mse) for e in errors]
    examples = [x_test[np.flatnonzero(y_test == k)[:2]] for k in range(10)]
    return {"mse": errors, "class_mean_image_mse": class_mean_mse, "mean_image_mse": mean_image_mse,
            "gap_fraction": gaps, "converged": converged, "_images": (generated, class_means, examples)}


def whole_sequence_mlp():
    """The sceptic's many-to-many model: an MLP that sees the whole one-hot sequence at once and
    gives 6 softmax outputs, about as many parameters as the encoder-decoder."""
    return keras.Sequential([keras.Input((6, 10)), keras.layers.Flatten(),
                             keras.layers.Dense(WHOLE_MLP_UNITS, activation="relu"), keras.layers.Dense(60),
                             keras.layers.Reshape((6, 10)), keras.layers.Softmax()], name="whole_sequence_mlp")


def reversal(run, s, sequences, epochs_):
    """Reversing 6 digits: the encoder-decoder (unaligned) against an MLP seeing the whole sequence, and
    a 2-layer aligned GRU (which cannot know the first outputs: a demonstration), per seed."""
    n, held_out = sequences, sequences // 4
    variants = {
        ENCODER_DECODER: lambda: encoder_decoder((6, 10), 6, units=64, cell="gru"),
        WHOLE_MLP: whole_sequence_mlp,
        ALIGNED: lambda: deep_rnn((6, 10), units=(64, 64), cell="gru", return_sequences=True),
    }
    recipe = Recipe("sparse_categorical_crossentropy", epochs_, learning_rate=1e-2)
    results = {name: {"token_accuracy": [], "sequence_accuracy": [], "converged": []} for name in variants}
    for seed in s["seeds"]:
        digits, one_hot = digit_sequences(n + 2 * held_out, 6, seed + 2)
        target, test = digits[:, ::-1], slice(n + held_out, None)
        for name, build in variants.items():
            fit = train(run, build, (one_hot[:n], target[:n]), recipe, seed,
                        (one_hot[n:n + held_out], target[n:n + held_out]))
            predicted = predict(fit.model, one_hot[test]).argmax(-1)
            results[name]["token_accuracy"].append(float(np.mean(predicted == target[test])))
            results[name]["sequence_accuracy"].append(float(np.mean(np.all(predicted == target[test], 1))))
            results[name]["converged"].append(fit.converged)
            results[name]["params"] = fit.model.count_params()
    return results


def one_to_many_figure(images, seed):
    """Per class (rows): the generated image, the class-mean image and two test images (blank where missing)."""
    generated, class_means, examples = images
    shape = generated.shape[1:]
    cells = [cell for k in range(10) for cell in
             (generated[k], class_means[k], *examples[k], *[np.full(shape, np.nan)] * (2 - len(examples[k])))]
    columns = [f"generated\n(seed {seed})", "class-mean\nimage (train)", "test image 1", "test image 2"]
    return plotting.image_grid(np.stack(cells), shape, rows=10, row_labels=[f"class {k}" for k in range(10)],
                               column_labels=columns, inches=1.0, cmap="gray",
                               title="One-to-many: GRU generates an image row by row from its class")


class Architectures(Section):
    """One-to-one, many-to-one, one-to-many and (un)aligned many-to-many, each on a task."""

    name = "architectures"
    title = "The four architectures"

    def settings(self, run):
        return {**image_settings(run), "one_to_many_epochs": epochs(run, 40 if run.small_images else 10, 40),
                "reversal_sequences": count(run, 128, 4000, 20_000), "reversal_epochs": epochs(run, 30, 40)}

    def measure(self, run, s):
        shared = {k: s[k] for k in image_settings(run)}
        return {"classifiers": classifiers(run, shared),
                "one_to_many": one_to_many_images(run, shared, s["one_to_many_epochs"]),
                "reversal": reversal(run, shared, s["reversal_sequences"], s["reversal_epochs"])}

    def judge(self, run, s, m):
        reversal_ = m["reversal"]
        generated = m["one_to_many"]
        return [
            claims.claim(
                "one_to_many", "एक इनपुट से कई आउटपुट उत्पन्न होते हैं। उदाहरण: इमेज कैप्शनिंग",
                "one input produces many outputs (image captioning)",
                "images generated row by row from the class: share of the gap from the mean image (the input "
                "ignored) to the class-mean image (the best possible) left open, mean over seeds",
                claims.bound(float(np.mean(generated["gap_fraction"])), ONE_TO_MANY_GAP, "gap left open"),
                converged=all(generated["converged"])),
            claims.claim(
                "reversal",
                "यह वह आर्किटेक्चर है जो अनुवाद जैसे कार्यों में उपयोग होता है, जहाँ इनपुट और आउटपुट दोनों अनुक्रम होते हैं।",
                "many-to-many serves translation-like tasks, input and output both sequences",
                "reversing 6 digits (output order differs from input order): test accuracy per token, as good as "
                "that of an MLP of about the same size that sees the whole sequence (a task it solves)",
                claims.noninferior(reversal_[ENCODER_DECODER]["token_accuracy"],
                                   reversal_[WHOLE_MLP]["token_accuracy"], (ENCODER_DECODER, WHOLE_MLP),
                                   better="higher", margin=TOKEN_MARGIN),
                converged=all(reversal_[ENCODER_DECODER]["converged"] + reversal_[WHOLE_MLP]["converged"])),
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
        kinds = {ENCODER_DECODER: "many-to-many (unaligned)", WHOLE_MLP: "baseline: not recurrent",
                 ALIGNED: "many-to-many (aligned)"}
        for name, result in m["reversal"].items():
            table.append([kinds[name], f"{name}: reverse 6 digits ({result['params']:,} parameters)",
                          "test accuracy per token / whole sequence",
                          f"{tables.mean_se(result['token_accuracy'])} / "
                          f"{tables.mean_se(result['sequence_accuracy'])}"])
        table.append(["many-to-many (aligned)", "ElmanCell(32, output_units=1): next value of a series",
                      "see section 4", ""])
        return (
            f"Images: the first {s['train_images']:,} training and {s['test_images']:,} test images of "
            f"`{run.dataset}`, each read as {steps} steps of {width} pixels by the recurrent models. "
            "Classifiers: Adam 1e-3 with gradient norms clipped at 1 (at 3e-3 SimpleRNN's training loss "
            f"rose again on 28x28 rows in a trial), batch 64, at most {s['image_epochs']} epochs; one-to-many: Adam "
            f"3e-3, {s['one_to_many_epochs']} epochs; reversal: {s['reversal_sequences']:,} training, "
            f"{s['reversal_sequences'] // 4:,} validation and as many test sequences of 6 random digits, Adam "
            f"1e-2, at most {s['reversal_epochs']} epochs. Every model stops early when its validation loss has not "
            f"improved for {PATIENCE} epochs (best weights kept); image models validate on "
            f"{s['test_images']:,} images of the data set's validation split. Seeds {s['seeds']} (the seed sets "
            "the initial weights and, for the generated tasks, the data).\n\n"
            + tables.markdown_table(["architecture", "model and task", "measure", result_header], table) + "\n\n"
            + figures["one_to_many"] + "\n\n"
            "One-to-many: the network sees only the class, so the best it can generate (in squared "
            "error) is the class-mean image; the figure puts its images (first column) next to the "
            "class means (second) and two real test images. A blurred class mean is the right answer "
            "here, not a failure: nothing in a one-hot class says which of its images to draw. "
            "Fraction of the gap from the mean image (input ignored) to the class-mean image left "
            "open, per seed: " + ", ".join(f"{g:.3f}" for g in generated["gap_fraction"]) + ".\n\n"
            "Unaligned many-to-many (the article's translation example): output t of the reversal is "
            "input 7 - t. The claim faces the sceptic's model, an MLP of about the same size that sees the "
            "whole sequence at once: a recurrent encoder-decoder earns its place only if it does better. The "
            "aligned GRU is shown as a demonstration, not a baseline: it must answer at step t having read only "
            "inputs 1..t, so it cannot know the first three outputs (at best 1/10 of them right by chance)."
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
                claims.compare(rnn2, rnn1, ("2 x SimpleRNN(64)", "1 x SimpleRNN(64)"), margin=DEPTH_MARGIN),
                converged=all(results["2 x SimpleRNN(64)"]["converged"] + results["SimpleRNN(64)"]["converged"])),
            claims.claim(
                "training_time", "ट्रेनिंग में अधिक समय।", "training takes more time",
                f"seconds per epoch (after the first) on {run.dataset}, same data and batch, per seed",
                claims.compare(seconds["SimpleRNN(64)"], seconds["MLP(64)"], ("SimpleRNN(64)", "MLP(64)"),
                               better="higher") if all(seconds.values()) else None,
                reason="one epoch per model: no epoch without tracing was timed"),
        ]

    def draw(self, run, s, m):
        figure, axis = plotting.figure()
        for position, name in enumerate(CLASSIFIERS):
            for seed, (loss, val_loss) in enumerate(zip(m["classifiers"][name]["loss"],
                                                        m["classifiers"][name]["val_loss"])):
                steps = np.arange(1, len(loss) + 1)
                axis.plot(steps, loss, color=f"C{position}", alpha=0.5, label=f"{name} training" if not seed else None)
                axis.plot(steps[:len(val_loss)], val_loss, color=f"C{position}", linestyle="--",
                          label=f"{name} validation" if not seed else None)
        axis.set_xlabel("epoch")
        axis.set_ylabel("cross-entropy (one line per seed, log scale)")
        axis.set_yscale("log")
        axis.set_title(f"Training and validation loss on {run.dataset}, images as sequences of rows")
        axis.legend(fontsize=7)
        return {"training_curves": (figure, "training and validation loss: MLP, one and two SimpleRNN layers")}

    def write(self, run, s, m, figures):
        results = m["classifiers"]
        table = []
        for name in CLASSIFIERS:
            seconds = [t for t in results[name]["epoch_seconds"] if t is not None]
            table.append([name, f"{results[name]['params']:,}", tables.mean_se(results[name]["accuracy"]),
                          ", ".join(f"{a:.3f}" for a in results[name]["accuracy"]),
                          ", ".join(str(len(l)) for l in results[name]["loss"]),
                          f"{sum(results[name]['converged'])} of {len(results[name]['converged'])}",
                          tables.mean_se(seconds) if seconds else "one epoch only"])
        final = ", ".join(f"{name} {np.mean([l[-1] for l in results[name]['loss']]):.3g}" for name in CLASSIFIERS)
        return (
            "Same data, optimiser and epochs as section 2; one named variant against one, over seeds "
            f"{s['seeds']}. Seconds per epoch are the median of the epochs after the first (which "
            "includes tracing), on a CPU shared with other jobs.\n\n"
            + tables.markdown_table(["model", "parameters", tables.se_header("test accuracy", s["seeds"]),
                                     "per seed", "epochs run", "converged", tables.se_header("s / epoch", s["seeds"])],
                                    table)
            + "\n\n" + figures["training_curves"] + "\n\n"
            f"The curves show how fast each model fits the training images (solid; final training loss, mean "
            f"over seeds: {final}) and whether the fit carries over to the validation images (dashed). A model "
            "counts as converged when early stopping ended its training or its validation loss had levelled "
            "off; a comparison involving one that had not is `inconclusive (not converged)`."
        )
