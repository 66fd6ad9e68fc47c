"""What sections 2-4 and 8 share: binary images, NADE, the MADEs, the RBM and the VAE, trained once per run.

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

import math

import keras
import numpy as np

from tfdl.evaluate import nll
from tfdl.models import MADE, NADE, RBM, VAE
from tfdl.models.vae import dense_pair
from tfdl.timing import Timer, timed

NADE_, MADE_, DEEP, ENSEMBLE, RBM_, VAE_ = "NADE", "MADE", "deep MADE", "MADE ensemble", "RBM", "VAE"
MADES = (MADE_, DEEP, ENSEMBLE)
# Test NLL in nats per image: half a nat (0.7 bits per image) is the smallest
# difference called real; seed-to-seed noise is judged separately (2 standard errors).
NLL_MARGIN = 0.5
# Timings are compared in log10 seconds: a factor of 2 (0.301), beyond the
# run-to-run noise of a shared CPU; repeats of one measurement stand in for seeds.
SPEED_MARGIN = math.log10(2.0)


def density_settings(run):
    """The data and the models' sizes and budgets: per profile, and for ``default`` per image size."""
    pick = run.by_size
    return {
        "train_size": pick(200, None, 5000, None), "valid_size": pick(100, None, 1000, None),
        "test_size": pick(100, None, 2000, None),
        "hidden": pick(16, 100, 200, 500), "num_masks": pick(2, 8, 8, 32), "latent": pick(2, 8, 16, 32),
        "seeds": run.seeds(pick(1, 3, 3, 3)), "epochs": run.epochs_by_size(2, 100, 15, 1000),
        "patience": pick(1, 10, 3, 30), "batch": 100, "learning_rate": pick(1e-2, 3e-3, 3e-3, None),
        "rbm_k": pick(2, 10, 5, 25),  # CD-k: CD-25 in Salakhutdinov & Murray (2008)
        "ais_betas": run.at_most(pick(100, 3000, 1000, 14501)), "ais_runs": run.at_most(100),
    }


def vae_settings(run):
    """The VAE's importance-weighted evaluation (sections 4 and 8)."""
    pick = run.by_size
    return {"iwae_samples": run.at_most(pick(10, 1000, 1000, 1000)),
            "iwae_images": run.at_most(pick(50, None, 500, None))}


def sampling_settings(run):
    """Sampling and timing (sections 2, 4 and 8)."""
    pick = run.by_size
    return {"gibbs_steps": run.at_most(pick(20, 1000, 1000, 1000)),
            "num_samples": run.at_most(pick(4, 100, 20, 100)), "repeats": run.at_most(pick(3, 5, 5, 5))}


def all_settings(run):
    """Everything the shared models and measurements depend on (part of every section's settings that reads them)."""
    return {**density_settings(run), **vae_settings(run), **sampling_settings(run)}


def images(run):
    """Binary training, validation and test images, flattened (loaded once per run)."""
    s = density_settings(run)
    sizes = {"train": s["train_size"], "valid": s["valid_size"], "test": s["test_size"]}
    return run.cached("binary images", lambda: {
        split: run.load(split, binarize="threshold", flatten=True)[:size] for split, size in sizes.items()})


def weights(model):
    """Number of trainable weights (MADE's mask counter and fixed masks are not weights)."""
    return int(sum(np.prod(v.shape) for v in model.trainable_variables))


def log10(values):
    return [math.log10(v) for v in values]


def values(results, name, key="nats"):
    return [r[key] for r in results[name]]


def mean(results, name, key="nats"):
    return float(np.mean(values(results, name, key)))


def timings(fn, repeats):
    """Seconds of ``repeats`` calls of ``fn(i)`` after one untimed call (tracing, compiling)."""
    fn(0)
    return [timed(lambda i=i: np.asarray(fn(i + 1)))[1] for i in range(repeats)]


