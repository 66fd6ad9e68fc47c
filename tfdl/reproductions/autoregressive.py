"""Reproduction of article 000: autoregressive models (NADE, MADE, PixelRNN).

In the article's order: the factorisation P(x) = prod_i P(x_i | x_<i); NADE
(its equation next to the one implemented, exact log-likelihood, easy
sampling, a deterministic alternative to RBMs: against an RBM of the same
size on the same data); MADE (masks, one parallel feed-forward pass against
NADE's recursion, deep against shallow, the mask ensemble); PixelRNN and the
article's Conv2D snippet (``autoregressive_pixels.py`` beside this script);
the applications, of which time-series forecasting is run
(``autoregressive_series.py``); and the article's table of autoregressive
against other generative models, measured against tfdl's own VAE. Every claim
is judged by ``tfdl.claims`` with a criterion fixed below, one named variant
against one, over several seeds where seeds vary.

Binary data: ``run.load(binarize="threshold", flatten=True)``. NADE and MADE
train by maximum likelihood with early stopping on the validation split and
are scored by ``tfdl.evaluate.nll`` on the test split (exact); the RBM trains
by CD-k and is scored with an AIS estimate of log Z; the VAE by its
importance-weighted bound.

Profiles: ``smoke`` (seconds, tests), ``default`` (minutes on 2 CPU cores;
settings per image size: all of 8x8 digits, or a 5,000-image subset of a
28x28 data set with 200 hidden units and at most 15 epochs), ``full`` (500
hidden units as in the NADE paper, the MADE paper's Adagrad; for a GPU).
"""

import itertools
import math
import time
import types
from pathlib import Path

import keras
import matplotlib
import numpy as np
import tensorflow as tf

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tfdl import claims  # noqa: E402
from tfdl.evaluate import nll  # noqa: E402
from tfdl.models import MADE, NADE, RBM, VAE  # noqa: E402
from tfdl.models.vae import dense_pair  # noqa: E402
from tfdl.runner import load_file, markdown_table  # noqa: E402

PAPERS = [  # binarized MNIST test NLL, nats
    ("NADE (Larochelle & Murray 2011), 500 hidden", 88.33),
    ("RBM 500 hidden, CD-25, AIS (Salakhutdinov & Murray 2008)", 86.34),
    ("MADE (Germain et al. 2015), 1 hidden layer, 1 mask", 88.40),
    ("MADE (Germain et al. 2015), 2 hidden layers, 32 masks", 86.64),
]

# Criteria, fixed before the run ---------------------------------------------------------
# Test NLL in nats per image: half a nat (0.7 bits per image) is the smallest
# difference called real; seed-to-seed noise is judged separately (2 standard errors).
NLL_MARGIN = 0.5
# Timings are compared in log10 seconds: a factor of 2 (0.301), beyond the
# run-to-run noise of a shared CPU; repeats of one measurement stand in for seeds.
SPEED_MARGIN = math.log10(2.0)
# sum_x p(x) over all 2^10 binary vectors, in float32: 1 within 1e-5.
NORMALISATION_TOLERANCE = 1e-5
# A VAE's bound is looser than its importance-weighted estimate when their
# difference exceeds 3 standard errors over the test images.
GAP_STANDARD_ERRORS = 3.0

NADE_, MADE_, DEEP, ENSEMBLE, RBM_, VAE_ = "NADE", "MADE", "deep MADE", "MADE ensemble", "RBM", "VAE"
MADES = (MADE_, DEEP, ENSEMBLE)


def settings(run):
    """The run's sizes: per profile, and for ``default`` per image size (8x8 or 28x28)."""
    pick = run.by_size

    return types.SimpleNamespace(
        train_size=pick(200, None, 5000, None),
        valid_size=pick(100, None, 1000, None),
        test_size=pick(100, None, 2000, None),
        hidden=pick(16, 100, 200, 500),
        num_masks=pick(2, 8, 8, 32),
        latent=pick(2, 8, 16, 32),
        seeds=run.num_seeds(pick(1, 3, 3, 3)),
        epochs=run.epochs_by_size(2, 100, 15, 1000),
        patience=pick(1, 10, 3, 30),
        batch=100,
        learning_rate=pick(1e-2, 3e-3, 3e-3, None),
        rbm_k=pick(2, 10, 5, 25),  # CD-k: CD-25 in Salakhutdinov & Murray (2008)
        ais_betas=run.at_most(pick(100, 3000, 1000, 14501)),
        ais_runs=run.at_most(100),
        ais_seeds=run.at_most(pick(2, 3, 3, 3)),
        gibbs_steps=run.at_most(pick(20, 1000, 1000, 1000)),
        iwae_samples=run.at_most(pick(10, 1000, 1000, 1000)),
        iwae_images=run.at_most(pick(50, None, 500, None)),
        num_samples=run.at_most(pick(4, 100, 20, 100)),
        repeats=run.at_most(pick(3, 5, 5, 5)),
        mask_images=run.at_most(8),  # test images of the mask-gradient check
    )


def _optimizer(s):
    """Adam for the CPU profiles; the MADE paper's Adagrad(0.01) for ``full``."""
    if s.learning_rate is None:
        return keras.optimizers.Adagrad(0.01)
    return keras.optimizers.Adam(s.learning_rate)


