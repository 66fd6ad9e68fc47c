"""Article 003: greedy layer-wise pre-training (RBMs, DBN, stacked autoencoders).

Part 1 trains RBMs with CD-1, CD-k and PCD-1 and measures their test
log-likelihood by AIS. Part 2 tests the article's claims: a deep sigmoid MLP
trained (a) from random initialisation, (b) after DBN pre-training, (c) after
stacked denoising-autoencoder pre-training, and (d) DBN-pre-trained and frozen
(only the softmax trains), over several seeds and label fractions, plus the
per-layer gradient norms at the start of fine-tuning.

Profiles: ``smoke`` (seconds, tests), ``default`` (minutes on 2 CPU cores,
digits), ``full`` (the papers' sizes: 784-500-500-2000 DBN, 500-hidden RBM
with CD-25 and the 14,501-temperature AIS schedule; for MNIST on a GPU).
"""

import math
import time

import keras
import matplotlib
import numpy as np
import tensorflow as tf

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tfdl import pretraining  # noqa: E402
from tfdl.models import DBN, RBM  # noqa: E402
from tfdl.runner import markdown_table  # noqa: E402

REFERENCES = [
    ["DBN 784-500-500-2000, fine-tuned (Hinton et al. 2006)", "MNIST", "test error 1.15-1.25%"],
    ["DBN, Theano deep-learning tutorials", "MNIST", "test error 1.34%"],
    ["Stacked denoising autoencoders, Theano tutorials", "MNIST", "test error 1.3%"],
    ["MLP, Theano tutorials", "MNIST", "test error 1.65%"],
    ["RBM 500 hidden, CD-25, AIS (Salakhutdinov & Murray 2008)", "MNIST", "test log-likelihood -86.34 nats"],
]
VARIANTS = ("random init", "DBN + fine-tune", "SAE + fine-tune", "DBN frozen")


def _grid(images, side, columns=8):
    rows = math.ceil(len(images) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns, rows))
    for ax, image in zip(np.ravel(axes), images):
        ax.imshow(np.reshape(image, (side, side)), cmap="gray")
    for ax in np.ravel(axes):
        ax.axis("off")
    return fig


def _train_rbms(run, x, x_valid, x_test, side):
    hidden = run.by_profile(smoke=16, default=64, full=500)
    k = run.by_profile(smoke=3, default=10, full=25)
    epochs = run.num_epochs(smoke=2, default=30, full=100)
    num_betas = run.by_profile(smoke=300, default=3000, full=14501)
    settings = {"CD-1": dict(k=1), f"CD-{k}": dict(k=k), "PCD-1": dict(k=1, persistent=True)}
    rows, histories, models = [], {}, {}
    for name, kwargs in settings.items():
        with run.strategy.scope():
            rbm = RBM(hidden, seed=run.seed, **kwargs)
            rbm.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5))
        start = time.perf_counter()
        history = rbm.fit(x, epochs=epochs, batch_size=20, validation_data=(x_valid,), verbose=0)
        seconds = time.perf_counter() - start
        ais = rbm.log_partition("ais", num_betas=num_betas, num_runs=100, seed=run.seed, data=x)
        test_ll = float(np.mean(rbm.log_prob(x_test, log_z=ais.log_z)))
        row = {
            "test_log_likelihood_nats": test_ll,
            "log_z_ais": float(ais.log_z),
            "log_z_lower": float(ais.lower),
            "log_z_upper": float(ais.upper),
            "train_seconds": seconds,
        }
        if min(rbm.n_visible, hidden) <= 20:
            row["log_z_exact"] = float(rbm.log_partition("exact"))
        run.metrics.setdefault("rbm", {})[name] = row
        rows.append([name, test_ll, float(ais.log_z), f"[{float(ais.lower):.2f}, {float(ais.upper):.2f}]",
                     row.get("log_z_exact", "n/a (> 20 units)"), seconds])
        histories[name], models[name] = history.history, rbm

    best = models["PCD-1"]
    run.save_figure(_grid(np.transpose(best.kernel.numpy())[:32], side), "rbm_filters")
    samples = best.sample(16, steps=run.by_profile(smoke=20, default=1000, full=1000), seed=run.seed)
    run.save_figure(_grid(np.asarray(samples), side), "rbm_samples")
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.5))
    for name, history in histories.items():
        axes[0].plot(history["reconstruction"], label=name)
        axes[1].plot(history["pseudo_ll"], label=name)
        axes[2].plot(np.subtract(history["val_free_energy"], history["free_energy"]), label=name)
    for ax, title in zip(axes, ["reconstruction cross-entropy", "pseudo-log-likelihood", "free energy gap (valid - train)"]):
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.legend()
    run.save_figure(fig, "rbm_curves")
    table = markdown_table(
        ["training", "test log-lik (nats)", "log Z (AIS)", "log Z +-3 std", "log Z exact", "train s"], rows
    )
    return table, hidden, k, epochs, num_betas