def optimizer(s):
    """Adam for the CPU profiles; the MADE paper's Adagrad(0.01) for ``full``."""
    if s["learning_rate"] is None:
        return keras.optimizers.Adagrad(0.01)
    return keras.optimizers.Adam(s["learning_rate"])


def fit(run, s, model, x):
    """Maximum likelihood with early stopping on ``valid``; returns (history, seconds)."""
    with run.strategy.scope():
        model.compile(optimizer=optimizer(s))
    with Timer() as timer:
        history = model.fit(
            x["train"], validation_data=(x["valid"],), epochs=s["epochs"], batch_size=s["batch"],
            callbacks=[keras.callbacks.EarlyStopping(patience=s["patience"], restore_best_weights=True)],
            verbose=run.verbose,
        ).history
    return history, timer.seconds


def build_models(s, dim, seed):
    """The four maximum-likelihood models of one seed, built."""
    hidden = s["hidden"]
    models = {
        NADE_: NADE(dim, hidden, seed=seed),
        MADE_: MADE(dim, (hidden,), seed=seed),
        DEEP: MADE(dim, (hidden, hidden), seed=seed),
        ENSEMBLE: MADE(dim, (hidden, hidden), num_masks=s["num_masks"], order="random", seed=seed),
    }
    for model in models.values():
        model.build((None, dim))
    return models


def ais_log_z(run, s, rbm, x, seed=0):
    """The RBM's log Z by AIS (``s``'s temperatures and runs), base rates from the training images."""
    return rbm.log_partition("ais", num_betas=s["ais_betas"], num_runs=s["ais_runs"], seed=seed,
                             data=x["train"], verbose=run.verbose)


def fit_rbm(run, s, seed, x):
    """CD-k RBM with NADE's hidden size, data, batch and epoch budget; test NLL by AIS."""
    with run.strategy.scope():
        rbm = RBM(s["hidden"], k=s["rbm_k"], seed=seed, monitor=())
        rbm.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5))
    with Timer() as training:
        rbm.fit(x["train"], epochs=s["epochs"], batch_size=s["batch"], verbose=run.verbose)
    with Timer() as evaluation:
        log_z = ais_log_z(run, s, rbm, x)
        result = nll(rbm, x["test"], log_z=log_z)
    return rbm, {**result, "evaluation_seconds": evaluation.seconds, "train_seconds": training.seconds,
                 "epochs": s["epochs"], "log_z": float(log_z[0])}


def _fit_seed(run, s, x, seed):
    """NADE, the three MADEs and the RBM of one seed: ``(results, models, histories)``."""
    with run.strategy.scope():
        models = build_models(s, x["train"].shape[1], seed)
    results, histories = {}, {}
    for name, model in models.items():
        run.progress(f"seed {seed}: {name} ({weights(model):,} weights), up to {s['epochs']} epochs")
        keras.utils.set_random_seed(seed)
        history, seconds = fit(run, s, model, x)
        with Timer() as evaluation:
            result = nll(model, x["test"])
        results[name] = {**result, "evaluation_seconds": evaluation.seconds, "train_seconds": seconds,
                         "epochs": len(history["loss"]), "epoch_seconds": seconds / len(history["loss"])}
        histories[name] = history
    run.progress(f"seed {seed}: RBM {s['hidden']} hidden, CD-{s['rbm_k']}, {s['epochs']} epochs, "
                 f"AIS {s['ais_betas']} temperatures")
    keras.utils.set_random_seed(seed)
    models[RBM_], results[RBM_] = fit_rbm(run, s, seed, x)
    return results, models, histories


def _train_all(run):
    s, x = density_settings(run), images(run)
    results, first, histories = {name: [] for name in (NADE_, *MADES, RBM_)}, {}, {}
    for i, seed in enumerate(s["seeds"]):
        seed_results, models, seed_histories = _fit_seed(run, s, x, seed)
        for name, result in seed_results.items():
            results[name].append(result)
        if i == 0:
            first, histories = models, seed_histories
    return {"results": results, "models": first, "histories": histories}