def _seconds(fn):
    start = time.perf_counter()
    np.asarray(fn())
    return time.perf_counter() - start


def _timings(fn, repeats):
    """Seconds of ``repeats`` calls of ``fn`` after one untimed call (tracing, compiling)."""
    fn(0)
    return [_seconds(lambda: fn(i + 1)) for i in range(repeats)]


def _log10(values):
    return [math.log10(v) for v in values]


def _all_binary(dim):
    return np.array(list(itertools.product([0, 1], repeat=dim)), "float32")


# ----- 1. NADE: its equation, exact likelihood ---------------------------------------------
def _normalisation(seed):
    """sum_x over all 2^10 binary vectors of a 10-input NADE: the model's p(x) and the article's product."""
    states = _all_binary(10)
    tiny = NADE(10, 16, seed=seed)
    implemented = float(np.exp(tiny.log_prob(states).numpy().astype(np.float64)).sum())
    logits = tiny(states).numpy().astype(np.float64)
    article = float(np.exp(-np.logaddexp(0.0, -logits).sum(axis=1)).sum())  # prod_n sigmoid(logit_n)
    return implemented, article


# ----- 2-3. Training NADE, MADE, RBM, VAE over seeds ---------------------------------------
def _models(s, dim, seed):
    """The four maximum-likelihood models of one seed, built."""
    models = {
        NADE_: NADE(dim, s.hidden, seed=seed),
        MADE_: MADE(dim, (s.hidden,), seed=seed),
        DEEP: MADE(dim, (s.hidden, s.hidden), seed=seed),
        ENSEMBLE: MADE(dim, (s.hidden, s.hidden), num_masks=s.num_masks, order="random", seed=seed),
    }
    for model in models.values():
        model.build((None, dim))
    return models


def _fit(run, s, model, x):
    """Maximum likelihood with early stopping on ``valid``; returns (history, seconds)."""
    with run.strategy.scope():
        model.compile(optimizer=_optimizer(s))
    start = time.perf_counter()
    history = model.fit(
        x["train"], validation_data=(x["valid"],), epochs=s.epochs, batch_size=s.batch,
        callbacks=[keras.callbacks.EarlyStopping(patience=s.patience, restore_best_weights=True)],
        verbose=run.verbose,
    ).history
    return history, time.perf_counter() - start


def _fit_rbm(run, s, seed, x):
    """CD-k RBM with NADE's hidden size, data, batch and epoch budget; test NLL by AIS."""
    with run.strategy.scope():
        rbm = RBM(s.hidden, k=s.rbm_k, seed=seed, monitor=())
        rbm.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5))
    start = time.perf_counter()
    rbm.fit(x["train"], epochs=s.epochs, batch_size=s.batch, verbose=run.verbose)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    log_z = rbm.log_partition("ais", num_betas=s.ais_betas, num_runs=s.ais_runs, seed=0, data=x["train"],
                              verbose=run.verbose)
    result = nll(rbm, x["test"], log_z=log_z)
    result["evaluation_seconds"] = time.perf_counter() - start
    return rbm, {**result, "train_seconds": seconds, "epochs": s.epochs, "log_z": float(log_z[0])}


def _train_all(run, s, x):
    """NADE, the three MADEs and the RBM for each seed; returns results and the first seed's models."""
    dim = x["train"].shape[1]
    results, first = {name: [] for name in (NADE_, *MADES, RBM_)}, {}
    histories = {}
    for i in range(s.seeds):
        seed = run.seed + i
        with run.strategy.scope():
            models = _models(s, dim, seed)
        for name, model in models.items():
            run.section(f"2-3. seed {seed}: {name} ({_weights(model):,} weights), up to {s.epochs} epochs")
            keras.utils.set_random_seed(seed)
            history, seconds = _fit(run, s, model, x)
            start = time.perf_counter()
            result = nll(model, x["test"])
            result["evaluation_seconds"] = time.perf_counter() - start
            results[name].append({**result, "train_seconds": seconds, "epochs": len(history["loss"]),
                                  "epoch_seconds": seconds / len(history["loss"])})
            if i == 0:
                first[name], histories[name] = model, history
        run.section(f"2. seed {seed}: RBM {s.hidden} hidden, CD-{s.rbm_k}, {s.epochs} epochs, "
                    f"AIS {s.ais_betas} temperatures")
        keras.utils.set_random_seed(seed)
        rbm, result = _fit_rbm(run, s, seed, x)
        results[RBM_].append(result)
        if i == 0:
            first[RBM_] = rbm
    return results, first, histories


