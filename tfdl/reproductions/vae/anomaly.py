"""Section 9: anomaly detection, one class held out of training per model."""

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

from tfdl import claims, plotting, tables
from tfdl.models.autoencoder import log_likelihood
from tfdl.report import Section
from tfdl.reproductions.vae.training import array, class_names, fit, load, pair, paired, with_shared

AUROC_MARGIN = 0.01  # one anomaly in a hundred ranked the other way
ANOMALY_K = 10  # importance samples of the VAE's anomaly score -log p(x)
VAE_SCORE, AE_SCORE, NN_SCORE = (f"VAE -log p(x), k={ANOMALY_K}", "AE reconstruction error",
                                 "distance to nearest training image")
QUOTE = ("चूँकि VAEs सामान्य डेटा के वितरण को सीखते हैं, वे ऐसे डेटा पॉइंट्स की पहचान कर सकते हैं जो इस वितरण से "
         "बहुत दूर हैं")


def anomaly_settings(run):
    pick = run.by_size
    return {"anomaly_classes": pick((0,), tuple(range(10)), tuple(range(10)), tuple(range(10))),
            "anomaly_train_size": run.at_most(pick(None, None, 3_000, None)),  # 28x28: 10 trainings in 15 minutes
            "anomaly_epochs": run.epochs_by_size(2, 40, 20, 300)}  # at most: early stopping ends sooner


def scores(run, s, d, held_out):
    """The three anomaly scores of the evaluation images, from models trained without ``held_out``
    (early stopping on the validation images of the other classes), and whether each converged."""
    x, y = d.x[: s["anomaly_train_size"]], d.y[: s["anomaly_train_size"]]
    run.progress(f"anomaly: class {held_out} held out, VAE and AE, at most {s['anomaly_epochs']} epochs")
    normal = x[y != held_out]
    vae, ae = pair(run, s, d.dims, run.seed + 100 + int(held_out))
    converged = {name: fit(run, model, normal, d.x_valid[d.y_valid != held_out], s["anomaly_epochs"],
                           s["batch_size"])[1] for name, model in (("VAE", vae), ("AE", ae))}
    return converged, {
        VAE_SCORE: -array(vae.log_prob(d.x_eval, num_samples=ANOMALY_K, seed=run.seed)),
        AE_SCORE: -array(log_likelihood("bernoulli", d.x_eval, array(ae.decoder(ae.encode(d.x_eval))))),
        NN_SCORE: NearestNeighbors(n_neighbors=1).fit(normal).kneighbors(d.x_eval)[0][:, 0],
    }


def auroc_figure(auroc, classes):
    figure, axis = plotting.figure(8, 3.4)
    width = 0.27
    for i, name in enumerate(auroc):
        axis.bar(np.arange(len(auroc[name])) + (i - 1) * width, auroc[name], width, label=name)
    axis.set(xticks=np.arange(len(classes)), xticklabels=classes,
             xlabel="held-out (anomalous) class", ylabel="AUROC", ylim=(0, 1.05),
             title="anomaly detection: one model per held-out class")
    axis.tick_params(axis="x", labelrotation=30)
    axis.axhline(0.5, color="grey", lw=0.5)
    axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3)
    return figure


class Anomaly(Section):
    """Per held-out class: the VAE's -log p(x) against the AE's reconstruction error and the
    distance to the nearest training image, by AUROC."""

    name = "anomaly"
    title = "Anomaly detection"

    def settings(self, run):
        return with_shared(run, **anomaly_settings(run))

    def measure(self, run, s):
        d = load(run, s)
        auroc, converged = {name: [] for name in (VAE_SCORE, AE_SCORE, NN_SCORE)}, []
        for c in s["anomaly_classes"]:
            models_converged, found = scores(run, s, d, c)
            converged.append(models_converged)
            for name, score in found.items():
                auroc[name].append(float(roc_auc_score(d.y_eval == c, score)))
        return {**{k: s[k] for k in anomaly_settings(run)}, "anomaly_auroc": auroc, "eval_images": len(d.x_eval),
                "converged": converged}

    def judge(self, run, s, m):
        auroc = m["anomaly_auroc"]
        converged = {"ae": all(c["VAE"] and c["AE"] for c in m["converged"]),
                     "nearest_neighbour": all(c["VAE"] for c in m["converged"])}
        return [claims.claim(
            f"vs_{key}", QUOTE, f"VAEs detect points far from the learnt distribution (vs {baseline})",
            f"AUROC of one held-out class per model, classes {list(s['anomaly_classes'])}, paired by class",
            paired(auroc[VAE_SCORE], auroc[baseline], ("VAE", baseline), "higher", AUROC_MARGIN),
            converged=converged[key]) for key, baseline in (("ae", AE_SCORE), ("nearest_neighbour", NN_SCORE))]

    def draw(self, run, s, m):
        return {"anomaly_auroc": (auroc_figure(m["anomaly_auroc"], class_names(run, s["anomaly_classes"])),
                                  "AUROC per held-out class")}

    def write(self, run, s, m, figures):
        auroc = m["anomaly_auroc"]
        names = class_names(run, s["anomaly_classes"])
        rows = [[names[i]] + [f"{auroc[name][i]:.3f}" for name in auroc]
                + [", ".join(f"{model} {'yes' if ok else 'no'}" for model, ok in m["converged"][i].items())]
                for i in range(len(names))]
        rows.append(["mean"] + [f"{np.mean(values):.3f}" for values in auroc.values()] + [""])
        size = "all" if s["anomaly_train_size"] is None else s["anomaly_train_size"]
        return (
            f"Per held-out class: a VAE and an AE (same architecture, at most {s['anomaly_epochs']} epochs with "
            "early stopping on the validation images of the other classes, seed "
            f"{run.seed} + 100 + class) trained on {size} training images minus that class; {m['eval_images']} "
            f"test images scored, the held-out class positive. Scores: the VAE's −log p(x) (importance-weighted, "
            f"k = {ANOMALY_K}), the AE's reconstruction error (−log p(x | decoder(encoder(x))), the same units) and "
            "the distance to the nearest training image.\n\nAUROC of each score (columns) with one class held "
            "out (rows), and whether the class's models converged:\n\n"
            + tables.markdown_table(["held-out class"] + list(auroc) + ["converged"], rows) + "\n\n"
            + figures["anomaly_auroc"] + "\n\n"
            "AUROC per held-out class for the three scores (0.5: no better than a random ranking)."
        )
