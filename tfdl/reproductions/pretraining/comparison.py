"""Sections 3-6: fine-tuning against random initialisation, generalisation, vanishing gradients and cost."""


import numpy as np
from matplotlib.ticker import MaxNLocator

from tfdl import claims, plotting, tables
from tfdl.report import Section
from tfdl.reproductions.pretraining.common import (
    BASELINE, COST_RATIO, COST_TOLERANCE, DBN_FROZEN, DBN_FT, ERROR_MARGIN, FINE_TUNING, GRADIENT_MARGIN, LEVEL_TAIL,
    LEVEL_TOLERANCE, NETWORKS, PATIENCE, PRETRAINED, RANDOM, RELU, SAE_FT, SAE_RELU, STOPPED, VARIANTS, budget,
    comparison_settings, images, units_text)
from tfdl.reproductions.pretraining.fine_tuning import compare, mean, per_seed
from tfdl.reproductions.pretraining.stacks import pretrained


SHORT = {DBN_FT: "dbn", SAE_FT: "sae", SAE_RELU: "sae_relu"}  # claim ids


def labels(fraction):
    return f"{100 * fraction:g}% labels"


def converged(results, variants, fraction):
    """Whether every seed's run of every one of ``variants`` at ``fraction`` converged."""
    return all(r["converged"] for v in variants for r in results[(v, fraction)])


def lower_error(results, a, b, fraction, key="test_error"):
    """``a``'s error against ``b``'s (lower is better), beyond ``ERROR_MARGIN`` points."""
    return claims.compare(per_seed(results, a, fraction, key), per_seed(results, b, fraction, key), names=(a, b),
                          better="lower", margin=ERROR_MARGIN)


def converged_text(values):
    return f"{sum(r['converged'] for r in values)} of {len(values)}" if "converged" in values[0] else "-"


def summary(results, pre_seconds, s):
    """Per variant and fraction: errors per seed, seconds, epochs, parameters, the mean validation curve."""
    rows, recorded = [], {}
    for fraction in s["fractions"]:
        for variant in VARIANTS:
            values = results[(variant, fraction)]
            test, train = (per_seed(results, variant, fraction, k) for k in ("test_error", "train_error"))
            seconds = [float(r["seconds"][-1]) for r in values]
            epochs = [len(r["curve"]) for r in values]
            recorded[f"{variant} @ {fraction:g}"] = {
                "test_error_pct": test, "train_error_pct": train, "fine_tuning_seconds": seconds, "epochs": epochs,
                "parameters": values[0]["parameters"], "converged": [r.get("converged") for r in values],
                "validation_error_curve_pct": [np.asarray(r["curve"]).tolist() for r in values],
            }
            network = next(n for n in NETWORKS if variant in (n, STOPPED[n]))
            total = np.mean(seconds) + (np.mean(pre_seconds[PRETRAINED[network]]) if network in PRETRAINED else 0.0)
            rows.append([variant, f"{100 * fraction:g}%", ", ".join(map(str, epochs)), converged_text(values),
                         tables.mean_se(train), tables.mean_se(test), tables.mean_se(np.subtract(test, train)),
                         total])
    return recorded, rows


def curves_figure(results, pre_seconds, s):
    """Validation error against fine-tuning epochs and against wall time (pre-training included), per seed."""
    figure, axes = plotting.figure(13, 3.8 * len(s["fractions"]), rows=len(s["fractions"]), columns=2,
                                   squeeze=False)
    for row, fraction in zip(axes, s["fractions"]):
        for position, network in enumerate(NETWORKS):
            offset = np.mean(pre_seconds[PRETRAINED[network]]) if network in PRETRAINED else 0.0
            for seed, r in enumerate(results[(STOPPED[network], fraction)]):
                label, curve = (network if not seed else None), r["curve"]
                style = dict(color=f"C{position}", alpha=0.7, linewidth=1, label=label)
                row[0].plot(np.arange(1, len(curve) + 1), curve, **style)
                row[1].plot(offset + np.asarray(r["seconds"]), curve, **style)
                if network in PRETRAINED:
                    row[1].plot([0, offset], [curve[0], curve[0]], color=f"C{position}", linestyle=":", alpha=0.7)
        row[0].axvline(s["fine_epochs"], color="gray", linestyle="--", linewidth=0.8)
        row[0].xaxis.set_major_locator(MaxNLocator(integer=True))
        row[0].set_xlabel(f"fine-tuning epoch (dashed: {s['fine_epochs']}, where early stopping may begin)")
        row[1].set_xlabel("wall time (s): pre-training (dotted) + fine-tuning")
        for axis in row:
            axis.set(ylabel="validation error (%; axis not from 0)",
                     title=f"{labels(fraction)}: one line per seed ({len(s['seeds'])} seed(s))")
            axis.legend(fontsize=7)
    return figure