def trained(run):
    """NADE, the three MADEs and the RBM for each seed (trained once per run):
    ``{"results": {name: [per seed]}, "models": first seed's, "histories": first seed's}``."""
    return run.cached("density models", lambda: _train_all(run))


def _fit_vae(run):
    """tfdl's VAE with a one-hidden-layer MLP of NADE's width; NLL by the IWAE bound."""
    s, v, x = density_settings(run), vae_settings(run), images(run)
    dim = x["train"].shape[1]
    run.progress(f"VAE: {dim}-{s['hidden']}-{s['latent']} MLP encoder/decoder, up to {s['epochs']} epochs")
    keras.utils.set_random_seed(run.seed)
    with run.strategy.scope():
        encoder, decoder = dense_pair((dim,), latent_dim=s["latent"], hidden_units=(s["hidden"],))
        vae = VAE(encoder, decoder, likelihood="bernoulli", seed=run.seed)
    history, seconds = fit(run, s, vae, x)
    test = x["test"][: v["iwae_images"]]
    run.progress(f"VAE: importance-weighted log-likelihood, k = {v['iwae_samples']}, {len(test)} test images")
    progress = keras.utils.Progbar(len(test), verbose=run.verbose, unit_name="image")
    log_p = []
    for start in range(0, len(test), 100):  # 100 images at a time, for the progress bar
        log_p.append(np.asarray(vae.log_prob(test[start:start + 100], num_samples=v["iwae_samples"], seed=start)))
        progress.update(min(start + 100, len(test)))
    log_p = np.concatenate(log_p).astype(np.float64)
    elbo = np.asarray(vae.elbo(test, seed=0), np.float64)
    gap = log_p - elbo
    result = {"nats": float(-log_p.mean()), "stderr_nats": float(log_p.std(ddof=1) / math.sqrt(len(log_p))),
              "elbo_nats": float(-elbo.mean()), "bound_gap_nats": float(gap.mean()),
              "bound_gap_stderr": float(gap.std(ddof=1) / math.sqrt(len(gap))),
              "num_examples": len(test), "train_seconds": seconds, "epochs": len(history["loss"]),
              "weights": weights(vae)}
    return vae, result


def trained_vae(run):
    """The VAE and its IWAE result (trained once per run)."""
    return run.cached("vae", lambda: _fit_vae(run))


def _sample_all(run):
    p, models, vae = sampling_settings(run), trained(run)["models"], trained_vae(run)[0]
    n, rbm_name = p["num_samples"], f"{RBM_} ({p['gibbs_steps']} Gibbs)"
    samplers = {
        NADE_: lambda i: models[NADE_].sample(n, seed=i),
        MADE_: lambda i: models[MADE_].sample(n, seed=i),
        rbm_name: lambda i: models[RBM_].sample(n, steps=p["gibbs_steps"], seed=i),
        VAE_: lambda i: vae.sample(n, seed=i),
    }
    run.progress(f"sampling {n} images per model, {p['repeats']} timed repeats")
    times = {name: [t / n for t in timings(fn, p["repeats"])] for name, fn in samplers.items()}
    shown = min(n, 10)  # the deep MADE and the ensemble (K masks per pass) are sampled for the figure only
    samplers[DEEP] = lambda i: models[DEEP].sample(shown, seed=i)
    samplers[ENSEMBLE] = lambda i: models[ENSEMBLE].sample(shown, seed=i)
    samples = {name: np.asarray(samplers[name](run.seed))[:shown]
               for name in (NADE_, MADE_, DEEP, ENSEMBLE, rbm_name, VAE_)}
    return {"seconds_per_image": times, "samples": samples, "rbm_name": rbm_name}


def sampled(run):
    """Sampling time per image of NADE, MADE, the RBM and the VAE, and samples of every model
    (measured once per run; sections 2, 4 and 8 read them)."""
    return run.cached("samples", lambda: _sample_all(run))
