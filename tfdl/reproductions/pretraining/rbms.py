"""Section 1: the DBN's building block, an RBM, trained with CD-1, CD-k and PCD-1."""

import keras
import numpy as np
from matplotlib.ticker import MaxNLocator

from tfdl import claims, plotting, tables
from tfdl.evaluate import independent_pixels_nll
from tfdl.models import RBM
from tfdl.report import Section
from tfdl.reproductions.pretraining.common import LEARNED_MARGIN, RBM_OPTIMIZER, data_settings, images, side
from tfdl.timing import Timer

QUOTE = "Deep Belief Networks (DBNs): Restricted Boltzmann Machines (RBMs) को Layer-by-Layer Train करने के लिए।"
INDEPENDENT = "independent pixels"
PARTS = {"digits": "pen strokes", "mnist": "pen strokes",  # what a hidden unit's weights show, in the data's words
         "fashion_mnist": "parts of garments, shoes and bags (e.g. a Trouser's legs, a Sneaker's sole)"}
AIS_EXACT_TOLERANCE = 0.5  # nats: |AIS log Z - exact log Z| where the exact one is computable
PCD_CHAINS = 100  # persistent chains, as many as images in a mini-batch (Tieleman 2008)

CURVES = {  # history key: (title, y label)
    "reconstruction": ("reconstruction cross-entropy (nats)", "reconstruction"),
    "pseudo_ll": ("pseudo-log-likelihood (nats)", "pseudo-log-likelihood"),
    "gap": ("free energy: valid - train", "free energy"),
}


def train_rbm(run, s, kwargs, x, x_valid):
    """An RBM trained with ``kwargs`` (k, persistent); returns ``(rbm, history, seconds)``.

    Its visible biases start at the log-odds of the training pixels' means (Hinton's practical guide,
    section 8.1; ``annealing_base`` computes exactly these, smoothed), its weights small and random.
    """
    with run.strategy.scope():
        rbm = RBM(s["rbm_hidden"], seed=run.seed, **kwargs)
        rbm.build((None, x.shape[1]))
        rbm.visible_bias.assign(rbm.annealing_base(x))
        rbm.compile(optimizer=keras.optimizers.SGD(**RBM_OPTIMIZER))
    with Timer() as timer:
        history = rbm.fit(x, epochs=s["rbm_epochs"], batch_size=s["pre_batch"], validation_data=(x_valid,),
                          verbose=run.verbose)
    return rbm, history.history, timer.seconds


def likelihood(run, s, rbm, x, x_test):
    """Test log-likelihood by AIS, with log Z, its interval and (small layers) the exact log Z."""
    ais = rbm.log_partition("ais", num_betas=s["ais_betas"], num_runs=s["ais_runs"], seed=run.seed, data=x,
                            verbose=1)
    log_likelihood = float(np.mean(rbm.log_prob(x_test, log_z=ais.log_z)))
    row = {
        "test_log_likelihood_nats": log_likelihood,
        # at the upper end of log Z's interval: the pessimistic log-likelihood the claim is judged on
        "pessimistic_test_log_likelihood_nats": log_likelihood - float(ais.upper - ais.log_z),
        "log_z_ais": float(ais.log_z),
        "log_z_lower": float(ais.lower),
        "log_z_upper": float(ais.upper),
        "hidden_units": int(rbm.kernel.shape[1]),
    }
    if min(rbm.n_visible, s["rbm_hidden"]) <= 20:
        row["log_z_exact"] = float(rbm.log_partition("exact"))
    return row


def finite_interval(row):
    """Whether the AIS interval of log Z is finite (a weight dominating the AIS runs makes its lower end -inf)."""
    return bool(np.isfinite(row["log_z_lower"]) and np.isfinite(row["log_z_upper"]))


def learned(name, row, baseline):
    """The claim that the RBM ``name`` learned more than the pixels' means: its pessimistic test
    log-likelihood against independent pixels' (``baseline``), beyond ``LEARNED_MARGIN`` nats;
    ``not judged`` when the AIS interval is not finite."""
    id_ = "learned." + name.lower().replace("-", "")
    gloss = f"the DBN's building block, an RBM, learns the images' distribution: {name}"
    measured = ("test log-likelihood (nats) at the upper end of the AIS interval of log Z, against independent "
                "pixels (a factorised Bernoulli fit to the same training images)")
    if not finite_interval(row):
        return claims.claim(id_, QUOTE, gloss, measured, None, reason=(
            f"the AIS interval of log Z, [{row['log_z_lower']:.2f}, {row['log_z_upper']:.2f}], is not finite: "
            "the log-likelihood is not known"))
    return claims.claim(id_, QUOTE, gloss, measured, claims.compare(
        row["pessimistic_test_log_likelihood_nats"], baseline, names=(f"{name} RBM", INDEPENDENT),
        better="higher", margin=LEARNED_MARGIN))