def _fit_vae(run, s, x):
    """tfdl's VAE with a one-hidden-layer MLP of NADE's width; NLL by the IWAE bound."""
    dim = x["train"].shape[1]
    run.section(f"7. VAE: {dim}-{s.hidden}-{s.latent} MLP encoder/decoder, up to {s.epochs} epochs")
    keras.utils.set_random_seed(run.seed)
    with run.strategy.scope():
        encoder, decoder = dense_pair((dim,), latent_dim=s.latent, hidden=(s.hidden,))
        vae = VAE(encoder, decoder, likelihood="bernoulli", seed=run.seed)
    history, seconds = _fit(run, s, vae, x)
    images = x["test"][: s.iwae_images]
    run.section(f"7. VAE: importance-weighted log-likelihood, k = {s.iwae_samples}, {len(images)} test images")
    progress = keras.utils.Progbar(len(images), verbose=run.verbose, unit_name="image")
    log_p = []
    for start in range(0, len(images), 100):  # 100 images at a time, for the progress bar
        log_p.append(np.asarray(vae.log_prob(images[start:start + 100], num_samples=s.iwae_samples, seed=start)))
        progress.update(min(start + 100, len(images)))
    log_p = np.concatenate(log_p).astype(np.float64)
    elbo = np.asarray(vae.elbo(images, seed=0), np.float64)
    gap = log_p - elbo
    result = {"nats": float(-log_p.mean()), "stderr_nats": float(log_p.std(ddof=1) / math.sqrt(len(log_p))),
              "elbo_nats": float(-elbo.mean()), "bound_gap_nats": float(gap.mean()),
              "bound_gap_stderr": float(gap.std(ddof=1) / math.sqrt(len(gap))),
              "num_examples": len(images), "train_seconds": seconds, "epochs": len(history["loss"])}
    return vae, result


def _leaks(model, x):
    """Largest |d logit_i / d x_j| over pairs with order(j) >= order(i), every mask set: [masks]."""
    x = tf.constant(x)
    leaks = []
    for k in range(model.num_masks):
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = model(x, mask_index=k)
        jacobian = np.abs(tape.batch_jacobian(logits, x).numpy())
        positions = model.orders[k]
        leaks.append(float(jacobian[:, positions[None, :] >= positions[:, None]].max()))
    return leaks


# ----- figures -----------------------------------------------------------------------------
def _curves(run, histories):
    figure, axis = plt.subplots(figsize=(6.5, 4))
    for name, history in histories.items():
        epochs = np.arange(1, len(history["loss"]) + 1)
        line, = axis.plot(epochs, history["loss"], "o-", ms=2, label=f"{name} train")
        axis.plot(epochs, history["val_loss"], "o--", ms=2, color=line.get_color(), label=f"{name} validation")
    axis.set_xlabel("epoch")
    axis.set_ylabel("NLL (nats per image)")
    axis.set_title(f"Training curves, seed {run.seed}")
    axis.legend(fontsize=7)
    return run.save_figure(figure, "training_curves", "training and validation NLL per epoch")


def _nll_figure(run, results, vae_result):
    names = list(results)
    figure, axis = plt.subplots(figsize=(7, 3.8))
    for i, name in enumerate(names):
        values = [r["nats"] for r in results[name]]
        axis.bar(i, np.mean(values), color="lightgray")
        axis.plot([i] * len(values), values, "ko", ms=4, label="one seed" if i == 0 else None)
    axis.bar(len(names), vae_result["nats"], color="lightblue", label=f"{VAE_} (IWAE bound, one seed)")
    axis.set_xticks(range(len(names) + 1), [*names, VAE_], fontsize=8)
    axis.set_ylabel("test NLL (nats per image)")
    low = min(min(r["nats"] for r in rs) for rs in results.values())
    axis.set_ylim(0.9 * low, None)
    axis.set_title("Test NLL per model (bars: mean over seeds; RBM by AIS, VAE by its bound)")
    axis.legend(fontsize=7)
    return run.save_figure(figure, "test_nll", "test NLL per model and seed")


def _samples_figure(run, samples):
    columns = len(next(iter(samples.values())))
    side = math.isqrt(next(iter(samples.values())).shape[1])
    figure, axes = plt.subplots(len(samples), columns, figsize=(columns * 0.75, len(samples) * 0.85))
    for row, (name, images) in enumerate(samples.items()):
        for column in range(columns):
            axis = axes[row, column]
            axis.imshow(images[column].reshape(side, side), cmap="gray_r", vmin=0, vmax=1)
            axis.set_xticks([]), axis.set_yticks([])
            if row == 0:
                axis.set_title(f"#{column + 1}", fontsize=7)
        axes[row, 0].set_ylabel(name, fontsize=6, rotation=0, ha="right", va="center")
    figure.suptitle(f"Samples (rows: model; columns: sample number), seed {run.seed}", fontsize=9)
    return run.save_figure(figure, "samples", "samples of every model")


def _timing_figure(run, times, passes):
    names = list(times)
    figure, axis = plt.subplots(figsize=(7, 3.8))
    for i, name in enumerate(names):
        axis.plot([i] * len(times[name]), np.multiply(times[name], 1e3), "o", ms=5)
    axis.set_xticks(range(len(names)), [f"{n}\n({passes[n]})" for n in names], fontsize=7)
    axis.set_yscale("log")
    axis.set_ylabel("ms per sampled image (log scale)")
    axis.set_title("Sampling time per image, one dot per timed repeat")
    return run.save_figure(figure, "sampling_time", "sampling time per image")


# ----- report ------------------------------------------------------------------------------
def _mean(results, name, key="nats"):
    return float(np.mean([r[key] for r in results[name]]))


def _values(results, name, key="nats"):
    return [r[key] for r in results[name]]


def _weights(model):
    """Number of trainable weights (MADE's mask counter and fixed masks are not weights)."""
    return int(sum(np.prod(v.shape) for v in model.trainable_variables))


