"""Section 3: MADE: masks, one feed-forward pass against NADE's recursion, depth and mask ensembles."""

import math

import numpy as np
import tensorflow as tf

from tfdl import claims, plotting, tables
from tfdl.report import Section
from tfdl.reproductions.autoregressive import density
from tfdl.reproductions.autoregressive.density import (DEEP, ENSEMBLE, MADE_, MADES, NADE_, NLL_MARGIN, RBM_,
                                                       SPEED_MARGIN, VAE_)
from tfdl.reproductions.autoregressive.figures import training_curves
from tfdl.reproductions.autoregressive.nade import epochs_text, optimizer_text

MASKING = ("… masking technique का उपयोग करता है ताकि प्रत्येक आउटपुट केवल अपने "
           "पिछले इनपुट्स पर निर्भर हो। यह पूरी तरह से feedforward architecture में लागू होता है।")


def leaks(model, x):
    """Largest |d logit_i / d x_j| over pairs with order(j) >= order(i), every mask set: [masks]."""
    x = tf.constant(x)
    found = []
    for k in range(model.num_masks):
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = model(x, mask_index=k)
        jacobian = np.abs(tape.batch_jacobian(logits, x).numpy())
        positions = model.orders[k]
        found.append(float(jacobian[:, positions[None, :] >= positions[:, None]].max()))
    return found


def nll_figure(results, vae_result, fit, baseline):
    """Test NLL per model, one dot per seed, the y-axis from 0; the independent-pixel model as a line."""
    names = list(results)
    figure, axis = plotting.figure(9, 3.8)
    for i, name in enumerate(names):
        nats = [r["nats"] for r in results[name]]
        axis.bar(i, np.mean(nats), color="lightgray" if fit[name]["status"] == density.LEARNED else "mistyrose")
        axis.plot([i] * len(nats), nats, "ko", ms=4, label="one seed" if i == 0 else None)
    axis.bar(len(names), vae_result["nats"], color="lightblue", label=f"{VAE_} (IWAE bound, one seed)")
    axis.axhline(baseline, color="gray", ls="--", label=f"independent pixels ({baseline:.1f})")
    labels = [f"{name}\n({fit[name]['status']})" if fit[name]["status"] != density.LEARNED else name
              for name in [*names, VAE_]]
    axis.set_xticks(range(len(names) + 1), labels, fontsize=7)
    axis.set_ylim(0, None)
    axis.set_ylabel("test NLL (nats per image)")
    axis.set_title("Test NLL per model (bars: mean over seeds; RBM by AIS, VAE by its bound)", fontsize=9)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the bars, not over them
    return figure


def results_table(m, s, dim):
    """Every density model's test NLL, size, status against independent pixels, convergence, epochs and times;
    the VAE's importance-weighted bound. Models that learned are ranked; the others are not."""
    fit, seeds = m["fitness"], len(s["seeds"])
    nats = {name: [r["nats"] for r in runs] for name, runs in m["results"].items()}
    nats[VAE_] = [m["vae"]["nats"]]
    ranked = sorted((n for n in nats if fit[n]["status"] == density.LEARNED), key=lambda n: np.mean(nats[n]))
    rows = []
    for name in nats:
        runs = m["results"].get(name, [m["vae"]])
        label = name if name != VAE_ else f"{VAE_} (IWAE k={s['iwae_samples']}, {m['vae']['num_examples']} images)"
        rank = ranked.index(name) + 1 if name in ranked else "-"
        rows.append([label, f"{m['weights'][name]:,}", tables.mean_se(nats[name]),
                     np.mean(nats[name]) / (dim * math.log(2)), fit[name]["status"], rank,
                     "yes" if fit[name]["converged"] else "no", np.mean([r["epochs"] for r in runs]),
                     np.mean([r["train_seconds"] for r in runs])])
    headers = ["model", "weights", tables.se_header("test NLL (nats)", seeds) + " (VAE: one seed)", "bits/dim",
               f"against independent pixels ({m['independent_pixels']['nats']:.2f} nats)",
               "rank (learned models only)", "converged on every seed", "epochs (mean)", "train s (mean)"]
    return tables.markdown_table(headers, rows)