def variants_text(s):
    """The list of variants and how they are fine-tuned."""
    epochs, units = s["fine_epochs"], len(s["units"])
    return (
        f"- **{RANDOM}**: traditional training, Glorot-uniform weights (Keras' default).\n"
        f"- **{RELU}**: the article's other `f`, ReLU hidden units with He-uniform weights.\n"
        f"- **{DBN_FT}** / **{SAE_FT}**: initialised from section 2's sigmoid stacks.\n"
        f"- **{SAE_RELU}**: initialised from section 2's ReLU stack, ReLU hidden units kept;\n"
        f"  compared with **{RELU}**, the same network from random weights.\n"
        f"- **{DBN_FROZEN}**: the article's \"weights of the pre-trained layers are fixed\": only the softmax "
        "trains.\n\n"
        f"Each is read twice. **After {epochs} epochs**: the pre-trained networks' fine-tuning budget. "
        f"**Early-stopped**: the same run continued until its validation loss had not improved for {PATIENCE} "
        f"epochs, at most {budget(s)} epochs = {epochs} + {units} layers x {s['pre_epochs']} pre-training "
        "epochs (as many passes over the training images as pre-training plus fine-tuning used: a "
        "pre-training pass updates one layer only, so this budget is generous to random init), with the "
        "weights of its best validation epoch. A run *converged* when early stopping ended it or its "
        f"validation error levelled off (the last {100 * LEVEL_TAIL:g}% of its epochs improved the best by at "
        f"most {LEVEL_TOLERANCE:g} points); claims about trained networks compare early-stopped networks, and "
        "one that did not converge makes the verdict `inconclusive (not converged)`. With a constant learning "
        f"rate and one seed, the {epochs}-epoch reading is the same run as the early-stopped one, stopped at "
        f"epoch {epochs} (weights saved then)."
    )