def _result_rows(results, models, dim):
    rows = []
    for name, values in results.items():
        nats = [r["nats"] for r in values]
        rows.append([
            name, f"{_weights(models[name]):,}", np.mean(nats),
            np.std(nats, ddof=1) if len(nats) > 1 else "-", np.mean(nats) / (dim * math.log(2)),
            np.mean([r["epochs"] for r in values]), _mean(results, name, "train_seconds"),
            _mean(results, name, "evaluation_seconds"),
        ])
    return rows


def reproduce(run):
    s = settings(run)
    table = run.claims()
    run.section("0. data")
    sizes = {"train": s.train_size, "valid": s.valid_size, "test": s.test_size}
    x = {split: run.load(split, binarize="threshold", flatten=True)[:size] for split, size in sizes.items()}
    dim = x["train"].shape[1]
    side = math.isqrt(dim)

    run.section("1. NADE's equation: normalisation over all 2^10 binary vectors")
    implemented, article = _normalisation(run.seed)
    run.metrics["normalisation_d10"] = {"implemented": implemented, "article_formula": article}

    results, models, histories = _train_all(run, s, x)
    vae, vae_result = _fit_vae(run, s, x)
    run.metrics.update({name: values for name, values in results.items()}, vae=vae_result,
                       weights={name: _weights(model) for name, model in {**models, VAE_: vae}.items()})

    run.section("2. determinism: NADE evaluated twice, RBM's AIS with other seeds")
    nade, rbm = models[NADE_], models[RBM_]
    repeat = np.abs(np.asarray(nade.log_prob(x["test"])) - np.asarray(nade.log_prob(x["test"]))).max()
    ais_nats = [
        nll(rbm, x["test"], log_z=rbm.log_partition("ais", num_betas=s.ais_betas, num_runs=s.ais_runs, seed=k,
                                                    data=x["train"], verbose=run.verbose))["nats"]
        for k in range(s.ais_seeds)
    ]
    run.metrics["determinism"] = {"nade_repeat_max_abs_diff": float(repeat), "rbm_nll_by_ais_seed": ais_nats}

    run.section("3. MADE: masks (gradients), one pass against NADE's recursion")
    leaks = {name: _leaks(models[name], x["test"][: s.mask_images]) for name in MADES}
    passes = {}
    for name in (NADE_, MADE_):
        one_pass = tf.function(lambda m=models[name]: m(x["test"]), autograph=False)
        passes[name] = _timings(lambda i: one_pass(), s.repeats)
    run.metrics["made_checks"] = {"max_forbidden_gradient": leaks, "one_pass_seconds": passes}

    run.section(f"4. sampling {s.num_samples} images per model, {s.repeats} timed repeats")
    n, rbm_name = s.num_samples, f"{RBM_} ({s.gibbs_steps} Gibbs)"
    samplers = {
        NADE_: lambda i, n=n: nade.sample(n, seed=i),
        MADE_: lambda i, n=n: models[MADE_].sample(n, seed=i),
        rbm_name: lambda i, n=n: rbm.sample(n, steps=s.gibbs_steps, seed=i),
        VAE_: lambda i, n=n: vae.sample(n, seed=i),
    }
    sample_times = {name: [t / n for t in _timings(fn, s.repeats)] for name, fn in samplers.items()}
    sequential = {NADE_: f"{dim} steps", MADE_: f"{dim} passes", rbm_name: f"{s.gibbs_steps} sweeps",
                  VAE_: "1 pass"}
    shown = min(n, 10)  # the deep MADE and the ensemble (K masks per pass) are sampled for the figure only
    samplers[DEEP] = lambda i: models[DEEP].sample(shown, seed=i)
    samplers[ENSEMBLE] = lambda i: models[ENSEMBLE].sample(shown, seed=i)
    samples = {name: np.asarray(samplers[name](run.seed))[:shown]
               for name in (NADE_, MADE_, DEEP, ENSEMBLE, rbm_name, VAE_)}
    run.metrics["sampling_seconds_per_image"] = sample_times

    run.section("4. figures; then the pixel models (5) and forecasting (6)")
    figures = {
        "curves": _curves(run, {name: histories[name] for name in (NADE_, *MADES)}),
        "nll": _nll_figure(run, results, vae_result),
        "samples": _samples_figure(run, samples),
        "timing": _timing_figure(run, sample_times, sequential),
    }
    here = Path(__file__).parent
    _model_claims(table, s, x, results, implemented, repeat, ais_nats, leaks, passes, sample_times, dim)
    pixels = load_file(here / "autoregressive_pixels.py").pixel_sections(run, table)
    series = load_file(here / "autoregressive_series.py").forecasting_section(run, table)
    _comparison_claims(table, s, vae_result, sample_times, dim)
    run.metrics["claims"] = table.rows
    for name in (NADE_, *MADES, RBM_):
        run.summarize(f"{name}: test NLL {_mean(results, name):.2f} nats (mean of {s.seeds} seeds)")
    run.summarize(f"autoregressive: claims {table.counts()}")
    return _report(run, s, x, dim, side, results, models, vae, vae_result, implemented, article, repeat,
                   ais_nats, leaks, passes, sample_times, figures, table, pixels, series)