def _mlp(units, n_in, num_classes, seed):
    initializer = keras.initializers.GlorotUniform(seed=seed)
    return keras.Sequential(
        [keras.Input((n_in,))]
        + [keras.layers.Dense(u, activation="sigmoid", kernel_initializer=initializer) for u in units]
        + [keras.layers.Dense(num_classes, activation="softmax", kernel_initializer=initializer)]
    )


def _gradient_norms(model, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
    kernels = [layer.kernel for layer in model.layers]
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


def _labelled_subset(x, y, fraction, seed, min_rows):
    rng = np.random.default_rng(seed)
    index = rng.permutation(len(x))[: max(10, round(fraction * len(x)))]
    repeats = max(1, math.ceil(min_rows / len(index)))
    return np.tile(x[index], (repeats, 1)), np.tile(y[index], repeats), len(index)


def _compare(run, x, y, x_test, y_test):
    units = run.by_profile(smoke=(16, 16), default=(64, 64, 64), full=(500, 500, 2000))
    seeds = [run.seed + i for i in range(run.by_profile(smoke=1, default=3, full=5))]
    fractions = run.by_profile(smoke=(1.0,), default=(1.0, 0.1, 0.01), full=(1.0, 0.1, 0.01))
    pre_epochs = run.num_epochs(smoke=1, default=20, full=50)
    fine_epochs = run.num_epochs(smoke=1, default=30, full=100)
    num_classes = int(y.max()) + 1
    errors = {(v, f): [] for v in VARIANTS for f in fractions}
    norms = {"random init": [], "DBN + fine-tune": []}
    seconds = {"DBN pre-training": 0.0, "SAE pre-training": 0.0, "fine-tuning (one model)": []}
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        with run.strategy.scope():
            dbn = DBN(units, seed=seed)
            sae = pretraining.StackedAutoencoder(units, corruption=0.2, seed=seed)
        start = time.perf_counter()
        dbn.pretrain(x, epochs=pre_epochs, batch_size=20, seed=seed,
                     optimizer=lambda: keras.optimizers.SGD(0.05, momentum=0.5))
        seconds["DBN pre-training"] += (time.perf_counter() - start) / len(seeds)
        start = time.perf_counter()
        sae.pretrain(x, epochs=pre_epochs, batch_size=20, optimizer=lambda: keras.optimizers.Adam(1e-3))
        seconds["SAE pre-training"] += (time.perf_counter() - start) / len(seeds)
        for fraction in fractions:
            x_l, y_l, num_labels = _labelled_subset(x, y, fraction, seed, len(x))
            for variant in VARIANTS:
                keras.utils.set_random_seed(seed)
                with run.strategy.scope():
                    if variant == "random init":
                        model = _mlp(units, x.shape[1], num_classes, seed)
                    elif variant == "SAE + fine-tune":
                        model = sae.to_classifier(num_classes)
                    else:
                        model = dbn.to_classifier(num_classes, freeze=variant == "DBN frozen")
                    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
                                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                if fraction == 1.0 and variant in norms:
                    norms[variant].append(_gradient_norms(model, x[:256], y[:256]))
                start = time.perf_counter()
                model.fit(x_l, y_l, epochs=fine_epochs, batch_size=32, verbose=0)
                seconds["fine-tuning (one model)"].append(time.perf_counter() - start)
                accuracy = model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"]
                errors[(variant, fraction)].append(100.0 * (1.0 - accuracy))
    seconds["fine-tuning (one model)"] = float(np.mean(seconds["fine-tuning (one model)"]))
    return units, seeds, fractions, pre_epochs, fine_epochs, errors, norms, seconds


def _verdict(better, spread_ok):
    return "held" if better and spread_ok else ("not held" if not better else "inconclusive (within spread)")


def reproduce(run):
    size = run.by_profile(smoke=300, default=None, full=None)
    x, y = (a[:size] for a in run.load("train", binarize="threshold", flatten=True, with_labels=True))
    x_valid = run.load("valid", binarize="threshold", flatten=True)
    x_test, y_test = run.load("test", binarize="threshold", flatten=True, with_labels=True)
    side = int(math.isqrt(x.shape[1]))

    rbm_table, hidden, k, rbm_epochs, num_betas = _train_rbms(run, x, x_valid, x_test, side)
    units, seeds, fractions, pre_epochs, fine_epochs, errors, norms, seconds = _compare(run, x, y, x_test, y_test)

    rows, summary = [], {}
    for (variant, fraction), values in errors.items():
        mean, std = float(np.mean(values)), float(np.std(values))
        summary[f"{variant} @ {fraction:g}"] = {"mean_error_pct": mean, "std_error_pct": std, "errors_pct": values}
        rows.append([variant, f"{100 * fraction:g}%", mean, std, len(values)])
    run.metrics["comparison"] = summary
    norm_means = {v: np.mean(n, axis=0) for v, n in norms.items()}
    run.metrics["gradient_norms_at_start"] = {v: n.tolist() for v, n in norm_means.items()}
    run.metrics["seconds"] = seconds

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for variant, values in norm_means.items():
        ax.semilogy(range(1, len(values) + 1), values, marker="o", label=variant)
    ax.set_xlabel("layer (1 = bottom, last = softmax)")
    ax.set_ylabel("||dL/dW|| at start")
    ax.legend()
    run.save_figure(fig, "gradient_norms")
    fig, ax = plt.subplots(figsize=(7, 3.5))
    width = 0.8 / len(VARIANTS)
    for i, variant in enumerate(VARIANTS):
        means = [np.mean(errors[(variant, f)]) for f in fractions]
        stds = [np.std(errors[(variant, f)]) for f in fractions]
        ax.bar(np.arange(len(fractions)) + i * width, means, width, yerr=stds, label=variant)
    ax.set_xticks(np.arange(len(fractions)) + 0.4 - width / 2, [f"{100 * f:g}% labels" for f in fractions])
    ax.set_ylabel("test error %")
    ax.legend(fontsize=7)
    run.save_figure(fig, "test_error")

    def stats(variant, fraction):
        values = errors[(variant, fraction)]
        return float(np.mean(values)), float(np.std(values))

    claims = []
    for fraction in fractions:
        (r_mean, r_std), (d_mean, d_std), (s_mean, s_std) = (
            stats("random init", fraction), stats("DBN + fine-tune", fraction), stats("SAE + fine-tune", fraction)
        )
        best_mean, best_std, best_name = min((d_mean, d_std, "DBN"), (s_mean, s_std, "SAE"))
        claims.append([
            f"pre-training gives better generalisation than random init ({100 * fraction:g}% labels)",
            f"random {r_mean:.2f}+-{r_std:.2f}% vs DBN {d_mean:.2f}+-{d_std:.2f}%, SAE {s_mean:.2f}+-{s_std:.2f}%",
            _verdict(best_mean < r_mean, r_mean - best_mean > max(r_std, best_std)),
        ])
    ratio = {v: n[0] / n[-1] for v, n in norm_means.items()}
    claims.append([
        "pre-training reduces vanishing gradients",
        f"bottom/top gradient-norm ratio at start: random {ratio['random init']:.3g}, DBN {ratio['DBN + fine-tune']:.3g}",
        "held" if ratio["DBN + fine-tune"] > ratio["random init"] else "not held",
    ])
    f_mean, f_std = stats("DBN frozen", fractions[0])
    d_mean, d_std = stats("DBN + fine-tune", fractions[0])
    claims.append([
        "without fine-tuning the model is not optimal (limit)",
        f"frozen {f_mean:.2f}+-{f_std:.2f}% vs fine-tuned {d_mean:.2f}+-{d_std:.2f}% (100% labels)",
        _verdict(f_mean > d_mean, f_mean - d_mean > max(f_std, d_std)),
    ])
    pre_cost = seconds["DBN pre-training"]
    claims.append([
        "pre-training is computationally costly (limit)",
        f"DBN pre-training {pre_cost:.1f} s, SAE {seconds['SAE pre-training']:.1f} s vs "
        f"{seconds['fine-tuning (one model)']:.1f} s per fine-tuning run",
        "held" if pre_cost > seconds["fine-tuning (one model)"] else "not held on this small data",
    ])
    claims.append(["rarely needed for modern CNNs/Transformers (limit)", "not measured here", "not tested"])
    run.metrics["claims"] = [{"claim": c, "measured": m, "verdict": v} for c, m, v in claims]
    held = sum(v == "held" for _, _, v in claims)
    run.summarize(f"pretraining: {held}/{len(claims)} claims held; errors {({k: round(v['mean_error_pct'], 2) for k, v in summary.items()})}")

    return f"""# Greedy layer-wise pre-training: RBMs, DBN, stacked autoencoders

Article 003 (Hindi): train layer 1, keep its weights, train each next layer on
the previous layer's output `h_i = f(W_i h_(i-1) + b_i)`, then fine-tune all
layers together (or hold the pre-trained ones fixed). Everything below was
measured on the data set named in the header; the reference numbers are the
papers' and are on MNIST.

## 1. RBMs: CD-1, CD-{k} and PCD-1

{hidden} hidden units, {rbm_epochs} epochs, batch 20, SGD(0.05, momentum 0.5).
Test log-likelihood = mean of -F(v) - log Z with log Z by AIS ({num_betas}
temperatures, 100 runs, base-rate RBM from the training-data means).

{rbm_table}

Figures: `rbm_filters.png` (PCD-1 filters), `rbm_samples.png` (Gibbs samples),
`rbm_curves.png` (reconstruction, pseudo-log-likelihood, free-energy gap).

## 2. The article's comparison

Sigmoid MLP {"-".join(map(str, units))}, softmax on top; SGD(0.1, momentum 0.9),
{fine_epochs} epochs of fine-tuning (a small labelled subset is repeated to the
size of the training set, so every run takes the same number of updates);
pre-training {pre_epochs} epochs per layer on all training images without
labels (DBN: CD-1 RBMs; SAE: denoising autoencoders, 20% masking noise, Adam).
Random init is Glorot-uniform (Keras' default). Seeds: {seeds}. Test error in %.
Every variant gets the same fixed budget of plain SGD updates and no tuning or
early stopping, so this measures the article's setting (a deep sigmoid net
trained by backpropagation), not the best error reachable on this data; a
better-tuned random-init baseline (more epochs, ReLUs, Adam) was not tried.

{markdown_table(["variant", "labels", "test error % (mean)", "std", "seeds"], rows)}

Per-layer gradient norms ||dL/dW|| at the start of fine-tuning (bottom first,
softmax last; mean over seeds):

{markdown_table(["variant"] + [f"layer {i + 1}" for i in range(len(units) + 1)],
                [[v] + [float(n) for n in values] for v, values in norm_means.items()])}

## Claims

{markdown_table(["article claim", "measured", "held?"], claims)}

## Reference numbers (papers, MNIST — not this data set)

{markdown_table(["model", "data", "reported"], REFERENCES)}
"""
