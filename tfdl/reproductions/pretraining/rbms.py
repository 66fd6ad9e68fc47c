"""Section 1: the DBN's building block, an RBM, trained with CD-1, CD-k and PCD-1."""

import keras
import numpy as np
from matplotlib.ticker import MaxNLocator

from tfdl import plotting, tables
from tfdl.models import RBM
from tfdl.report import Section
from tfdl.reproductions.pretraining.common import RBM_OPTIMIZER, data_settings, images, side
from tfdl.timing import Timer

CURVES = {  # history key: (title, y label)
    "reconstruction": ("reconstruction cross-entropy (nats)", "reconstruction"),
    "pseudo_ll": ("pseudo-log-likelihood (nats)", "pseudo-log-likelihood"),
    "gap": ("free energy: valid - train", "free energy"),
}


def train_rbm(run, s, kwargs, x, x_valid):
    """An RBM trained with ``kwargs`` (k, persistent); returns ``(rbm, history, seconds)``."""
    with run.strategy.scope():
        rbm = RBM(s["rbm_hidden"], seed=run.seed, **kwargs)
        rbm.compile(optimizer=keras.optimizers.SGD(**RBM_OPTIMIZER))
    with Timer() as timer:
        history = rbm.fit(x, epochs=s["rbm_epochs"], batch_size=s["pre_batch"], validation_data=(x_valid,),
                          verbose=run.verbose)
    return rbm, history.history, timer.seconds


def likelihood(run, s, rbm, x, x_test):
    """Test log-likelihood by AIS, with log Z, its interval and (small layers) the exact log Z."""
    ais = rbm.log_partition("ais", num_betas=s["ais_betas"], num_runs=s["ais_runs"], seed=run.seed, data=x,
                            verbose=1)
    row = {
        "test_log_likelihood_nats": float(np.mean(rbm.log_prob(x_test, log_z=ais.log_z))),
        "log_z_ais": float(ais.log_z),
        "log_z_lower": float(ais.lower),
        "log_z_upper": float(ais.upper),
        "hidden_units": int(rbm.kernel.shape[1]),
    }
    if min(rbm.n_visible, s["rbm_hidden"]) <= 20:
        row["log_z_exact"] = float(rbm.log_partition("exact"))
    return row


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
            "rbm_epochs": run.epochs_by_size(2, 30, 5, 100),
            "ais_betas": run.at_most(pick(300, 3000, 1000, 14501)),
            "ais_runs": run.at_most(100),
            "sample_steps": run.at_most(pick(20, 1000, 1000, 1000)),
        }

    def measure(self, run, s):
        data = images(run, s)
        (x, _), (x_valid, _), (x_test, _) = data["train"], data["valid"], data["test"]
        variants = {"CD-1": dict(k=1), f"CD-{s['rbm_k']}": dict(k=s["rbm_k"]),
                    "PCD-1": dict(k=1, persistent=True)}
        rows, histories, models = {}, {}, {}
        for name, kwargs in variants.items():
            run.progress(f"RBM {name}: {s['rbm_hidden']} hidden units, {s['rbm_epochs']} epochs")
            models[name], histories[name], seconds = train_rbm(run, s, kwargs, x, x_valid)
            run.progress(f"RBM {name}: AIS log Z, {s['ais_betas']} temperatures x {s['ais_runs']} runs")
            rows[name] = {**likelihood(run, s, models[name], x, x_test), "train_seconds": seconds}
        pcd = models["PCD-1"]
        samples = np.asarray(pcd.sample(16, steps=s["sample_steps"], seed=run.seed))
        return {"rbm": rows, "_histories": histories, "_filters": np.transpose(pcd.kernel.numpy())[:32],
                "_samples": samples, "_side": side(x)}

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
        rows = m["rbm"]
        table = tables.markdown_table(
            ["training", "test log-lik (nats)", "log Z (AIS)", "log Z +-3 std", "log Z exact", "train s"],
            [[name, r["test_log_likelihood_nats"], r["log_z_ais"], f"[{r['log_z_lower']:.2f}, {r['log_z_upper']:.2f}]",
              r.get("log_z_exact", "n/a (> 20 units)"), r["train_seconds"]] for name, r in rows.items()])
        order = ", ".join(sorted(rows, key=lambda name: -rows[name]["test_log_likelihood_nats"]))
        n = {split: len(values[0]) for split, values in images(run, s).items()}
        return "\n\n".join([
            f"Images: {n['train']} training, {n['valid']} validation and {n['test']} test images. "
            f"{s['rbm_hidden']} hidden units, {s['rbm_epochs']} epochs, batch {s['pre_batch']}, "
            f"SGD({RBM_OPTIMIZER['learning_rate']}, momentum {RBM_OPTIMIZER['momentum']}). Test log-likelihood = "
            "mean of -F(v) - log Z, with log Z by annealed importance sampling "
            f"({s['ais_betas']} temperatures, {s['ais_runs']} runs, base-rate RBM from the training-data means); "
            "the interval is log Z at -+3 standard errors of the AIS weights, and it is narrow only when the "
            "temperature schedule is long enough.",
            table, figures["rbm_curves"],
            "The curves show the three ways of estimating the gradient during training: the one-step "
            "reconstruction cross-entropy (what CD drives down most directly; it is not the likelihood), the "
            "pseudo-log-likelihood, and the free-energy gap between validation and training images, which grows "
            "when an RBM overfits. The test log-likelihoods in the table are the measurement the curves cannot "
            f"give: their order, best first, is {order}.",
            figures["rbm_filters"],
            "Each panel is the weight vector of one hidden unit of the PCD-1 RBM, shown as an image: the stroke "
            "or garment parts a hidden unit responds to.",
            figures["rbm_samples"],
            f"Sixteen independent Gibbs chains of the same RBM, each run {s['sample_steps']} steps from a random "
            "start: what the model has learned to generate.",
        ])