def _model_claims(table, s, x, results, implemented, repeat, ais_nats, leaks, passes, sample_times, dim):
    """The article's claims about NADE and MADE (sections 1-4), each judged by ``tfdl.claims``."""
    table.add(
        "P(x) = Π P(xᵢ | x₁, x₂, ..., xᵢ₋₁) … ✅ सटीक लॉग-लाइकलीहुड गणना।",
        "NADE computes the exact log-likelihood: its p(x) is a normalised distribution",
        "|sum of NADE's p(x) over all 2^10 binary vectors of a 10-input NADE - 1|",
        claims.bound(abs(implemented - 1.0), NORMALISATION_TOLERANCE, "|sum p(x) - 1|"),
    )
    table.add(
        "यह Restricted Boltzmann Machines (RBMs) का एक डिटर्मिनिस्टिक विकल्प है।",
        "NADE is a deterministic alternative to RBMs (as good a density model, same data and size)",
        f"test NLL (nats), NADE (exact) vs RBM (CD-{s.rbm_k}, AIS log Z), {s.hidden} hidden units each, "
        f"{s.seeds} seeds",
        claims.compare(_values(results, NADE_), _values(results, RBM_), names=(NADE_, RBM_), better="lower",
                       margin=NLL_MARGIN),
    )
    table.add(
        "यह Restricted Boltzmann Machines (RBMs) का एक डिटर्मिनिस्टिक विकल्प है।",
        "NADE is deterministic: its log-likelihood needs no sampling (the RBM's needs AIS)",
        f"largest change of NADE's test log p(x) between two evaluations; the RBM's test NLL moves by "
        f"{max(ais_nats) - min(ais_nats):.3g} nats over {len(ais_nats)} AIS seeds",
        claims.bound(repeat, 0.0, "max |log p(x) - log p(x) again| (nats)"),
    )
    table.add(
        "✅ सैंपल जनरेशन में आसान।",
        "NADE makes sample generation easy (exact samples in D steps, against an RBM's Gibbs chain)",
        f"log10 seconds per sampled image, NADE ({dim} sequential steps, exact) vs RBM "
        f"({s.gibbs_steps} Gibbs sweeps, still approximate), {s.repeats} timed repeats",
        claims.compare(_log10(sample_times[NADE_]), _log10(sample_times[f"{RBM_} ({s.gibbs_steps} Gibbs)"]),
                       names=(NADE_, RBM_), better="lower", margin=SPEED_MARGIN),
    )
    table.add(
        "MADE NADE का उन्नत रूप है …",
        "MADE is an advanced form of NADE (at NADE's size: one hidden layer of as many units)",
        f"test NLL (nats), MADE 1x{s.hidden} (1 mask) vs NADE {s.hidden} hidden (same parameter count), "
        f"{s.seeds} seeds",
        claims.compare(_values(results, MADE_), _values(results, NADE_), names=(MADE_, NADE_), better="lower",
                       margin=NLL_MARGIN),
    )
    worst = max(max(v) for v in leaks.values())
    table.add(
        "… masking technique का उपयोग करता है ताकि प्रत्येक आउटपुट केवल अपने पिछले इनपुट्स पर निर्भर हो। "
        "यह पूरी तरह से feedforward architecture में लागू होता है।",
        "masks make each output depend only on earlier inputs, in a plain feed-forward network",
        f"largest |d logit_i / d x_j| with order(j) >= order(i), trained {', '.join(MADES)} "
        f"(all {s.num_masks} mask sets of the ensemble), {s.mask_images} test images",
        claims.bound(worst, 0.0, "max forbidden gradient"),
    )
    table.add(
        "✅ समानांतर गणना संभव।",
        "MADE computes in parallel: all D conditionals in one masked pass, against NADE's recursion",
        f"log10 seconds of one pass giving all {dim} conditionals of {len(x['test'])} test images, "
        f"MADE 1x{s.hidden} vs NADE {s.hidden} (same parameters and multiply-adds), {s.repeats} timed repeats",
        claims.compare(_log10(passes[MADE_]), _log10(passes[NADE_]), names=(MADE_, NADE_), better="lower",
                       margin=SPEED_MARGIN),
    )
    epoch_ratio = _mean(results, NADE_, "epoch_seconds") / _mean(results, MADE_, "epoch_seconds")
    on_gpu = bool(tf.config.list_physical_devices("GPU"))
    table.add(
        "✅ GPU-अनुकूल प्रशिक्षण।",
        "MADE trains well on a GPU",
        f"seconds per training epoch, MADE vs NADE (same size); on this run's device NADE / MADE = "
        f"{epoch_ratio:.2f}",
        claims.compare(_log10(_values(results, MADE_, "epoch_seconds")),
                       _log10(_values(results, NADE_, "epoch_seconds")), names=(MADE_, NADE_), better="lower",
                       margin=SPEED_MARGIN) if on_gpu else None,
        reason=None if on_gpu else "no GPU in this run: the epoch times are on the CPU",
    )
    table.add(
        "✅ डीप ऑटोरेग्रेसिव नेटवर्क्स के लिए उपयोगी।",
        "MADE is useful for deep autoregressive networks (deep against shallow, one mask each)",
        f"test NLL (nats), MADE 2x{s.hidden} vs MADE 1x{s.hidden}, one mask, natural order, {s.seeds} seeds",
        claims.compare(_values(results, DEEP), _values(results, MADE_), names=(DEEP, MADE_), better="lower",
                       margin=NLL_MARGIN),
    )
    table.add(
        "(MADE paper, not the article) order- and connectivity-agnostic training with several masks",
        "an ensemble of masks beats one mask of the same network",
        f"test NLL (nats), MADE 2x{s.hidden} with {s.num_masks} masks (mixture) vs 1 mask, {s.seeds} seeds",
        claims.compare(_values(results, ENSEMBLE), _values(results, DEEP), names=(ENSEMBLE, DEEP),
                       better="lower", margin=NLL_MARGIN),
    )