class Made(Section):
    """Three MADEs (1 x H, 2 x H, 2 x H with K masks) against NADE; masks by gradients; one pass timed."""

    name = "made"
    title = "MADE: masks, one pass, depth and ensembles"

    def settings(self, run):
        return {**density.all_settings(run), "mask_images": run.at_most(8)}

    def measure(self, run, s):
        trained, x = density.trained(run), density.images(run)
        models = trained["models"]
        vae, vae_result = density.trained_vae(run)
        run.progress("MADE: masks (gradients), one pass against NADE's recursion")
        found = {name: leaks(models[name], x["test"][: s["mask_images"]]) for name in MADES}
        passes = {}
        for name in (NADE_, MADE_):
            one_pass = tf.function(lambda m=models[name]: m(x["test"]), autograph=False)
            passes[name] = density.timings(lambda i: one_pass(), s["repeats"])
        results = {name: trained["results"][name] for name in (NADE_, *MADES, RBM_)}
        baseline = density.independent_pixels(run)
        fit = density.fitness(results, baseline["nats"])
        fit.update(density.fitness({VAE_: [vae_result]}, vae_result["independent_pixels_nats"]))
        return {"results": results, "vae": vae_result, "independent_pixels": baseline, "fitness": fit,
                "weights": {**{name: density.weights(model) for name, model in models.items()},
                            VAE_: density.weights(vae)},
                "made_checks": {"max_forbidden_gradient": found, "one_pass_seconds": passes},
                "_histories": {name: trained["histories"][name] for name in (NADE_, *MADES)},
                "_dim": x["train"].shape[1], "_test": len(x["test"])}

    def judge(self, run, s, m):
        results, hidden, seeds, fit = m["results"], s["hidden"], len(s["seeds"]), m["fitness"]
        passes = m["made_checks"]["one_pass_seconds"]
        nats = {name: density.values(results, name) for name in results}
        worst = max(max(v) for v in m["made_checks"]["max_forbidden_gradient"].values())

        def versus(a, b):
            verdict = claims.compare(nats[a], nats[b], names=(a, b), better="lower", margin=NLL_MARGIN)
            return density.gated(verdict, (a, b), fit)

        return [
            claims.claim(
                "vs_nade", "MADE NADE का उन्नत रूप है …",
                "MADE is an advanced form of NADE (at NADE's size: one hidden layer of as many units)",
                f"test NLL (nats), MADE 1x{hidden} (1 mask) vs NADE {hidden} hidden (same parameter count), "
                f"{seeds} seeds, each stopped early on its validation NLL", **versus(MADE_, NADE_)),
            claims.check(
                "masks", "masks make each output depend only on earlier inputs, in a plain feed-forward network",
                f"largest |d logit_i / d x_j| with order(j) >= order(i), trained {', '.join(MADES)} "
                f"(all {s['num_masks']} mask sets of the ensemble), {s['mask_images']} test images",
                claims.bound(worst, 0.0, "max forbidden gradient")),
            claims.claim(
                "parallel", "✅ समानांतर गणना संभव।",
                "MADE computes in parallel: all D conditionals in one masked pass, against NADE's recursion",
                f"log10 seconds of one pass giving all {m['_dim']} conditionals of {m['_test']} test images, "
                f"MADE 1x{hidden} vs NADE {hidden} (same parameters and multiply-adds), {s['repeats']} timed repeats",
                claims.compare(density.log10(passes[MADE_]), density.log10(passes[NADE_]), names=(MADE_, NADE_),
                               better="lower", margin=SPEED_MARGIN)),
            self._gpu_claim(results),
            claims.claim(
                "deep", "✅ डीप ऑटोरेग्रेसिव नेटवर्क्स के लिए उपयोगी।",
                "MADE is useful for deep autoregressive networks (deep against shallow, one mask each)",
                f"test NLL (nats), MADE 2x{hidden} vs MADE 1x{hidden}, one mask, natural order, {seeds} seeds",
                **versus(DEEP, MADE_)),
            claims.claim(
                "ensemble", "(MADE paper, not the article) order- and connectivity-agnostic training with several masks",
                "an ensemble of masks beats one mask of the same network",
                f"test NLL (nats), MADE 2x{hidden} with {s['num_masks']} masks (mixture) vs 1 mask, {seeds} seeds",
                **versus(ENSEMBLE, DEEP)),
        ]

    def _gpu_claim(self, results):
        made, nade = density.values(results, MADE_, "epoch_seconds"), density.values(results, NADE_, "epoch_seconds")
        on_gpu = bool(tf.config.list_physical_devices("GPU"))
        return claims.claim(
            "gpu", "✅ GPU-अनुकूल प्रशिक्षण।", "MADE trains well on a GPU",
            f"seconds per training epoch, MADE vs NADE (same size); on this run's device NADE / MADE = "
            f"{np.mean(nade) / np.mean(made):.2f}",
            claims.compare(density.log10(made), density.log10(nade), names=(MADE_, NADE_), better="lower",
                           margin=SPEED_MARGIN) if on_gpu else None,
            reason=None if on_gpu else "no GPU in this run: the epoch times are on the CPU")

    def draw(self, run, s, m):
        figure = nll_figure(m["results"], m["vae"], m["fitness"], m["independent_pixels"]["nats"])
        return {"test_nll": (figure, "test NLL per model and seed"),
                "training_curves": (training_curves(m["_histories"], f"Training curves, seed {run.seed}"),
                                    "training and validation NLL per epoch")}

    def write(self, run, s, m, figures):
        hidden, masks = s["hidden"], s["num_masks"]
        return "\n\n".join([self._models(s), results_table(m, s, m["_dim"]), figures["test_nll"], (
            "Every model's test NLL, one dot per seed, the axis from 0; the dashed line is the independent-pixel "
            "model, which every model must beat to count as having learned (a red bar: it did not). The spread of "
            "the dots is the seed-to-seed noise the claims' 2-standard-error criterion is up against. The RBM's "
            "bar is an AIS estimate and the VAE's an importance-weighted bound (one seed), so only NADE's and the "
            "MADEs' are exact."),
            figures["training_curves"], (
            f"Training (solid) and validation (dashed) NLL per epoch for seed {run.seed}. The ensemble's training "
            f"loss is that of the one mask set used at each step, its validation loss that of the mixture of all "
            f"{masks}: it learns {masks} orders at once, so its curves fall more slowly than the single-mask "
            "models'. A validation curve that turns up while the training curve still falls is overfitting; early "
            f"stopping (patience {s['patience']}) keeps the weights of the lowest validation NLL. A model counts as "
            "converged when early stopping ended it or its last "
            f"{density.LEVEL_TAIL:.0%} of epochs improved its validation NLL by less than {NLL_MARGIN} nats; a "
            "claim on a model that had not converged on every seed is inconclusive (not converged)."),
            self._masks(s, m), self._one_pass(s, m, hidden)])

    def _models(self, s):
        hidden = s["hidden"]
        return (
            f"Three MADEs with natural order unless said: **MADE** 1x{hidden} (one hidden layer of {hidden} ReLU "
            "units, one mask: exactly NADE's number of weights and about its multiply-adds, 2·D·H per image), "
            f"**deep MADE** 2x{hidden} (one mask), **MADE ensemble** 2x{hidden} with {s['num_masks']} mask sets "
            "of random orders and connectivity, one per training step in turn, evaluated as the exact mixture "
            f"log (1/K) Σ_k p_k(x). The MADEs train with {optimizer_text(s['learning_rate'])}, NADE with "
            f"{optimizer_text(s['nade_learning_rate'])} (each rate the better of 3e-3 and 1e-2 on one seed's "
            f"validation NLL, chosen before this run), all with early stopping: {epochs_text(s)}.")

    def _masks(self, s, m):
        found = m["made_checks"]["max_forbidden_gradient"]
        return (
            f"**Masks.** The largest gradient of a logit with respect to an input at or after it in the model's "
            f"order, over {s['mask_images']} test images: MADE {max(found[MADE_]):.1g}, deep MADE "
            f"{max(found[DEEP]):.1g}, ensemble (all {s['num_masks']} mask sets) {max(found[ENSEMBLE]):.1g}. "
            "Exactly zero: each output sees only earlier inputs, in a plain feed-forward network.")

    def _one_pass(self, s, m, hidden):
        one_pass = {name: 1e3 * float(np.median(t)) for name, t in m["made_checks"]["one_pass_seconds"].items()}
        return (
            f"**One pass against NADE's recursion.** All {m['_dim']} conditionals of the {m['_test']} test images: "
            f"MADE 1x{hidden} in {one_pass[MADE_]:.1f} ms (two masked matrix products), NADE {hidden} in "
            f"{one_pass[NADE_]:.1f} ms (a loop of {m['_dim']} dependent steps, each a rank-1 update of the hidden "
            f"state; compiled by XLA); medians of {s['repeats']} timed repeats after one untimed call. Both do the "
            "same multiply-adds; MADE's come as two large matrix products, which is what parallel hardware is "
            "good at.")
