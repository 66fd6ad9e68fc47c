"""Section 8: the article's table, autoregressive against other generative models (tfdl's VAE), and
section 9: the papers' numbers next to ours."""

import numpy as np

from tfdl import claims, tables
from tfdl.report import Section
from tfdl.reproductions.autoregressive import density
from tfdl.reproductions.autoregressive.density import DEEP, ENSEMBLE, MADE_, NADE_, RBM_, SPEED_MARGIN, VAE_

# The VAE's importance-weighted estimate is at least its ELBO up to 3 standard
# errors (over the test images) of their difference.
GAP_STANDARD_ERRORS = 3.0
PAPERS = [  # binarized MNIST test NLL, nats
    ("NADE (Larochelle & Murray 2011), 500 hidden", 88.33),
    ("RBM 500 hidden, CD-25, AIS (Salakhutdinov & Murray 2008)", 86.34),
    ("MADE (Germain et al. 2015), 1 hidden layer, 1 mask", 88.40),
    ("MADE (Germain et al. 2015), 2 hidden layers, 1 mask", 89.59),
    ("MADE (Germain et al. 2015), 2 hidden layers, 32 masks", 86.64),
]


class Comparison(Section):
    """Sampling MADE against the VAE (sequential against parallel); the VAE's bound against its likelihood."""

    name = "comparison"
    title = "Autoregressive against other generative models (the article's table)"

    def settings(self, run):
        return density.all_settings(run)

    def measure(self, run, s):
        vae, result = density.trained_vae(run)
        sampled, trained = density.sampled(run), density.trained(run)
        return {"vae": result, "nade_nats": density.mean(trained["results"], NADE_),
                "sampling_seconds_per_image": {k: sampled["seconds_per_image"][k] for k in (NADE_, MADE_, VAE_)},
                "_dim": density.images(run)["train"].shape[1]}

    def judge(self, run, s, m):
        times, vae = m["sampling_seconds_per_image"], m["vae"]
        return [
            claims.claim(
                "sequential", "| आउटपुट | Sequential (One-by-One) | Parallel |",
                "autoregressive output is sequential, other generative models' parallel: slower sampling",
                f"log10 seconds per sampled image, MADE 1x{s['hidden']} ({m['_dim']} passes) vs VAE with a "
                f"{s['hidden']}-unit decoder (1 pass), {s['repeats']} timed repeats",
                claims.compare(density.log10(times[MADE_]), density.log10(times[VAE_]), names=(MADE_, VAE_),
                               better="higher", margin=SPEED_MARGIN)),
            claims.check(
                "bound", "the VAE's importance-weighted bound is at least its ELBO (the bound it trains on)",
                f"VAE: IWAE-{s['iwae_samples']} log p(x) minus ELBO, mean over {vae['num_examples']} test images",
                claims.bound(vae["bound_gap_nats"], -GAP_STANDARD_ERRORS * vae["bound_gap_stderr"],
                             "bound gap (nats)", below=False)),
            claims.claim(
                "simpler", "NADE और MADE जैसे मॉडल्स ने probabilistic modeling को सरल बनाया",
                "NADE and MADE made probabilistic modelling simpler",
                "evaluation time: exact NLL (NADE, MADE) vs AIS (RBM), in the results table", None,
                reason="a judgement about the field, not a measurable claim; the results table shows what it rests on"),
        ]

    def write(self, run, s, m, figures):
        ms = {name: 1e3 * float(np.median(t)) for name, t in m["sampling_seconds_per_image"].items()}
        vae, dim = m["vae"], m["_dim"]
        rows = [
            ["output", "sequential (one by one)", "parallel",
             f"sampling: MADE {ms[MADE_]:.3g} ms/image ({dim} passes), NADE {ms[NADE_]:.3g} ms ({dim} steps); "
             f"VAE {ms[VAE_]:.3g} ms (1 decoder pass)"],
            ["learning", "maximum likelihood", "adversarial / variational",
             f"NADE's loss is its exact NLL ({m['nade_nats']:.2f} nats on test); the VAE trains on the ELBO: "
             f"{vae['elbo_nats']:.2f} nats (-ELBO) against {vae['nats']:.2f} (IWAE k={s['iwae_samples']}) on "
             f"{vae['num_examples']} test images"],
            ["examples", "PixelRNN, NADE, MADE", "GANs, VAEs",
             f"tfdl's VAE (`tfdl.models.VAE`, `dense_pair`: {dim}-{s['hidden']}-{s['latent']}); no GAN is trained here"],
        ]
        table = tables.markdown_table(["parameter", "autoregressive (article)", "other generative (article)",
                                       "measured here"], rows)
        return table + "\n\n" + (
            f"The VAE decodes a whole image from z in one pass: per image, MADE's sampling takes "
            f"{ms[MADE_] / ms[VAE_]:.3g} times as long as the VAE's, with networks of the same width. But the VAE's "
            f"log p(x) is only bounded: the ELBO it trains on is {vae['bound_gap_nats']:.2f} ± "
            f"{vae['bound_gap_stderr']:.2f} (s.e. over the {vae['num_examples']} test images) nats below its own "
            "importance-weighted estimate, itself a lower bound "
            "on log p(x).")


class Papers(Section):
    """The papers' binarized-MNIST numbers next to ours (not comparable in absolute value)."""

    name = "papers"
    title = "Papers' numbers next to ours"

    def settings(self, run):
        return density.all_settings(run)

    def measure(self, run, s):
        results = density.trained(run)["results"]
        names = (NADE_, RBM_, MADE_, DEEP, ENSEMBLE)
        fit = density.fitness({name: results[name] for name in names}, density.independent_pixels(run)["nats"])
        return {"ours": {name: density.mean(results, name) for name in names},
                "status": {name: fit[name]["status"] for name in names},
                "rbm_hidden": density.rbm_hidden(s["hidden"], density.images(run)["train"].shape[1]),
                "_side": int(round(density.images(run)["train"].shape[1] ** 0.5))}

    def write(self, run, s, m, figures):
        side, hidden = m["_side"], s["hidden"]
        sizes = {NADE_: f"{hidden} hidden", RBM_: f"{m['rbm_hidden']} hidden, PCD-{s['rbm_k']}, AIS",
                 MADE_: f"1 hidden layer of {hidden}, 1 mask", DEEP: f"2 hidden layers of {hidden}, 1 mask",
                 ENSEMBLE: f"2 hidden layers of {hidden}, {s['num_masks']} masks"}
        ours = [[f"{name} ({sizes[name]}) — ours, {run.dataset} {side}x{side}, profile {run.profile}",
                 f"{nats:.2f}" if m["status"][name] == density.LEARNED else f"{nats:.2f} ({m['status'][name]})"]
                for name, nats in m["ours"].items()]
        papers = [[f"{name} — paper, binarized MNIST 28x28", value] for name, value in PAPERS]
        return (
            "The papers' numbers are on 28x28 binarized MNIST; ours are on the data set named in each row and are "
            "not comparable in absolute value (different data). Ours are means over "
            f"{len(s['seeds'])} seeds; a model that did not beat the independent-pixel model is marked so and is "
            "not to be ranked against the others.\n\n"
            + tables.markdown_table(["model (architecture) — source, data set", "test NLL (nats)"], papers + ours))
