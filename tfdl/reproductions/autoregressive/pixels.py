"""Section 5: PixelCNN and PixelRNN (Row LSTM, Diagonal BiLSTM) on binary images.

The three models train by maximum likelihood on the run's binarised images
(``run.load(binarize="threshold")``; 8x8 digits by default, a subset of a 28x28
data set with smaller models and fewer epochs in ``default``), are scored with
``tfdl.evaluate.nll`` on the test split, and their sampling is timed against
one forward pass. Dependency maps by gradients show which input pixels each
output pixel sees.
"""

import keras
import numpy as np
import tensorflow as tf

from tfdl import claims, plotting, tables
from tfdl.evaluate import independent_pixels_nll, nll
from tfdl.models import PixelCNN, PixelRNN
from tfdl.report import Section
from tfdl.reproductions.autoregressive.density import (LEARNED_FRACTION, against_independent, converged, fitness,
                                                       timings)
from tfdl.reproductions.autoregressive.figures import dependency_maps, training_curves
from tfdl.reproductions.autoregressive.refs import sections
from tfdl.timing import Timer

# van den Oord et al. 2016, Table 4: test NLL in nats on 28x28 binarized MNIST, with the paper's models.
PAPERS = {"pixelcnn": 81.30, "row_lstm": 80.54, "diagonal_bilstm": 79.20}
LOCAL_GLOBAL = "यह मॉडल इमेज में स्थानीय (local) और वैश्विक (global) निर्भरता दोनों को सीखता है।"
PAPER_MODELS = {"pixelcnn": "the paper's MNIST PixelCNN", "row_lstm": "the paper's MNIST Row LSTM",
                "diagonal_bilstm": "7 layers of 16 units"}
NAMES = {"pixelcnn": "PixelCNN", "row_lstm": "PixelRNN Row LSTM", "diagonal_bilstm": "PixelRNN Diagonal BiLSTM"}


def pixel_settings(run):
    """Sizes per profile, and for ``default`` per image size (8x8 or 28x28)."""
    pick = run.by_size
    return {
        "train_size": pick(64, None, 2000, None), "valid_size": pick(64, None, 500, None),
        "test_size": pick(64, None, 1000, None),
        "epochs": run.epochs_by_size(1, 15, 3, 200), "patience": pick(None, 5, 3, 20),
        "learning_rate": pick(1e-3, 1e-3, 2e-3, 1e-4),
        "cnn": pick(dict(filters=8, num_residual=1, num_head=1), dict(filters=64, num_residual=4, num_head=2),
                    dict(filters=32, num_residual=2, num_head=1), dict(filters=128, num_residual=7, num_head=2)),
        "rnn": pick(dict(num_layers=1, units=4), dict(num_layers=2, units=32), dict(num_layers=1, units=16),
                    dict(num_layers=7, units=16)),
        "num_samples": run.at_most(pick(2, 16, 8, 16)),
    }


def architecture(key, s):
    """A model's size in words: PixelCNN's filters and blocks, a PixelRNN's layers and units."""
    if key == "pixelcnn":
        cnn = s["cnn"]
        return (f"PixelCNN: {cnn['filters']} filters, {cnn['num_residual']} residual blocks, {cnn['num_head']} "
                "1x1 ReLU layer(s) before the output")
    return f"{NAMES[key]}: {s['rnn']['num_layers']} layer(s) of {s['rnn']['units']} units"


def pixel_images(run):
    """Binary training, validation and test images ``[n, h, w, 1]`` (loaded once per run)."""
    s = pixel_settings(run)
    sizes = {"train": s["train_size"], "valid": s["valid_size"], "test": s["test_size"]}
    return run.cached("binary pixel images", lambda: {
        split: run.load(split, binarize="threshold")[:size] for split, size in sizes.items()})


def build_models(run, s, image_shape):
    """The three models with the run's sizes.

    ``full`` follows the paper's MNIST setting for the PixelRNNs (7 layers of
    16 units, the 79.20-nats Diagonal BiLSTM) and a 128-filter PixelCNN with 7
    residual blocks (the paper gives no MNIST PixelCNN details); the paper
    trained with RMSProp, we use Adam.
    """
    return {
        "pixelcnn": PixelCNN(input_shape=image_shape, seed=run.seed, **s["cnn"]),
        "row_lstm": PixelRNN(input_shape=image_shape, kind="row_lstm", seed=run.seed, **s["rnn"]),
        "diagonal_bilstm": PixelRNN(input_shape=image_shape, kind="diagonal_bilstm", seed=run.seed, **s["rnn"]),
    }