def _comparison_claims(table, s, vae_result, sample_times, dim):
    """The article's table (autoregressive against other generative models) and conclusion (section 7)."""
    table.add(
        "| आउटपुट | Sequential (One-by-One) | Parallel |",
        "autoregressive output is sequential, other generative models' parallel: slower sampling",
        f"log10 seconds per sampled image, MADE 1x{s.hidden} ({dim} passes) vs VAE with a "
        f"{s.hidden}-unit decoder (1 pass), {s.repeats} timed repeats",
        claims.compare(_log10(sample_times[MADE_]), _log10(sample_times[VAE_]), names=(MADE_, VAE_),
                       better="higher", margin=SPEED_MARGIN),
    )
    gap, stderr = vae_result["bound_gap_nats"], vae_result["bound_gap_stderr"]
    table.add(
        "| Learning | Maximum Likelihood | Adversarial / Variational |",
        "autoregressive models learn by exact maximum likelihood; a VAE by a variational bound, "
        "looser than its likelihood",
        f"VAE: IWAE-{s.iwae_samples} log p(x) minus ELBO, mean over {vae_result['num_examples']} test images "
        f"(NADE's loss is its exact NLL)",
        claims.bound(gap, 0.0, "bound gap (nats)", below=False, tolerance=GAP_STANDARD_ERRORS * stderr),
    )
    table.add(
        "NADE और MADE जैसे मॉडल्स ने probabilistic modeling को सरल बनाया",
        "NADE and MADE made probabilistic modelling simpler",
        "evaluation time: exact NLL (NADE, MADE) vs AIS (RBM), in the results table",
        None,
        reason="a judgement about the field, not a measurable claim; the results table shows what it rests on",
    )


