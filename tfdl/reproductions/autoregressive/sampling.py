"""Section 4: samples of every density model, and the time one sample takes."""

import numpy as np

from tfdl import plotting
from tfdl.report import Section
from tfdl.reproductions.autoregressive import density
from tfdl.reproductions.autoregressive.density import MADE_, NADE_, VAE_


def samples_figure(seed, samples):
    side = int(round(next(iter(samples.values())).shape[1] ** 0.5))
    shown = np.concatenate(list(samples.values()))
    columns = len(next(iter(samples.values())))
    return plotting.image_grid(shown, (side, side), rows=len(samples), row_labels=list(samples),
                               column_labels=[f"#{c + 1}" for c in range(columns)],
                               title=f"Samples (rows: model; columns: sample number), seed {seed}")


def timing_figure(times, passes):
    names = list(times)
    figure, axis = plotting.figure(7, 3.8)
    for i, name in enumerate(names):
        axis.plot([i] * len(times[name]), np.multiply(times[name], 1e3), "o", ms=5)
    axis.set_xticks(range(len(names)), [f"{n}\n({passes[n]})" for n in names], fontsize=7)
    axis.set_yscale("log")
    axis.set_ylabel("ms per sampled image (log scale)")
    axis.set_title("Sampling time per image, one dot per timed repeat")
    return figure


class Sampling(Section):
    """Samples of NADE, the MADEs, the RBM and the VAE, and sampling time per image."""

    name = "sampling"
    title = "Samples and sampling time"

    def settings(self, run):
        return density.all_settings(run)

    def measure(self, run, s):
        sampled = density.sampled(run)
        dim = density.images(run)["train"].shape[1]
        rbm_name = sampled["rbm_name"]
        passes = {NADE_: f"{dim} steps", MADE_: f"{dim} passes", rbm_name: f"{s['gibbs_steps']} sweeps",
                  VAE_: "1 pass"}
        return {"sampling_seconds_per_image": sampled["seconds_per_image"], "_samples": sampled["samples"],
                "_passes": passes, "_rbm_name": rbm_name, "_dim": dim}

    def draw(self, run, s, m):
        return {"samples": (samples_figure(run.seed, m["_samples"]), "samples of every model"),
                "sampling_time": (timing_figure(m["sampling_seconds_per_image"], m["_passes"]),
                                  "sampling time per image")}

    def write(self, run, s, m, figures):
        ms = {name: 1e3 * float(np.median(t)) for name, t in m["sampling_seconds_per_image"].items()}
        rbm, gibbs = m["_rbm_name"], s["gibbs_steps"]
        return "\n\n".join([figures["samples"], (
            f"{min(s['num_samples'], 10)} samples per model (rows), seed {run.seed}. NADE, the MADEs and the VAE "
            f"draw binary pixels; the RBM row shows the visible probabilities after {gibbs} Gibbs sweeps from "
            "random states (what `RBM.sample` returns). NADE and the single-mask MADEs draw pixel i as 1 when a "
            "uniform number u_i is below p(x_i = 1 | x_<i), with the same u from the same seed, so where two "
            "models agree on a conditional their samples agree: similar images across those rows show similar "
            "conditionals, not copying."), figures["sampling_time"], (
            f"Time per image when drawing {s['num_samples']} images at once (one dot per timed repeat; below "
            "each name, the sequential network evaluations one image needs). Medians: "
            + ", ".join(f"{name} {value:.3g} ms" for name, value in ms.items())
            + f". An exact NADE sample costs {ms[NADE_] / ms[rbm]:.2g} times an RBM sample after {gibbs} Gibbs "
            f"sweeps (which is still only approximately from the RBM's distribution); a MADE sample ({m['_dim']} "
            f"full passes) {ms[MADE_] / ms[VAE_]:.2g} times a VAE sample (one decoder pass).")])
