"""What sections 2-4 and 8 share: binary images, NADE, the MADEs, the RBM and the VAE, trained once per run.

Binary data: ``run.load(binarize="threshold", flatten=True)``. NADE, the MADEs
and the VAE train by maximum likelihood (the VAE by its bound) with early
stopping on the validation split (best weights restored) and are scored on
the test split: NADE and MADE exactly (``tfdl.evaluate.nll``), the VAE by its
importance-weighted bound. The RBM has at least NADE's number of weights and
trains by persistent contrastive divergence (PCD); every few epochs its
validation NLL is estimated by AIS, and it stops (best weights restored) when
that estimate stops improving; its test NLL needs log Z by a longer AIS, whose
3-standard-error interval is reported.

Before any comparison, every model faces the independent-pixel model
(``tfdl.evaluate.independent_pixels_nll``, a factorised Bernoulli fitted to the
training images): a model whose test NLL does not beat it by ``LEARNED_FRACTION``
of its NLL **failed to learn** and is left out of every later claim, as is an
RBM whose AIS interval is not finite. A model has **converged** when early
stopping ended its training or its validation curve had levelled off
(``claims.levelled``: the last ``LEVEL_TAIL`` of the epochs improved it by less
than ``NLL_MARGIN``); a claim comparing a model that had not, on any seed, is
``inconclusive (not converged)``.

Profiles: ``smoke`` (seconds, tests), ``default`` (minutes on 2 CPU cores;
settings per image size: all of 8x8 digits, or a 5,000-image subset of a
28x28 data set with 200 hidden units and at most 40 epochs), ``full`` (500
hidden units as in the NADE paper, the MADE paper's Adagrad; for a GPU).
"""

import math

import keras
import numpy as np

from tfdl import claims
from tfdl.evaluate import independent_pixels_nll, nll
from tfdl.models import MADE, NADE, RBM, VAE
from tfdl.models.vae import dense_pair
from tfdl.timing import Timer, timed

NADE_, MADE_, DEEP, ENSEMBLE, RBM_, VAE_ = "NADE", "MADE", "deep MADE", "MADE ensemble", "RBM", "VAE"
MADES = (MADE_, DEEP, ENSEMBLE)
AUTOREGRESSIVE = (NADE_, *MADES)
INDEPENDENT = "independent pixels"
# Test NLL in nats per image: half a nat (0.7 bits per image) is the smallest
# difference called real; seed-to-seed noise is judged separately (2 standard errors).
NLL_MARGIN = 0.5
# A density model has learned when its test NLL is below the independent-pixel
# model's by more than 5% of that model's NLL (and 2 standard errors over seeds).
LEARNED_FRACTION = 0.05
# A validation curve has levelled off when its last 20% of epochs (or AIS checks)
# improved its best value by less than NLL_MARGIN.
LEVEL_TAIL = 0.2
LEARNED, FAILED, UNBOUNDED = "learned", "failed to learn", "AIS interval not finite"
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
        "seeds": run.seeds(pick(1, 3, 3, 3)), "epochs": run.epochs_by_size(2, 100, 40, 1000),
        "patience": pick(1, 10, 3, 30), "batch": 100,
        # Adam's rate per model, the better of 3e-3 and 1e-2 on one seed's validation NLL (28x28: NADE 128.3
        # against about 136 nats, MADE 154.1 against 163.8); None: the MADE paper's Adagrad(0.01)
        "learning_rate": pick(1e-2, 3e-3, 3e-3, None), "nade_learning_rate": pick(1e-2, 3e-3, 1e-2, None),
        **rbm_settings(run),
        "ais_betas": run.at_most(pick(100, 3000, 3000, 14501)), "ais_runs": run.at_most(100),
    }


def rbm_settings(run):
    """PCD-k: persistent chains; SGD whose rate falls linearly to 1% of its start over ``rbm_epochs``; an AIS
    validation check every ``rbm_every`` epochs (a short AIS with a fixed seed), stopping after
    ``rbm_patience`` checks without a better validation NLL."""
    pick = run.by_size
    epochs = run.epochs_by_size(2, 200, 60, 2000)
    # 28x28, one seed, 60 epochs: a start of 3e-2 reached a validation NLL of 152 against 188 for 1e-2
    return {"rbm_k": 1, "rbm_chains": pick(20, 100, 100, 500), "rbm_learning_rate": pick(1e-2, 3e-2, 3e-2, 1e-2),
            "rbm_epochs": epochs,
            "rbm_every": min(epochs, pick(1, 20, 10, 20)), "rbm_patience": pick(1, 2, 2, 3),
            "monitor_betas": run.at_most(pick(100, 1000, 1000, 3000)),
            "monitor_runs": run.at_most(pick(10, 20, 20, 100))}


