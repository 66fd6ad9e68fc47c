"""Reproduction: autoregressive models (NADE, MADE, then PixelCNN/PixelRNN).

Article 000, "Auto-Regressive Models (NADE, MADE, PixelRNN)". It factorises
P(x) = prod_i P(x_i | x_<i) and presents NADE (exact log-likelihood, easy
sampling), MADE (masks so each output sees only earlier inputs; parallel,
GPU-friendly, deep) and PixelRNN. Sections follow the article's order; the
pixel models' sections come from ``autoregressive_pixels.py`` beside this script.

Every model trains by maximum likelihood on the run's binarised data set
(``run.load(binarize="threshold", flatten=True)``; digits by default) with early
stopping on the validation split, and is scored by ``tfdl.evaluate.nll`` on
the test split.
"""

import itertools
import math
import time
from pathlib import Path

import keras
import matplotlib
import numpy as np
import tensorflow as tf

from tfdl.evaluate import nll
from tfdl.models import MADE, NADE
from tfdl.runner import load_file, markdown_table

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PAPERS = [  # binarized MNIST test NLL, nats
    ("NADE (Larochelle & Murray 2011), 500 hidden", 88.33),
    ("MADE (Germain et al. 2015), 1 hidden layer, 1 mask", 88.40),
    ("MADE (Germain et al. 2015), 2 hidden layers, 32 masks", 86.64),
]


def _data(run):
    return {split: run.load(split, binarize="threshold", flatten=True) for split in ("train", "valid", "test")}


def _optimizer(run):
    """Adam for the CPU profiles; the MADE paper's Adagrad(0.01) for ``full``."""
    return run.by_profile(
        smoke=keras.optimizers.Adam(1e-2),
        default=keras.optimizers.Adam(3e-3),
        full=keras.optimizers.Adagrad(0.01),
    )


def _train(run, model, data):
    """Fits with early stopping on ``valid``; returns (history, test nll dict, seconds)."""
    epochs = run.num_epochs(smoke=2, default=100, full=1000)
    patience = run.by_profile(smoke=1, default=10, full=30)
    model.compile(optimizer=_optimizer(run))
    start = time.perf_counter()
    history = model.fit(
        data["train"],
        validation_data=(data["valid"],),
        epochs=epochs,
        batch_size=100,
        callbacks=[
            keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
        ],
        verbose=0,
    ).history
    seconds = time.perf_counter() - start
    return history, nll(model, data["test"]), seconds


def _sample_grid(samples, title):
    side = math.isqrt(samples.shape[1])
    rows = math.isqrt(len(samples))
    figure, axes = plt.subplots(rows, rows, figsize=(rows, rows))
    for axis, image in zip(axes.flat, samples):
        axis.imshow(image.reshape(side, side), cmap="gray", vmin=0, vmax=1)
        axis.axis("off")
    figure.suptitle(title)
    return figure


def _curves(histories, title):
    figure, axis = plt.subplots(figsize=(6, 4))
    for name, history in histories.items():
        line, = axis.plot(history["loss"], label=f"{name} train")
        axis.plot(history["val_loss"], "--", color=line.get_color(), label=f"{name} valid")
    axis.set_xlabel("epoch")
    axis.set_ylabel("NLL (nats)")
    axis.set_title(title)
    axis.legend()
    return figure


def _record(run, key, label, result, seconds, epochs):
    run.metrics[key] = {**result, "train_seconds": round(seconds, 2), "epochs": epochs}
    run.summarize(f"{label}: test NLL {result['nats']:.2f} nats ({result['bits_per_dim']:.4f} bits/dim)")
    return [label, result["nats"], result["stderr_nats"], result["bits_per_dim"], epochs, seconds]


RESULT_HEADERS = ["model", "test NLL (nats)", "± s.e.", "bits/dim", "epochs", "train s"]


def _all_binary(dim):
    return np.array(list(itertools.product([0, 1], repeat=dim)), "float32")