class FineTuning(Section):
    """Step 4: every variant fine-tuned; better initialisation, easier training, fine-tuning needed."""

    name = "fine_tuning"
    title = "Fine-tuning (step 4) against random initialisation"

    def settings(self, run):
        return comparison_settings(run)

    def measure(self, run, s):
        results, pre_seconds = compare(run, s), pretrained(run, s)["seconds"]
        recorded, rows = summary(results, pre_seconds, s)
        return {"comparison": recorded, "start_difference": results["start_difference"],
                "frozen_change": results["frozen_change"], "_results": results, "_rows": rows,
                "_pre_seconds": pre_seconds}

    def judge(self, run, s, m):
        results, first = m["_results"], s["fractions"][0]
        first_epoch = {v: [float(r["curve"][0]) for r in results[(v, first)]] for v in (DBN_FT, RANDOM)}
        area = {v: [float(np.mean(r["curve"])) for r in results[(v, first)]] for v in (DBN_FT, RANDOM)}
        start = max(max(values) for values in m["start_difference"].values())
        return [
            claims.claim(
                "initialisation", "यह Model को बेहतर Weight Initialization प्रदान करता है।",
                "pre-training gives a better initialisation than random initialisation",
                f"validation error % after 1 fine-tuning epoch, {labels(first)}",
                claims.compare(first_epoch[DBN_FT], first_epoch[RANDOM], names=(DBN_FT, RANDOM), better="lower",
                               margin=ERROR_MARGIN)),
            claims.claim(
                "easier_training", "Deep Networks को Train करना आसान बनाता है। / … Deep Neural Networks को अधिक "
                "प्रभावी और तेज़ी से Train करने के लिए किया जाता है।",
                "it makes deep networks easier and faster to train",
                f"mean validation error % over the first {s['fine_epochs']} fine-tuning epochs (area under the "
                "learning curve)",
                claims.compare(area[DBN_FT], area[RANDOM], names=(DBN_FT, RANDOM), better="lower",
                               margin=ERROR_MARGIN)),
            claims.claim(
                "fine_tuning_needed", "Fine-Tuning के बिना Model Optimal Performance नहीं दे सकता।",
                "without fine-tuning the model cannot give optimal performance",
                f"test error %, early-stopped: {DBN_FT} vs {DBN_FROZEN} (only the softmax trains), {labels(first)}",
                lower_error(results, STOPPED[DBN_FT], STOPPED[DBN_FROZEN], first),
                converged=converged(results, (STOPPED[DBN_FT], STOPPED[DBN_FROZEN]), first)),
            claims.check(
                "starts_from_stack", "each pre-trained network starts from its stack: before fine-tuning its hidden "
                "layers compute the stack's transform", "largest |hidden output - stack transform| on 256 training "
                "images, over variants, seeds and label fractions",
                claims.bound(start, 1e-5, "largest difference")),
            claims.check(
                "frozen_fixed", f"{DBN_FROZEN}: the pre-trained layers' weights stay fixed during fine-tuning",
                "largest change of a hidden-layer weight after fine-tuning, over seeds and label fractions",
                claims.bound(max(m["frozen_change"]), 0.0, "largest change")),
        ]

    def draw(self, run, s, m):
        return {"learning_curves": (curves_figure(m["_results"], m["_pre_seconds"], s),
                                    "validation error during fine-tuning")}

    def write(self, run, s, m, figures):
        data, results, first = images(run, s), m["_results"], s["fractions"][0]
        (x, y), n_valid, n_test = data["train"], len(data["valid"][0]), len(data["test"][0])
        one_epoch = ", ".join(f"{v} {np.mean([r['curve'][0] for r in results[(v, first)]]):.2f}%"
                              for v in results["norms"])
        seeds = s["seeds"]
        table = tables.markdown_table(
            ["variant", "labels", "epochs (per seed)", "converged", tables.se_header("train error %", seeds),
             tables.se_header("test error %", seeds), tables.se_header("gap (test - train)", seeds), "total s"],
            m["_rows"])
        return "\n\n".join([
            f"Every network is a {x.shape[1]}-{units_text(s)}-{int(y.max()) + 1} MLP with a softmax on top, "
            f"fine-tuned by SGD({FINE_TUNING['learning_rate']}, momentum {FINE_TUNING['momentum']}, gradients "
            f"clipped to norm {FINE_TUNING['clipnorm']:g}: without the clip the ReLU-pre-trained network, whose "
            f"features are larger than a random ReLU network's, diverged), batch {s['fine_batch']}, with the "
            "labelled images repeated to the size of the training set so that every run makes the same number "
            f"of updates per epoch; the validation set is {n_valid} images of the data set's validation split, "
            "apart from the training and test images. Variants:",
            variants_text(s),
            "Both of the article's `f` are pre-trained: sigmoid (DBN, SAE) and ReLU (SAE (ReLU)). The RBMs stay "
            "sigmoid: their hidden units are binary (Bernoulli), as in the papers.",
            f"Seeds: {seeds}. Train error is on the distinct labelled images, test error on all {n_test} "
            "test images; ± is the standard error of the mean over seeds; total s = pre-training (for "
            "pre-trained variants) + fine-tuning wall time (mean over seeds), validation excluded, on this "
            "machine.",
            table, figures["learning_curves"],
            f"Left: validation error after each fine-tuning epoch, one line per seed, each run to its early "
            "stop. Right: the same curves against wall time, with the pre-trained variants shifted right by "
            "their pre-training time (dotted): at equal wall time the figure shows which start pays off. After "
            f"one epoch at {labels(first)} the validation errors are {one_epoch} (mean over seeds).",
        ])