def vae_settings(run):
    """The VAE's importance-weighted evaluation (sections 4 and 8)."""
    pick = run.by_size
    return {"vae_epochs": run.epochs_by_size(2, 100, 15, 1000), "iwae_samples": run.at_most(pick(10, 1000, 1000, 1000)),
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


def converged(curve, stopped):
    """Stopped early, or the validation curve levelled off (``LEVEL_TAIL``, ``NLL_MARGIN``)."""
    return bool(stopped) or claims.levelled(curve, tail=LEVEL_TAIL, tolerance=NLL_MARGIN)


def optimizer(rate):
    """Adam at ``rate`` for the CPU profiles; the MADE paper's Adagrad(0.01) for ``full`` (``rate`` None)."""
    if rate is None:
        return keras.optimizers.Adagrad(0.01)
    return keras.optimizers.Adam(rate)


def fit(run, s, model, x, rate):
    """Maximum likelihood at learning ``rate`` with early stopping on ``valid``; returns (history, seconds,
    stopped early)."""
    with run.strategy.scope():
        model.compile(optimizer=optimizer(rate))
    stopping = keras.callbacks.EarlyStopping(patience=s["patience"], restore_best_weights=True)
    with Timer() as timer:
        history = model.fit(x["train"], validation_data=(x["valid"],), epochs=s["epochs"], batch_size=s["batch"],
                            callbacks=[stopping], verbose=run.verbose).history
    return history, timer.seconds, stopping.stopped_epoch > 0


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


def rbm_hidden(hidden, dim):
    """The fewest hidden units that give an RBM (D·H' + D + H') at least NADE's 2·D·H + D + H weights."""
    return math.ceil((2 * dim * hidden + hidden) / (dim + 1))


def ais_log_z(run, s, rbm, x, seed=0):
    """The RBM's log Z by AIS (``s``'s temperatures and runs), base rates from the training images."""
    return rbm.log_partition("ais", num_betas=s["ais_betas"], num_runs=s["ais_runs"], seed=seed,
                             data=x["train"], verbose=run.verbose)


def _finite(value):
    return float(value) if math.isfinite(value) else None


def train_rbm(run, s, rbm, x):
    """PCD in chunks of ``rbm_every`` epochs, each followed by an AIS estimate of the validation NLL (fixed
    seed); stops after ``rbm_patience`` chunks without a better one and restores the best weights.
    Returns ``(validation NLL per check, stopped early)``."""
    curve, best, stopped = [], None, False
    for _ in range(s["rbm_epochs"] // s["rbm_every"]):
        rbm.fit(x["train"], epochs=s["rbm_every"], batch_size=s["batch"], verbose=run.verbose)
        log_z = rbm.log_partition("ais", num_betas=s["monitor_betas"], num_runs=s["monitor_runs"], seed=0,
                                  data=x["train"])
        curve.append(nll(rbm, x["valid"], log_z=log_z)["nats"])
        if curve[-1] <= min(curve):
            best = rbm.get_weights()
        elif len(curve) - 1 - int(np.argmin(curve)) >= s["rbm_patience"]:
            stopped = True
            break
    rbm.set_weights(best)
    return curve, stopped


def fit_rbm(run, s, seed, x):
    """A PCD RBM with at least NADE's number of weights (``train_rbm``); test NLL by AIS, with its interval."""
    with run.strategy.scope():
        rbm = RBM(rbm_hidden(s["hidden"], x["train"].shape[1]), k=s["rbm_k"], persistent=True,
                  num_chains=s["rbm_chains"], seed=seed, monitor=())
        steps = s["rbm_epochs"] * math.ceil(len(x["train"]) / s["batch"])
        rate = keras.optimizers.schedules.PolynomialDecay(s["rbm_learning_rate"], steps, s["rbm_learning_rate"] / 100)
        rbm.compile(optimizer=keras.optimizers.SGD(rate, momentum=0.5))
    with Timer() as training:
        curve, stopped = train_rbm(run, s, rbm, x)
    with Timer() as evaluation:
        log_z, lower, upper = (float(v) for v in ais_log_z(run, s, rbm, x))
        result = nll(rbm, x["test"], log_z=log_z)
    interval = [_finite(result["nats"] + lower - log_z), _finite(result["nats"] + upper - log_z)]
    return rbm, {**result, "evaluation_seconds": evaluation.seconds, "train_seconds": training.seconds,
                 "epochs": len(curve) * s["rbm_every"], "log_z": log_z,
                 "log_z_interval": [_finite(lower), _finite(upper)],
                 "nats_interval": interval, "converged": converged(curve, stopped),
                 "validation_by_check": curve}


def _fit_seed(run, s, x, seed):
    """NADE, the three MADEs and the RBM of one seed: ``(results, models, histories)``."""
    with run.strategy.scope():
        models = build_models(s, x["train"].shape[1], seed)
    results, histories = {}, {}
    for name, model in models.items():
        run.progress(f"seed {seed}: {name} ({weights(model):,} weights), up to {s['epochs']} epochs")
        keras.utils.set_random_seed(seed)
        rate = s["nade_learning_rate" if name == NADE_ else "learning_rate"]
        history, seconds, stopped = fit(run, s, model, x, rate)
        with Timer() as evaluation:
            result = nll(model, x["test"])
        results[name] = {**result, "evaluation_seconds": evaluation.seconds, "train_seconds": seconds,
                         "epochs": len(history["loss"]), "epoch_seconds": seconds / len(history["loss"]),
                         "converged": converged(history["val_loss"], stopped)}
        histories[name] = history
    run.progress(f"seed {seed}: RBM {rbm_hidden(s['hidden'], x['train'].shape[1])} hidden, PCD-{s['rbm_k']} "
                 f"({s['rbm_chains']} chains), up to {s['rbm_epochs']} epochs, AIS check every {s['rbm_every']}")
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


def independent_pixels(run):
    """The independent-pixel model's test NLL on the run's images (``tfdl.evaluate.independent_pixels_nll``)."""
    x = images(run)
    return run.cached("independent pixels", lambda: independent_pixels_nll(x["train"], x["test"]))


def learned(nats, baseline, name="model"):
    """Does a model (test NLL per seed) beat the independent-pixel model (``baseline`` nats, the same for every
    seed) by more than ``LEARNED_FRACTION`` of its NLL? A ``claims.Verdict``."""
    nats = list(np.atleast_1d(nats))
    return claims.compare(nats, [baseline] * len(nats), names=(name, INDEPENDENT), better="lower",
                          margin=LEARNED_FRACTION * baseline)


def against_independent(nats, baseline, converged, name):
    """``claims.claim``'s ``verdict`` and ``converged`` for "the model ``name`` learned": ``learned``; more
    training can only lower a model's NLL, so an unconverged model's ``held`` stands, and only its other
    verdicts become inconclusive (not converged)."""
    verdict = learned(nats, baseline, name)
    return {"verdict": verdict, "converged": unless_held(verdict, converged)}


def unless_held(verdict, converged):
    """``converged`` for ``claims.claim``, except on a held verdict that a model's NLL reached: more
    training only lowers a validation NLL, so a model still improving keeps what it already reached."""
    return None if verdict.state == "held" else converged


def fitness(results, baseline):
    """Per model: ``status`` (learned, failed to learn, AIS interval not finite), ``converged`` on every seed,
    and the criterion against independent pixels."""
    found = {}
    for name, runs in results.items():
        verdict = learned([r["nats"] for r in runs], baseline, name)
        status = LEARNED if verdict.state == "held" else FAILED
        if any(None in r.get("nats_interval", []) for r in runs):
            status = UNBOUNDED
        found[name] = {"status": status, "converged": all(r.get("converged", True) for r in runs),
                       "criterion": verdict.criterion}
    return found


def gated(verdict, names, fit):
    """``claims.claim``'s ``verdict``, ``reason`` and ``converged`` for a claim comparing the models ``names``
    (``fit``: ``fitness``): not judged, with the reason, when one of them did not learn or its AIS interval
    is not finite; ``converged`` only when every one of them converged."""
    blocked = [f"{name}: {fit[name]['status']}" for name in names if fit[name]["status"] != LEARNED]
    return {"verdict": None if blocked else verdict,
            "reason": f"not compared ({'; '.join(blocked)})" if blocked else None,
            "converged": all(fit[name]["converged"] for name in names)}


def _fit_vae(run):
    """tfdl's VAE with a one-hidden-layer MLP of NADE's width; NLL by the IWAE bound."""
    s, v, x = density_settings(run), vae_settings(run), images(run)
    dim = x["train"].shape[1]
    run.progress(f"VAE: {dim}-{s['hidden']}-{s['latent']} MLP encoder/decoder, up to {v['vae_epochs']} epochs")
    keras.utils.set_random_seed(run.seed)
    with run.strategy.scope():
        encoder, decoder = dense_pair((dim,), latent_dim=s["latent"], hidden_units=(s["hidden"],))
        vae = VAE(encoder, decoder, likelihood="bernoulli", seed=run.seed)
    history, seconds, stopped = fit(run, {**s, "epochs": v["vae_epochs"]}, vae, x, s["learning_rate"])
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
              "converged": converged(history["val_loss"], stopped), "weights": weights(vae),
              "independent_pixels_nats": independent_pixels_nll(x["train"], test)["nats"]}
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