def nade_section(run):
    """Trains NADE; reports NLL, samples, curves and the article's NADE claims."""
    data = _data(run)
    dim = data["train"].shape[1]
    with run.strategy.scope():
        # the paper's 500 hidden units in ``full``; 100 keeps the CPU profile to minutes
        model = NADE(dim, hidden_units=run.by_profile(smoke=16, default=100, full=500))
    history, result, seconds = _train(run, model, data)
    row = _record(run, "nade", f"NADE {model.hidden_units} hidden", result, seconds, len(history["loss"]))
    start = time.perf_counter()
    samples = model.sample(100, seed=run.seed).numpy()
    sample_seconds = time.perf_counter() - start
    run.save_figure(_sample_grid(samples, "NADE samples"), "nade_samples")
    run.save_figure(_curves({"NADE": history}, "NADE training"), "nade_curves")
    tiny = NADE(10, 16)
    total = float(np.exp(tiny.log_prob(_all_binary(10)).numpy().astype(np.float64)).sum())
    run.metrics["nade"].update(sample_seconds_100=sample_seconds, normalisation_sum_d10=total)
    claims = [
        ["NADE computes the exact log-likelihood",
         f"sum of exp(log_prob) over all 2^10 vectors of a 10-dim NADE = {total:.7f}",
         "yes" if abs(total - 1) < 1e-5 else "no"],
        ["NADE makes sample generation easy",
         f"100 samples of {dim} dims in {sample_seconds:.2f} s (one compiled loop of {dim} steps)",
         "yes"],
    ]
    return (
        "## NADE\n\n"
        f"{markdown_table(RESULT_HEADERS, [row])}\n\n"
        "![NADE samples](nade_samples.png) ![NADE training](nade_curves.png)\n\n",
        claims,
    )