def _report(run, s, x, dim, side, results, models, vae, vae_result, implemented, article, repeat, ais_nats,
            leaks, passes, sample_times, figures, table, pixels, series):
    rbm_name = f"{RBM_} ({s.gibbs_steps} Gibbs)"
    nade = _mean(results, NADE_)
    ms = {name: 1e3 * float(np.median(values)) for name, values in sample_times.items()}
    one_pass = {name: 1e3 * float(np.median(values)) for name, values in passes.items()}
    headers = ["model", "weights", "test NLL (nats)", "sd over seeds", "bits/dim", "epochs", "train s",
               "NLL evaluation s"]
    rows = _result_rows(results, models, dim)
    rows.append([f"{VAE_} (IWAE k={s.iwae_samples}, {vae_result['num_examples']} images, 1 seed)",
                 f"{_weights(vae):,}", vae_result["nats"], "-",
                 vae_result["nats"] / (dim * math.log(2)), vae_result["epochs"], vae_result["train_seconds"], "-"])
    ours = [[f"{name} (ours, {run.dataset} {side}x{side}, profile {run.profile})", _mean(results, name)]
            for name in (NADE_, RBM_, MADE_, ENSEMBLE)]
    papers = [[f"{name} — paper, binarized MNIST 28x28", value] for name, value in PAPERS]
    epochs_text = f"up to {s.epochs} epochs, early stopping on the validation NLL (patience {s.patience})"
    return f"""# Autoregressive models: NADE, MADE, PixelRNN

Article 000 (Hindi): a model is autoregressive when every variable depends on
the ones before it, `P(x) = Π P(xᵢ | x₁, …, xᵢ₋₁)`, which factorises the whole
distribution sequentially. Everything below was measured on the data set named
above, binarised at 0.5: {len(x['train'])} training, {len(x['valid'])}
validation and {len(x['test'])} test images of {side}x{side} = {dim} pixels.
Test NLL is in nats per image (lower is better), bits/dim beside it. Budget:
{s.hidden} hidden units, at most {s.epochs} epochs, {s.seeds} seed(s) per model{
"; chosen so that the whole article runs in minutes on a 2-core CPU, which leaves these "
"28x28 models far from converged (see the training curves): the claims are judged at this budget"
if run.profile == "default" and side > 8 else ""}.

## 1. NADE's equation: the article's and the one implemented

The article writes

    P(x) = Πₙ σ(Wₙ·hₙ₋₁ + bₙ)

`tfdl.models.NADE` implements Larochelle & Murray (2011):

    h_i = σ(c + Σ_(j<i) W_j x_j)                 (W: D x H input weights, shared by all i)
    p̂_i = p(x_i = 1 | x_<i) = σ(b_i + V_i · h_i)  (V: D x H output weights)
    p(x) = Π_i p̂_i^(x_i) (1 − p̂_i)^(1 − x_i)

They differ in two ways. (1) Each factor of the article's product is
σ(·) = p(x_n = 1 | x_<n), whatever x_n is: the product Πₙ p(xₙ = 1 | x_<n) is
p(x) only when every xₙ is 1. A factor must be p̂_n when x_n = 1 and 1 − p̂_n
when x_n = 0, the Bernoulli likelihood. Summed over all
2^10 binary vectors of a 10-input NADE (random weights, seed {run.seed}), the
implemented p(x) gives {implemented:.7f}; the article's product gives
{article:.4f}, so it is not a distribution. (2) The article uses one weight
Wₙ for the output and leaves hₙ₋₁ undefined: in NADE the hidden vector
h_i is computed from the inputs before i with input weights W shared across
positions (so all D hidden vectors cost O(DH) by a running sum, the paper's
point), and the output has its own weights V. Reading hₙ₋₁ as "the hidden
vector computed from x₁ … xₙ₋₁", the article's dependence structure is
NADE's.

## 2. NADE against an RBM: a deterministic alternative

NADE with {s.hidden} hidden units, and an RBM with {s.hidden} hidden units
(CD-{s.rbm_k}, SGD 0.05 with momentum 0.5, {s.epochs} epochs; CD-25 in Salakhutdinov &
Murray 2008) on the same images, batch {s.batch}, {s.seeds} seeds. NADE has two weight
matrices (W in, V out), the RBM one (W both ways). NADE's test NLL is exact; the RBM's needs
log Z, estimated by annealed importance sampling ({s.ais_betas} temperatures,
{s.ais_runs} runs; AIS tends to underestimate log Z, which makes the RBM look better).
NADE trains with Adam, {epochs_text}.

| | NADE | RBM |
|---|---|---|
| test NLL (nats, mean of seeds) | {nade:.2f} | {_mean(results, RBM_):.2f} |
| training time (s, mean) | {_mean(results, NADE_, 'train_seconds'):.1f} | {_mean(results, RBM_, 'train_seconds'):.1f} |
| NLL evaluation time (s, mean; RBM: AIS included) | {_mean(results, NADE_, 'evaluation_seconds'):.2f} | {_mean(results, RBM_, 'evaluation_seconds'):.2f} |
| the same evaluation again | identical (max difference {repeat:.1g} nats) | {', '.join(f'{v:.2f}' for v in ais_nats)} nats with AIS seeds 0-{len(ais_nats) - 1} |
| sampling (ms per image) | {ms[NADE_]:.2f}, exact, {dim} steps | {ms[rbm_name]:.2f}, {s.gibbs_steps} Gibbs sweeps, approximate |

NADE's hidden units are deterministic functions of the earlier pixels (a
mean-field RBM unrolled in order, the paper's motivation), so its likelihood
is one computation with one answer. The RBM's hidden units are stochastic; its
likelihood is known only through an estimate whose value moves with the AIS
seed, and its samples only through a Markov chain.

## 3. MADE: masks, one pass, depth and ensembles

Three MADEs with natural order unless said: **MADE** 1x{s.hidden} (one hidden
layer of {s.hidden} ReLU units, one mask: exactly NADE's number of weights and
about its multiply-adds, 2·D·H per image), **deep MADE** 2x{s.hidden} (one mask), **MADE
ensemble** 2x{s.hidden} with {s.num_masks} mask sets of random orders and
connectivity, one per training step in turn, evaluated as the exact mixture
log (1/K) Σ_k p_k(x). Same optimiser and early stopping as NADE.

{markdown_table(headers, rows)}

{figures['nll']}

Every model's test NLL, one dot per seed: the spread of the dots is the
seed-to-seed noise the claims' 2-standard-error criterion is up against. The
RBM's bar is an AIS estimate and the VAE's an importance-weighted bound (one
seed), so only NADE's and the MADEs' are exact.

{figures['curves']}

Training (solid) and validation (dashed) NLL per epoch for seed {run.seed}.
The ensemble's training loss is that of the one mask set used at each step,
its validation loss that of the mixture of all {s.num_masks}: it learns
{s.num_masks} orders at once, so its curves fall more slowly than the
single-mask models'. A validation curve that turns up while the training
curve still falls is overfitting; early stopping keeps the weights of the
lowest validation NLL.

**Masks.** The largest gradient of a logit with respect to an input at or
after it in the model's order, over {s.mask_images} test images: MADE {max(leaks[MADE_]):.1g},
deep MADE {max(leaks[DEEP]):.1g}, ensemble (all {s.num_masks} mask sets)
{max(leaks[ENSEMBLE]):.1g}. Exactly zero: each output sees only earlier inputs,
in a plain feed-forward network.

**One pass against NADE's recursion.** All {dim} conditionals of the
{len(x['test'])} test images: MADE 1x{s.hidden} in {one_pass[MADE_]:.1f} ms (two
masked matrix products), NADE {s.hidden} in {one_pass[NADE_]:.1f} ms (a loop of
{dim} dependent steps, each a rank-1 update of the hidden state; compiled by
XLA); medians of {s.repeats} timed repeats after one untimed call. Both do the
same multiply-adds; MADE's come as two large matrix products, which is what
parallel hardware is good at.

## 4. Samples and sampling time

{figures['samples']}

{min(s.num_samples, 10)} samples per model (rows), seed {run.seed}. NADE, the MADEs and
the VAE draw binary pixels; the RBM row shows the visible probabilities after
{s.gibbs_steps} Gibbs sweeps from random states (what `RBM.sample` returns). NADE
and the single-mask MADEs draw pixel i as 1 when a uniform number u_i is below
p(x_i = 1 | x_<i), with the same u from the same seed, so where two models agree
on a conditional their samples agree: similar images across those rows show
similar conditionals, not copying.

{figures['timing']}

Time per image when drawing {s.num_samples} images at once (one dot per timed
repeat; below each name, the sequential network evaluations one image needs).
Medians: {', '.join(f'{name} {value:.3g} ms' for name, value in ms.items())}. An
exact NADE sample costs {ms[NADE_] / ms[rbm_name]:.2g} times an RBM sample after
{s.gibbs_steps} Gibbs sweeps (which is still only approximately from the RBM's
distribution); a MADE sample ({dim} full passes) {ms[MADE_] / ms[VAE_]:.2g} times a
VAE sample (one decoder pass).

{pixels}

{series}

## 7. Autoregressive against other generative models (the article's table)

| parameter | autoregressive (article) | other generative (article) | measured here |
|---|---|---|---|
| output | sequential (one by one) | parallel | sampling: MADE {ms[MADE_]:.3g} ms/image ({dim} passes), NADE {ms[NADE_]:.3g} ms ({dim} steps); VAE {ms[VAE_]:.3g} ms (1 decoder pass) |
| learning | maximum likelihood | adversarial / variational | NADE's loss is its exact NLL ({nade:.2f} nats on test); the VAE trains on the ELBO: {vae_result['elbo_nats']:.2f} nats (-ELBO) against {vae_result['nats']:.2f} (IWAE k={s.iwae_samples}) on {vae_result['num_examples']} test images |
| examples | PixelRNN, NADE, MADE | GANs, VAEs | tfdl's VAE (`tfdl.models.VAE`, `dense_pair`: {dim}-{s.hidden}-{s.latent}); no GAN is trained here |

The VAE decodes a whole image from z in one pass: per image, MADE's sampling
takes {ms[MADE_] / ms[VAE_]:.3g} times as long as the VAE's, with networks of the
same width. But the VAE's log p(x) is only bounded: the ELBO it trains on is {vae_result['bound_gap_nats']:.2f} ±
{vae_result['bound_gap_stderr']:.2f} nats below its own importance-weighted
estimate, itself a lower bound on log p(x).

## Papers' numbers next to ours

The papers' numbers are on 28x28 binarized MNIST; ours are on the data set named
in each row and are not comparable in absolute value (different dimension and data).

{markdown_table(['model', 'test NLL (nats)'], papers + ours)}

## Claims

Each claim is judged by `tfdl.claims` with a criterion fixed before the run:
test NLL differences beyond {NLL_MARGIN} nats and 2 standard errors over
{s.seeds} seeds (at least 3 per side); timings in log10 seconds beyond a
factor of 2 ({SPEED_MARGIN:.3f}) and 2 standard errors over {s.repeats} timed
repeats; exact properties against a bound.

{table.table()}

## Article items

| article item | where |
|---|---|
| AR models predict a value from previous values; each output depends on previous inputs | sections 1, 3 (mask gradients), 5 (pixel dependency maps) |
| 2025: widely used for text, images, time series | not measured (a statement about usage); images in section 5, time series in section 6 |
| `P(x) = Π P(xᵢ \\| x₁…xᵢ₋₁)`, sequential factorisation | every model here; normalisation check in section 1 |
| NADE: neural, learns the distribution by the factorisation | sections 2-4 |
| NADE: deterministic alternative to RBMs | section 2; claims "deterministic alternative" (NLL and determinism) |
| NADE: exact log-likelihood | section 1; claim |
| NADE: easy sampling | sections 2 and 4; claim (against the RBM's Gibbs chain) |
| NADE equation `P(x) = Πₙ σ(Wₙ·hₙ₋₁ + bₙ)` | section 1: quoted, the implemented one beside it, why they differ, measured |
| MADE: advanced NADE, masking, each output on earlier inputs only, feed-forward | section 3; claims |
| MADE: parallel computation | section 3 (one pass against NADE's); claim |
| MADE: GPU-friendly training | claim: judged only when a GPU runs it |
| MADE: useful for deep AR networks | section 3, deep against shallow; mask ensemble separately |
| PixelRNN for images, each pixel from previous pixels, local and global dependencies | section 5; claims |
| Row LSTM, Diagonal BiLSTM | section 5 |
| process: row-wise scan; each pixel from previous outputs; an LSTM/GRU unit | section 5 (raster order, LSTMs; GRU units are not implemented in tfdl's PixelRNN: the paper uses LSTMs) |
| the Conv2D "PixelRNN-like" snippet | section 5: run as written, parameter count, trained, dependency map; claims |
| application: text generation (GPT) | not reproduced: no text model in this article's scope |
| application: image generation (PixelRNN, PixelCNN) | section 5 |
| application: speech synthesis (WaveNet) | not reproduced: no audio data or WaveNet here |
| application: time-series forecasting | section 6; claim |
| table: output sequential vs parallel | section 7; claim (MADE against the VAE) |
| table: maximum likelihood vs adversarial / variational | section 7; claim (the VAE's bound gap) |
| table: examples PixelRNN, NADE, MADE vs GANs, VAEs | sections 2-7; VAE trained, no GAN |
| conclusion: NADE and MADE simplified probabilistic modelling | claim, not judged (why) |
| conclusion: PixelRNN, a new level of realism | claim in section 5, not judged (why) |
| conclusion: in GPT, diffusion models, large vision models | not reproduced: none of them is in this article's scope |
"""