class Generalisation(Section):
    """Test error of each pre-trained variant against its random-init twin, and the train-test gap."""

    name = "generalisation"
    title = "Generalisation: test error and the train-test gap"

    def settings(self, run):
        return comparison_settings(run)

    def measure(self, run, s):
        results = compare(run, s)
        gaps = {v: {f"{f:g}": np.subtract(per_seed(results, v, f, "test_error"),
                                          per_seed(results, v, f, "train_error")).tolist()
                    for f in s["fractions"]} for v in STOPPED.values()}
        return {"gap_test_minus_train_pct": gaps, "_results": results}

    def judge(self, run, s, m):
        results, first = m["_results"], s["fractions"][0]
        rows = [claims.claim(
            f"better_than_random.{SHORT[variant]}.labels_{100 * fraction:g}",
            "Model Performance | बेहतर Generalization | कम Generalization",
            f"better generalisation than traditional (random-init) training: {variant}, {labels(fraction)}",
            f"test error %, early-stopped: {variant} vs {baseline}, same architecture, units and epoch limit",
            lower_error(results, STOPPED[variant], STOPPED[baseline], fraction),
            converged=converged(results, (STOPPED[variant], STOPPED[baseline]), fraction))
            for fraction in s["fractions"] for variant, baseline in BASELINE.items()]
        gaps, ours, theirs = m["gap_test_minus_train_pct"], STOPPED[DBN_FT], STOPPED[RANDOM]
        rows.append(claims.claim(
            "gap", "Model की Generalization क्षमता बढ़ाता है।",
            "it increases the model's capacity to generalise (smaller gap between train and test error)",
            f"test minus train error (points), early-stopped: {DBN_FT} vs {RANDOM}, {labels(first)}",
            claims.compare(gaps[ours][f"{first:g}"], gaps[theirs][f"{first:g}"], names=(ours, theirs),
                           better="lower", margin=ERROR_MARGIN),
            converged=converged(results, (ours, theirs), first)))
        return rows

    def draw(self, run, s, m):
        results, judged = m["_results"], list(STOPPED.values())
        figure, axes = plotting.figure(6.5 * len(s["fractions"]), 3.8, columns=len(s["fractions"]), squeeze=False)
        width, position = 0.4, np.arange(len(judged))
        for axis, fraction in zip(axes[0], s["fractions"]):
            for shift, key, label in ((-width / 2, "train_error", "train"), (width / 2, "test_error", "test")):
                values = [per_seed(results, v, fraction, key) for v in judged]
                errors = [np.std(v, ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0 for v in values]
                axis.bar(position + shift, [np.mean(v) for v in values], width, yerr=errors, label=label)
            axis.set_xticks(position, NETWORKS, rotation=30, ha="right", fontsize=7)
            axis.set(ylabel="error (%)", title=f"{labels(fraction)}, early-stopped: train and test error\n"
                                               f"(mean; bars ± s.e. over {len(s['seeds'])} seed(s))")
            axis.legend()
        return {"test_error": (figure, "train and test error per variant, early-stopped")}

    def write(self, run, s, m, figures):
        results, first = m["_results"], s["fractions"][0]
        gap = {v: mean(results, STOPPED[v], first) - mean(results, STOPPED[v], first, "train_error")
               for v in (DBN_FT, RANDOM)}
        return (
            figures["test_error"] + "\n\n"
            "Train (left bars) and test (right bars) error of each early-stopped network: the distance between "
            "the two bars is the generalisation gap of section 3's table. The claims compare early-stopped "
            f"networks only. At {labels(first)} the gap is {gap[DBN_FT]:.2f} points for {DBN_FT} and "
            f"{gap[RANDOM]:.2f} for {RANDOM} (means over seeds)."
        )


class Vanishing(Section):
    """Per-layer gradient norms before fine-tuning: does pre-training enlarge the bottom layer's gradient?"""

    name = "vanishing"
    title = "Vanishing gradients at the start of fine-tuning"

    def settings(self, run):
        return comparison_settings(run)

    def measure(self, run, s):
        norms = compare(run, s)["norms"]
        return {"gradient_norms_at_start": {v: np.mean(n, axis=0).tolist() for v, n in norms.items()},
                "bottom_gradient_norm": {v: [float(n[0]) for n in values] for v, values in norms.items()},
                "bottom_over_top_hidden": {v: [float(n[0] / n[-2]) for n in values] for v, values in norms.items()},
                "_norms": norms}

    def judge(self, run, s, m):
        bottom, ratio = m["bottom_gradient_norm"], m["bottom_over_top_hidden"]
        parts = "; ".join(f"{v}: bottom {tables.mean_se(bottom[v])}, bottom / top hidden "
                          f"{tables.mean_se(ratio[v])}" for v in (DBN_FT, RANDOM))
        return [claims.claim(
            "vanishing_gradient", "Vanishing Gradient Problem को कम करता है।",
            "it reduces the vanishing-gradient problem",
            "log10 ||dL/dW|| of the bottom layer itself at the start of fine-tuning (it must grow; the ratio to "
            f"the top hidden layer is printed beside it, it does not decide). {parts}",
            claims.compare(np.log10(bottom[DBN_FT]), np.log10(bottom[RANDOM]), names=(DBN_FT, RANDOM),
                           better="higher", margin=GRADIENT_MARGIN))]

    def draw(self, run, s, m):
        figure, axis = plotting.figure(6.5, 3.6)
        for variant, values in m["gradient_norms_at_start"].items():
            axis.semilogy(range(1, len(values) + 1), values, marker="o", label=variant)
        axis.set_xticks(range(1, len(values) + 1))
        axis.set(xlabel="layer (1 = bottom, last = softmax)", ylabel="||dL/dW|| (log scale)",
                 title="Per-layer gradient norms before fine-tuning (mean over seeds)")
        axis.legend(fontsize=8)
        return {"gradient_norms": (figure, "per-layer gradient norms at the start of fine-tuning")}

    def write(self, run, s, m, figures):
        norms, seeds = m["gradient_norms_at_start"], s["seeds"]
        table = tables.markdown_table(["variant"] + [f"layer {i + 1}" for i in range(len(s["units"]) + 1)],
                                      [[v] + [float(n) for n in values] for v, values in norms.items()])
        parts = tables.markdown_table(
            ["variant", tables.se_header("bottom layer gradient norm ‖dL/dW‖", seeds),
             tables.se_header("bottom / top hidden layer", seeds)],
            [[v, tables.mean_se(m["bottom_gradient_norm"][v]), tables.mean_se(m["bottom_over_top_hidden"][v])]
             for v in norms])
        return "\n\n".join([
            figures["gradient_norms"],
            f"Per-layer gradient norms of the cross-entropy at the start of fine-tuning (before any update, "
            f"{labels(s['fractions'][0])}, 256 training images), mean over seeds. A vanishing gradient shows as "
            "bottom layers with much smaller norms than the top ones:",
            table,
            "The claim is judged on the bottom layer's own gradient norm: a ratio to the top hidden layer can "
            "rise because the top layer's gradient falls while the bottom one's does too. Both, per variant:",
            parts,
        ])


class Cost(Section):
    """Pre-training's cost: the same budget given to random init, and wall time against fine-tuning."""

    name = "cost"
    title = "Cost: the same budget, and wall time"

    def settings(self, run):
        return comparison_settings(run)

    def measure(self, run, s):
        results, pre_seconds = compare(run, s), pretrained(run, s)["seconds"]
        fine_seconds = [float(r["seconds"][-1]) for r in results[(DBN_FT, s["fractions"][0])]]
        return {"dbn_pretraining_seconds": pre_seconds["DBN"], "dbn_fine_tuning_seconds": fine_seconds,
                "_results": results}

    def judge(self, run, s, m):
        results, first = m["_results"], s["fractions"][0]
        cost = float(np.mean(m["dbn_pretraining_seconds"]) / np.mean(m["dbn_fine_tuning_seconds"]))
        return [
            claims.claim(
                "efficient", "Computationally Efficient होता है।",
                "it is computationally efficient (better use of the same budget)",
                f"test error %, {DBN_FT} ({len(s['units'])}x{s['pre_epochs']} pre-training + {s['fine_epochs']} "
                f"fine-tuning epochs) vs {STOPPED[RANDOM]} (at most {budget(s)} fine-tuning epochs, best "
                "validation epoch kept): a comparison at a fixed budget, so convergence is not required",
                lower_error(results, DBN_FT, STOPPED[RANDOM], first)),
            claims.claim(
                "expensive", "Computationally Expensive हो सकता है, खासकर Large Datasets पर।",
                "it can be computationally expensive, especially on large data sets",
                f"DBN pre-training wall time / its {s['fine_epochs']} fine-tuning epochs' wall time "
                f"({labels(first)}), mean over seeds",
                claims.bound(cost, COST_RATIO, "pre-training / fine-tuning seconds", below=False,
                             tolerance=COST_TOLERANCE)),
        ]

    def write(self, run, s, m, figures):
        return (
            "The article states both \"Computationally Efficient\" (its section 7) and \"Computationally "
            "Expensive\" (its section 8); both are tested. Efficient: the pre-trained network against the "
            f"random-init one given up to the same total number of passes over the images ({budget(s)} epochs). "
            f"Expensive: DBN pre-training took {np.mean(m['dbn_pretraining_seconds']):.1f} s and its "
            f"{s['fine_epochs']} fine-tuning epochs {np.mean(m['dbn_fine_tuning_seconds']):.1f} s (mean over "
            "seeds, this machine)."
        )