def made_section(run, nade_nats=None):
    """Trains MADE with 1 mask and an ensemble; reports NLL, samples, curves, claims."""
    data = _data(run)
    dim = data["train"].shape[1]
    settings = {
        "1 mask": dict(
            hidden_units=run.by_profile(smoke=(16,), default=(500,), full=(8000,)), num_masks=1
        ),
        "ensemble": dict(
            hidden_units=run.by_profile(smoke=(16, 16), default=(500, 500), full=(8000, 8000)),
            num_masks=run.by_profile(smoke=2, default=8, full=32),
            order="random",
        ),
    }
    rows, histories, models = [], {}, {}
    for name, kwargs in settings.items():
        with run.strategy.scope():
            model = MADE(dim, seed=run.seed, **kwargs)
        history, result, seconds = _train(run, model, data)
        label = f"MADE {'x'.join(map(str, model.hidden_units))}, {model.num_masks} mask{'s' * (model.num_masks > 1)}"
        rows.append(_record(run, f"made_{name.replace(' ', '_')}", label, result, seconds, len(history["loss"])))
        histories[label], models[name] = history, model
        run.save_figure(
            _sample_grid(model.sample(100, seed=run.seed).numpy(), f"{label} samples"),
            f"made_{name.replace(' ', '_')}_samples",
        )
    run.save_figure(_curves(histories, "MADE training"), "made_curves")

    ensemble = models["ensemble"]
    x = tf.constant(data["test"][:8])
    x_test = tf.constant(data["test"])
    leaks = []
    for k in range(ensemble.num_masks):
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = ensemble(x, mask_index=k)
        jacobian = np.abs(tape.batch_jacobian(logits, x).numpy())
        positions = ensemble.orders[k]
        leaks.append(jacobian[:, positions[None, :] >= positions[:, None]].max())
    one_pass = tf.function(lambda: ensemble(x_test, mask_index=0), autograph=False)
    one_pass = min(_seconds(one_pass) for _ in range(3))
    sampling = min(_seconds(lambda: ensemble.sample(len(x_test), seed=0, num_masks=1)) for _ in range(3))
    by_masks = [nll(ensemble, data["test"], num_masks=k)["nats"] for k in (1, ensemble.num_masks)]
    made_1, made_k = (run.metrics[f"made_{n.replace(' ', '_')}"]["nats"] for n in settings)
    run.metrics["made_ensemble"].update(
        max_forbidden_gradient=float(max(leaks)), nll_first_mask_only=by_masks[0]
    )
    claims = [
        ["MADE's masks make each output depend only on earlier inputs",
         f"max abs(d logit_i / d x_j) over order(j) >= order(i), all {ensemble.num_masks} masks of the "
         f"trained ensemble, 8 test images: {max(leaks):.1g}",
         "yes" if max(leaks) == 0 else "no"],
        ["MADE computes all conditionals in parallel (one pass)",
         f"all {dim} conditionals of the {len(x_test)} test images in one compiled pass: "
         f"{1e3 * one_pass:.1f} ms; drawing {len(x_test)} samples "
         f"needs {dim} sequential passes: {1e3 * sampling:.1f} ms",
         "yes" if one_pass < sampling else "no"],
        ["MADE is an advanced form of NADE",
         f"test NLL: NADE {nade_nats:.2f}, MADE 1 mask {made_1:.2f}, MADE ensemble {made_k:.2f} nats"
         if nade_nats is not None else f"MADE 1 mask {made_1:.2f}, ensemble {made_k:.2f} nats",
         "n/a" if nade_nats is None else ("yes" if min(made_1, made_k) <= nade_nats else "no")],
        ["Deep MADE networks are useful (masks over several layers, ensembles)",
         f"ensemble with all {ensemble.num_masks} masks {by_masks[1]:.2f} nats vs its first mask "
         f"alone {by_masks[0]:.2f} vs 1-layer 1-mask MADE {made_1:.2f}",
         "yes" if by_masks[1] <= min(by_masks[0], made_1) else "no"],
    ]
    return (
        "## MADE\n\n"
        "The ensemble trains with a new order and new connectivity at each step, cycling through "
        "its fixed mask sets (Germain et al. 2015); its log-likelihood is the exact mixture "
        "log (1/K) sum_k p_k(x).\n\n"
        f"{markdown_table(RESULT_HEADERS, rows)}\n\n"
        "![MADE training](made_curves.png) ![MADE samples](made_1_mask_samples.png) "
        "![MADE ensemble samples](made_ensemble_samples.png)\n\n",
        claims,
    )


def _seconds(fn):
    start = time.perf_counter()
    np.asarray(fn())
    return time.perf_counter() - start


def reproduce(run):
    nade_text, nade_claims = nade_section(run)
    made_text, made_claims = made_section(run, run.metrics["nade"]["nats"])
    ours = [
        [f"{label} (ours, {run.dataset}, profile {run.profile})", run.metrics[key]["nats"]]
        for label, key in [("NADE", "nade"), ("MADE 1 mask", "made_1_mask"), ("MADE ensemble", "made_ensemble")]
    ]
    papers = [[f"{name} — paper, binarized MNIST", value] for name, value in PAPERS]
    body = (
        "# Autoregressive models: NADE, MADE, PixelCNN/PixelRNN\n\n"
        "Each model factorises p(x) = prod_i p(x_i | x_<i) and is trained by maximum likelihood; "
        "test NLL in nats per image (lower is better).\n\n"
        f"{nade_text}{made_text}"
        "## Papers' numbers next to ours\n\n"
        "The papers' numbers are on 28x28 binarized MNIST; ours are on the data set named in each row "
        "and are not comparable in absolute value (different dimension and data).\n\n"
        f"{markdown_table(['model', 'test NLL (nats)'], papers + ours)}\n\n"
        "## Claims\n\n"
        f"{markdown_table(['claim from the article', 'what we measured', 'held?'], nade_claims + made_claims)}\n"
    )
    # PixelCNN and PixelRNN: the article's last part, in the script beside this one.
    pixels = Path(__file__).with_name("autoregressive_pixels.py")
    return body + "\n" + load_file(pixels).pixel_sections(run)