def dependency_map(model, x, r, c):
    """``|d sum_k output[r, c, k] / d x|`` summed over images and channels: ``[H, W]``."""
    x = tf.convert_to_tensor(x, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        selected = tf.reduce_sum(model(x)[:, r, c, :])
    return np.abs(tape.gradient(selected, x).numpy()).sum(axis=(0, 3))


def per_image_seconds(fn, num, repeats=3):
    """Median seconds per image of ``fn()`` over ``repeats`` calls after one untimed call."""
    return float(np.median(timings(lambda i: fn(), repeats))) / num


def _fit_one(run, s, key, model, x):
    run.progress(f"{NAMES[key]} ({model.count_params():,} parameters), up to {s['epochs']} epochs on "
                 f"{len(x['train'])} images")
    keras.utils.set_random_seed(run.seed)
    callbacks = [] if s["patience"] is None else [
        keras.callbacks.EarlyStopping(patience=s["patience"], restore_best_weights=True)]
    with Timer() as timer:
        history = model.fit(x["train"], epochs=s["epochs"], batch_size=32, validation_data=(x["valid"],),
                            callbacks=callbacks, verbose=run.verbose).history
    num = s["num_samples"]
    sample_seconds = per_image_seconds(lambda: model.sample(num, seed=run.seed), num)
    samples = np.asarray(model.sample(num, seed=run.seed))
    forward = tf.function(lambda: model(x["test"][:num]), autograph=False, jit_compile=True)
    stopped = bool(callbacks) and callbacks[0].stopped_epoch > 0
    result = {**nll(model, x["test"]), "parameters": int(model.count_params()), "epochs": len(history["loss"]),
              "converged": converged(history["val_loss"], stopped),
              "train_seconds": timer.seconds, "sample_seconds_per_image": sample_seconds,
              "forward_seconds_per_image": per_image_seconds(forward, num)}
    return result, history, samples


def _train_all(run):
    s, x = pixel_settings(run), pixel_images(run)
    # PixelCNN's and PixelRNN's `seed` seeds their sampler only: their initial weights come from the
    # global random state when the layers are made, set here so that a section run alone matches
    keras.utils.set_random_seed(run.seed)
    with run.strategy.scope():
        models = build_models(run, s, x["train"].shape[1:])
        for model in models.values():
            # smoke: a few steps, run eagerly rather than spend seconds compiling them
            model.compile(optimizer=keras.optimizers.Adam(s["learning_rate"]), run_eagerly=run.profile == "smoke")
    results, histories, samples = {}, {}, {}
    for key, model in models.items():
        results[key], histories[key], samples[key] = _fit_one(run, s, key, model, x)
    return {"models": models, "results": results, "histories": histories, "samples": samples}


def trained_pixels(run):
    """PixelCNN, Row LSTM and Diagonal BiLSTM, trained once per run, with their results."""
    return run.cached("pixel models", lambda: _train_all(run))


def samples_figure(samples):
    num = len(next(iter(samples.values())))
    shape = next(iter(samples.values())).shape[1:3]
    return plotting.image_grid(np.concatenate([samples[key][..., 0] for key in samples]), shape, rows=len(samples),
                               row_labels=[NAMES[key].replace("PixelRNN ", "") for key in samples],
                               column_labels=[f"#{c + 1}" for c in range(num)],
                               title="Samples (rows: model; columns: sample number)")


def later_pixels(height, width, r, c):
    """``[H, W]`` True at pixel ``(r, c)`` and every pixel after it in raster order."""
    order = np.arange(height * width).reshape(height, width)
    return order >= order[r, c]


def dependence(maps, later):
    """Pixels at or after the probed one, and before it, with a nonzero gradient, per map."""
    return {key: {"later_pixels_seen": int(np.count_nonzero(value[later])),
                  "earlier_pixels_seen": int(np.count_nonzero(value[~later]))} for key, value in maps.items()}


class Pixels(Section):
    """PixelCNN and the two PixelRNNs: likelihood, sampling against one pass, dependency maps."""

    name = "pixels"
    title = "PixelRNN and PixelCNN"

    def settings(self, run):
        return {**pixel_settings(run), "probe_images": run.at_most(16)}

    def measure(self, run, s):
        trained, x = trained_pixels(run), pixel_images(run)
        height, width = x["train"].shape[1:3]
        run.progress("dependency maps by gradients")
        r, c = height // 2, width // 2
        probes = x["test"][: s["probe_images"]]
        maps = {key: dependency_map(model, probes, r, c) for key, model in trained["models"].items()}
        last = {key: dependency_map(model, probes, height - 1, width - 1) for key, model in trained["models"].items()}
        coverage = {key: float(np.count_nonzero(value.ravel()[:-1]) / (height * width - 1))
                    for key, value in last.items()}
        baseline = independent_pixels_nll(x["train"], x["test"])
        return {**trained["results"], "independent_pixels": baseline,
                "fitness": fitness({key: [trained["results"][key]] for key in NAMES}, baseline["nats"]),
                "dependency": {"pixel": [r, c], **dependence(maps, later_pixels(height, width, r, c)),
                               "last_pixel_coverage": coverage},
                "data": {split: len(images) for split, images in x.items()},
                "_maps": maps, "_histories": trained["histories"], "_samples": trained["samples"],
                "_shape": (height, width)}

    def judge(self, run, s, m):
        dependency, (r, c) = m["dependency"], m["dependency"]["pixel"]
        coverage = dependency["last_pixel_coverage"]
        return [
            claims.check(
                "previous_pixels", "each output pixel of the masked PixelCNN and both PixelRNNs sees only earlier "
                "pixels",
                f"input pixels at or after ({r},{c}) with a nonzero gradient of output ({r},{c}), most over "
                + ", ".join(NAMES.values()),
                claims.bound(max(dependency[key]["later_pixels_seen"] for key in NAMES), 0,
                             "pixels at or after it seen")),
            claims.check(
                "local_global", "the Diagonal BiLSTM's receptive field is every earlier pixel",
                "share of the earlier pixels the last pixel's logit depends on (gradient); "
                + ", ".join(f"{NAMES[k]} {coverage[k]:.0%}" for k in NAMES),
                claims.bound(coverage["diagonal_bilstm"], 1.0, "Diagonal BiLSTM share", below=False)),
            claims.claim(
                "learns_dependencies", LOCAL_GLOBAL,
                "PixelRNN learns the dependencies between pixels (the Diagonal BiLSTM against independent pixels)",
                f"test NLL (nats), Diagonal BiLSTM vs the independent-pixel model, one training run; criterion "
                f"margin {LEARNED_FRACTION:.0%} of its NLL",
                **against_independent([m["diagonal_bilstm"]["nats"]], m["independent_pixels"]["nats"],
                                      m["fitness"]["diagonal_bilstm"]["converged"], NAMES["diagonal_bilstm"])),
            claims.claim(
                "paper_order", "(PixelRNN paper, not the article) Diagonal BiLSTM < Row LSTM < PixelCNN in test NLL",
                "the papers' order of the three models",
                "test NLL (nats), one training run each: " + ", ".join(f"{NAMES[k]} {m[k]['nats']:.2f}" for k in NAMES),
                None, reason="one training seed per model on this budget: an order from single runs is not judged"),
            claims.claim(
                "realism", "PixelRNN ने इमेज जनरेशन में वास्तविकता (realism) का नया स्तर स्थापित किया।",
                "PixelRNN set a new level of realism in image generation", f"samples in {sections('pixels')}", None,
                reason="realism needs a perceptual measure or human judges, neither of which is run here"),
        ]

    def draw(self, run, s, m):
        r, c = m["dependency"]["pixel"]
        return {"pixel_training_curves": (training_curves(m["_histories"], "Pixel models: training curves", NAMES,
                                                          size=(5.5, 3.6)), "pixel models' training curves"),
                "pixel_samples": (samples_figure(m["_samples"]), "samples of the pixel models"),
                "pixel_dependency": (dependency_maps(m["_maps"], NAMES, (r, c), s["probe_images"]),
                                     "dependency of one output pixel on the input")}

    def write(self, run, s, m, figures):
        return "\n\n".join([self._setup(run, s, m), self._table(run, s, m), self._sequential(s, m),
                            figures["pixel_training_curves"], (
            "Training (solid) and validation (dashed) NLL per epoch. Where a validation curve flattens while the "
            "training curve still falls, the model has started to fit the training images rather than the "
            "distribution."), figures["pixel_samples"], (
            f"{s['num_samples']} samples per model (rows), drawn pixel by pixel with each model's cached sampler "
            f"(`model.sample`), seed {run.seed}: the same uniform numbers drive every model's draws, so where two "
            "models' conditionals agree, so do their pixels."), "### Each output pixel sees only earlier pixels",
            figures["pixel_dependency"], self._dependency(s, m)])

    def _setup(self, run, s, m):
        height, width = m["_shape"]
        data = m["data"]
        stopping = "" if s["patience"] is None else f", early stopping on the validation NLL (patience {s['patience']})"
        return (
            f"Binary {height}x{width} images of `{run.dataset}` ({data['train']} training, {data['valid']} "
            f"validation, {data['test']} test images); per-pixel Bernoulli conditionals in raster order (row by "
            "row, left to right: the article's \"row-wise scan\"), trained by maximum likelihood (Adam "
            f"{s['learning_rate']:g}, batch 32, up to {s['epochs']} epochs{stopping}). Sizes: "
            f"{architecture('pixelcnn', s)}; {architecture('row_lstm', s)}; {architecture('diagonal_bilstm', s)}"
            + (" (chosen so that the whole article runs in minutes on a 2-core CPU; whether each converged is in "
               "the table)" if run.profile == "default" and height > 8 else "")
            + ". Both PixelRNNs use LSTM units as the paper does (the article's \"LSTM/GRU\"; tfdl has no GRU "
            "variant). The papers' numbers are on 28x28 binarized MNIST, labelled as such; ours are on the data "
            "named here and are not comparable in absolute value.")

    def _table(self, run, s, m):
        side = m["_shape"][0]
        rows = [[NAMES[key], f"{PAPERS[key]:.2f} ({PAPER_MODELS[key]})", architecture(key, s),
                 f"{m[key]['nats']:.2f} ± {m[key]['stderr_nats']:.2f}", m[key]["bits_per_dim"],
                 m["fitness"][key]["status"], "yes" if m[key]["converged"] else "no",
                 f"{m[key]['parameters']:,}", m[key]["epochs"], m[key]["train_seconds"],
                 1e3 * m[key]["forward_seconds_per_image"], 1e3 * m[key]["sample_seconds_per_image"],
                 m[key]["sample_seconds_per_image"] / m[key]["forward_seconds_per_image"]] for key in NAMES]
        return tables.markdown_table(
            ["model", "paper NLL (nats; binarized MNIST 28x28, the paper's model)", "ours: architecture",
             f"ours: NLL (nats) ± s.e. over test images, one seed, {run.dataset} {side}x{side}", "bits/dim",
             f"against independent pixels ({m['independent_pixels']['nats']:.2f} nats)", "converged",
             "parameters", "epochs", "train s", "forward ms/image", "sampling ms/image", "sampling / forward"], rows)

    def _sequential(self, s, m):
        dim, num = m["_shape"][0] * m["_shape"][1], s["num_samples"]
        ratios = ", ".join(f"{NAMES[k]} {m[k]['sample_seconds_per_image'] / m[k]['forward_seconds_per_image']:.2g}"
                           for k in NAMES)
        return (
            f"The last three columns put the article's \"sequential\" output in numbers. One forward pass gives "
            f"all {dim} conditionals of an image at once (that is how the likelihood is computed); sampling has "
            f"{dim} dependent steps, one per pixel, each waiting for the pixel before it. tfdl's samplers keep "
            f"every layer's activations in caches (Ramachandran et al. 2017), so the {dim} steps together do about "
            f"one forward pass of arithmetic: here, drawing {num} images takes {ratios} times as long as one "
            f"forward pass over {num} images (both compiled by XLA). Without caches every step is a whole forward "
            f"pass: MADE's sampler in {sections('sampling')} is such a loop.")

    def _dependency(self, s, m):
        dependency, (r, c) = m["dependency"], m["dependency"]["pixel"]
        coverage = dependency["last_pixel_coverage"]
        return (
            f"Gradient of the output at pixel ({r},{c}) with respect to every input pixel, summed over "
            f"{s['probe_images']} test images. The masked PixelCNN and both PixelRNNs have exactly zero gradient "
            f"at ({r},{c}) and after it (below and right of the red line): pixels at or after ({r},{c}) seen: "
            + ", ".join(f"{NAMES[k]} {dependency[k]['later_pixels_seen']}" for k in NAMES)
            + ". Local and global: the last pixel's logit depends on "
            + ", ".join(f"{NAMES[k]} {coverage[k]:.0%}" for k in NAMES)
            + " of the earlier pixels. The Diagonal BiLSTM sees all of them; the Row LSTM's field is a triangle "
            "above the pixel, and PixelCNN's grows by a fixed number of pixels per layer.")