def status(run, name, row, baseline):
    """The RBM's standing against independent pixels, in words (from ``learned``'s verdict)."""
    if run.judged is not True:
        return f"not judged ({run.judged})"
    verdict = learned(name, row, baseline).verdict
    if verdict == "not judged":
        return "not judged: AIS interval not finite"
    return "learned" if verdict == "held" else f"**failed to learn** (not {LEARNED_MARGIN:g} nats above)"


class RBMs(Section):
    """CD-1, CD-k and PCD-1 RBMs: AIS test log-likelihood, training curves, filters and samples."""

    name = "rbm"
    title = "The DBN's building block: RBMs trained with CD and PCD"

    def settings(self, run):
        pick = run.by_size
        return {
            **data_settings(run),
            "rbm_hidden": pick(16, 64, 128, 500),
            "rbm_k": pick(3, 10, 5, 25),
            "rbm_epochs": run.epochs_by_size(2, 30, 15, 100),
            "ais_betas": run.at_most(pick(300, 3000, 3000, 14501)),
            "ais_runs": run.at_most(100),
            "sample_steps": run.at_most(pick(20, 1000, 1000, 1000)),
        }

    def measure(self, run, s):
        data = images(run, s)
        (x, _), (x_valid, _), (x_test, _) = data["train"], data["valid"], data["test"]
        variants = {"CD-1": dict(k=1), f"CD-{s['rbm_k']}": dict(k=s["rbm_k"]),
                    "PCD-1": dict(k=1, persistent=True, num_chains=PCD_CHAINS)}
        rows, histories, models = {}, {}, {}
        for name, kwargs in variants.items():
            run.progress(f"RBM {name}: {s['rbm_hidden']} hidden units, {s['rbm_epochs']} epochs")
            models[name], histories[name], seconds = train_rbm(run, s, kwargs, x, x_valid)
            run.progress(f"RBM {name}: AIS log Z, {s['ais_betas']} temperatures x {s['ais_runs']} runs")
            rows[name] = {**likelihood(run, s, models[name], x, x_test), "train_seconds": seconds}
        pcd = models["PCD-1"]
        samples = np.asarray(pcd.sample(16, steps=s["sample_steps"], seed=run.seed))
        baseline = -independent_pixels_nll(x, x_test)["nats"]
        # how different the 16 chains' ends (visible means) are, next to the same RBM's visible means
        # for 16 test images (one mean-field pass): a collapsed sampler has a much smaller spread
        reconstructed = np.asarray(pcd.visible_probs(pcd.transform(x_test[:len(samples)]))[0])
        spread = {"pcd_chains": float(np.mean(np.std(samples, axis=0))),
                  "test_reconstructions": float(np.mean(np.std(reconstructed, axis=0)))}
        return {"rbm": rows, "independent_pixels_test_log_likelihood_nats": baseline,
                "sample_spread_per_pixel": spread, "_histories": histories,
                "_filters": np.transpose(pcd.kernel.numpy())[:32], "_samples": samples, "_side": side(x)}

    def judge(self, run, s, m):
        baseline = m["independent_pixels_test_log_likelihood_nats"]
        rows = [learned(name, row, baseline) for name, row in m["rbm"].items()]
        for name, row in m["rbm"].items():
            if "log_z_exact" in row:
                rows.append(claims.check(
                    "ais_vs_exact." + name.lower().replace("-", ""),
                    f"{name}: AIS estimates log Z (checked where the exact sum is computable)",
                    "|AIS log Z - exact log Z| (nats)",
                    claims.bound(abs(row["log_z_ais"] - row["log_z_exact"]), AIS_EXACT_TOLERANCE, "|difference|")))
        return rows

    def draw(self, run, s, m):
        shape = (m["_side"],) * 2
        filters = m["_filters"]
        filters = 0.5 + 0.5 * filters / np.abs(filters).max(axis=1, keepdims=True)  # each unit's own scale
        rows = int(np.ceil(len(filters) / 8))
        return {
            "rbm_filters": (plotting.image_grid(
                filters, shape, rows, row_labels=[f"units {8 * r + 1}-{8 * r + 8}" for r in range(rows)],
                title="PCD-1 RBM: weights of hidden units 1-32 (each scaled to its largest |weight|)",
                cmap="gray"), "PCD-1 filters"),
            "rbm_samples": (plotting.image_grid(
                m["_samples"], shape, 2, title=f"PCD-1 RBM: 16 independent Gibbs chains after "
                                               f"{s['sample_steps']} steps (visible means)", cmap="gray"),
                "Gibbs samples"),
            "rbm_curves": (self._curves(s, m["_histories"]), "RBM training curves"),
        }

    def _curves(self, s, histories):
        figure, axes = plotting.figure(14, 3.6, columns=3)
        epochs = np.arange(1, s["rbm_epochs"] + 1)
        for name, history in histories.items():
            series = {**history, "gap": np.subtract(history["val_free_energy"], history["free_energy"])}
            for axis, key in zip(axes, CURVES):
                axis.plot(epochs, series[key], label=name)
        for axis, (title, label) in zip(axes, CURVES.values()):
            axis.set(title=title, xlabel="epoch", ylabel=label)
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.legend()
        return figure

    def write(self, run, s, m, figures):
        rows, baseline = m["rbm"], m["independent_pixels_test_log_likelihood_nats"]
        spread = m["sample_spread_per_pixel"]
        standing = {name: status(run, name, r, baseline) for name, r in rows.items()}
        table = tables.markdown_table(
            ["model", "test log-lik (nats)", "at log Z's upper end", "log Z (AIS)", "log Z interval (±3 s.e.)",
             "log Z exact", "train s", f"against {INDEPENDENT}"],
            [[f"RBM {name}", r["test_log_likelihood_nats"], r["pessimistic_test_log_likelihood_nats"], r["log_z_ais"],
              f"[{r['log_z_lower']:.2f}, {r['log_z_upper']:.2f}]", r.get("log_z_exact", "n/a (> 20 units)"),
              r["train_seconds"], standing[name]] for name, r in rows.items()]
            + [[f"{INDEPENDENT} (baseline)", baseline, baseline, "-", "-", "-", "-", "-"]])
        ranked = [name for name in rows if standing[name] == "learned"]
        ranked.sort(key=lambda name: -rows[name]["test_log_likelihood_nats"])
        failed = [name for name in rows if name not in ranked]
        order = (f"Among the RBMs that learned, best first: {', '.join(ranked)}." if ranked
                 else "No RBM learned, so none is ranked.")
        if failed:
            order += f" Left out of the ranking (failed to learn or not judged): {', '.join(failed)}."
        n = {split: len(values[0]) for split, values in images(run, s).items()}
        return "\n\n".join([
            f"Images: {n['train']} training, {n['valid']} validation and {n['test']} test images. "
            f"{s['rbm_hidden']} hidden units, {s['rbm_epochs']} epochs, batch {s['pre_batch']}, "
            f"SGD({RBM_OPTIMIZER['learning_rate']}, momentum {RBM_OPTIMIZER['momentum']}), visible biases "
            f"started at the log-odds of the training pixels' means (Hinton's practical guide), PCD with {PCD_CHAINS} "
            "persistent chains. Test log-likelihood = mean of -F(v) - log Z, with log Z by annealed importance "
            f"sampling ({s['ais_betas']} temperatures, {s['ais_runs']} runs, base-rate RBM from the "
            "training-data means); the interval is log Z at ±3 standard errors of the mean AIS weight. Every "
            f"RBM is first compared with {INDEPENDENT} (each pixel an independent Bernoulli at its training "
            "mean, Laplace-smoothed): it has learned only when its log-likelihood at the upper end of log Z's "
            f"interval (the pessimistic end) beats {INDEPENDENT} by more than {LEARNED_MARGIN:g} nats. One that "
            "does not is reported as failed to learn and left out of the ranking; one whose interval is not "
            "finite is not judged.",
            table, figures["rbm_curves"],
            "The curves show the three ways of estimating the gradient during training: the one-step "
            "reconstruction cross-entropy (what CD drives down most directly; it is not the likelihood), the "
            "pseudo-log-likelihood, and the free-energy gap between validation and training images, which grows "
            "when an RBM overfits. The test log-likelihoods in the table are the measurement the curves cannot "
            f"give. {order}",
            figures["rbm_filters"],
            f"Each panel is the weight vector of one hidden unit of the PCD-1 RBM ({standing['PCD-1']}), shown "
            f"as an image: the {PARTS.get(run.dataset, 'image parts')} a hidden unit responds to.",
            figures["rbm_samples"],
            f"Sixteen independent Gibbs chains of the same RBM, each run {s['sample_steps']} steps from a random "
            "start: what the model generates. Their spread (the per-pixel standard deviation across the 16 "
            f"chains' visible means, averaged over pixels) is {spread['pcd_chains']:.3f}, against "
            f"{spread['test_reconstructions']:.3f} across the same RBM's visible means for 16 test images (one "
            "pass up and down): a much smaller spread means the chains fell into the same few modes (they mix "
            "poorly), which a good log-likelihood does not rule out.",
        ])
