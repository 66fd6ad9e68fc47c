"""Section 10: imputation: filling the hidden bottom half of test images."""

import numpy as np
from sklearn.neighbors import NearestNeighbors

from tfdl import claims, plotting, tables
from tfdl.report import Section
from tfdl.reproductions.vae.training import all_converged, array, load, models, paired, shared_settings

# Mean squared error on the hidden pixels (binary targets); 0.002 is about 3% of the
# error of filling with the mean training pixel on digits.
MSE_MARGIN = 0.002
FILL_NEIGHBOURS = 10  # nearest-neighbour imputation: mean of this many training bottoms
IMPUTE_SAMPLES, IMPUTE_ROUNDS = 100, 3  # importance samples per image and round; proposals re-encoded
IMPUTE_STEPS = 50  # clamped encode/decode iterations
VAE_FILL, VAE_CLAMPED, AE_FILL = ("VAE (posterior mean given the top, importance-weighted)",
                                  "VAE (clamped iterations)", "AE (clamped iterations)")
NN_COPY, NN_FILL, MEAN_FILL, HALF_FILL = ("1-NN copy", f"{FILL_NEIGHBOURS}-NN mean", "mean training image",
                                          "constant 0.5")
QUOTE = "गुम डेटा (missing data) को भरने के लिए VAEs का उपयोग किया जा सकता है"


def known_top(d):
    """The mask of the given pixels: the top half of each image."""
    known = np.zeros(d.shape, bool)
    known[: d.shape[0] // 2] = True
    return known.reshape(-1)


def clamped(model, x, known):
    """Fills unknown pixels by iterating reconstruction with known pixels clamped."""
    filled = np.where(known, x, 0.5).astype("float32")
    for _ in range(IMPUTE_STEPS):
        filled = np.where(known, x, array(model.reconstruct(filled)))
    return filled


def baseline_fills(d):
    """Nearest-neighbour, mean-image and constant fills of the bottom half of ``x_eval``."""
    known = known_top(d)
    search = NearestNeighbors(n_neighbors=FILL_NEIGHBOURS).fit(d.x[:, known])
    _, index = search.kneighbors(d.x_eval[:, known])
    fills = {NN_COPY: d.x[index[:, 0]], NN_FILL: d.x[index].mean(1), MEAN_FILL: d.x.mean(0)[None],
             HALF_FILL: np.full((1, d.dims), 0.5)}
    return {name: np.where(known, d.x_eval, fill) for name, fill in fills.items()}


def hidden_mse(filled, d):
    return float(np.mean((filled - d.x_eval)[:, ~known_top(d)] ** 2))


def given_kept(filled, d):
    """Largest |difference| between a fill and the test images on the given (top) pixels."""
    return float(np.max(np.abs(filled - d.x_eval)[:, known_top(d)]))


class Imputation(Section):
    """The VAE's posterior mean given the top half against the AE, nearest-neighbour, mean-image and
    constant fills."""

    name = "imputation"
    title = "Imputation"

    def settings(self, run):
        return shared_settings(run)

    def measure(self, run, s):
        d = load(run, s)
        known = known_top(d)
        fills = baseline_fills(d)
        seeds, shown = [], None
        for m in models(run, s):
            run.progress(f"seed {m.seed}: imputation, {IMPUTE_ROUNDS} rounds of {IMPUTE_SAMPLES} importance samples")
            imputed = {VAE_FILL: array(m.vae.impute(d.x_eval, known, IMPUTE_SAMPLES, IMPUTE_ROUNDS, seed=m.seed)),
                       VAE_CLAMPED: clamped(m.vae, d.x_eval, known), AE_FILL: clamped(m.ae, d.x_eval, known)}
            seeds.append({"seed": m.seed, "imputation_mse": {name: hidden_mse(v, d) for name, v in imputed.items()},
                          "given_kept_max_difference": given_kept(imputed[VAE_FILL], d)})
            shown = shown or {name: v[:10] for name, v in imputed.items()}
        return {"baseline_imputation_mse": {name: hidden_mse(v, d) for name, v in fills.items()},
                "eval_images": len(d.x_eval), "seeds": seeds,
                "_shown": {**shown, NN_FILL: fills[NN_FILL][:10], MEAN_FILL: fills[MEAN_FILL][:10]}}

    def judge(self, run, s, m):
        seeds, trained = m["seeds"], models(run, s)
        vae = [r["imputation_mse"][VAE_FILL] for r in seeds]
        fills = m["baseline_imputation_mse"]
        measured = (f"hidden-pixel MSE, bottom half of {m['eval_images']} test images hidden; the fill is "
                    "deterministic (the same for every seed)")

        def against(id, fill, gloss):
            return claims.claim(id, QUOTE, gloss, measured, paired(vae, [fills[fill]] * len(seeds), ("VAE", fill),
                                                                   "lower", MSE_MARGIN),
                                converged=all_converged(trained, ("VAE",)))

        return [
            against("vs_mean_image", MEAN_FILL, f"VAEs fill in missing data (vs the {MEAN_FILL}, the trivial fill)"),
            against("vs_nearest_neighbours", NN_FILL, f"VAEs fill in missing data (vs the {NN_FILL} fill)"),
            claims.claim(
                "vs_ae", QUOTE, "VAEs fill in missing data (vs the AE)",
                "hidden-pixel MSE: the VAE's posterior mean vs the AE's clamped iterations (the AE has no posterior)",
                claims.compare(vae, [r["imputation_mse"][AE_FILL] for r in seeds], names=("VAE", "AE"),
                               better="lower", margin=MSE_MARGIN),
                converged=all_converged(trained)),
            claims.check(
                "given_pixels_kept", "the VAE's imputation returns the given pixels unchanged",
                "largest |fill − test image| on the given top halves, over seeds",
                claims.bound(max(r["given_kept_max_difference"] for r in seeds), 0.0, "largest difference")),
        ]

    def draw(self, run, s, m):
        d = load(run, s)
        masked = np.where(known_top(d), d.x_eval, 0.5)
        shown = m["_shown"]
        return {"imputation": (
            plotting.image_grid(np.concatenate([d.x_eval[:10], masked[:10]] + list(shown.values())), d.shape,
                                2 + len(shown), ["test image", "top half given"] + list(shown),
                                title="imputation of the bottom half (first seed)"),
            "imputation: VAE, AE, nearest neighbours, mean image")}

    def write(self, run, s, m, figures):
        seeds = m["seeds"]
        rows = [[name, tables.mean_se([r["imputation_mse"][name] for r in seeds], 4)]
                for name in (VAE_FILL, VAE_CLAMPED, AE_FILL)]
        rows += [[name, f"{value:.4f} (deterministic)"] for name, value in m["baseline_imputation_mse"].items()]
        return (
            f"The top half of {m['eval_images']} test images is given and the bottom half hidden. Hidden pixels "
            "are binary, so the fill with the least expected squared error is the probability of each hidden "
            "pixel given the top half. The VAE estimates it as its posterior mean: `VAE.impute` draws "
            f"{IMPUTE_SAMPLES} codes z from q(z|x) (the encoder on the current fill, which starts as the decoded "
            "prior mean), weights each by p(top | z) p(z) / q(z|x), in which only the given pixels count, and "
            f"averages the decoded bottoms; {IMPUTE_ROUNDS} rounds, each re-encoding the new fill. The earlier "
            f"procedure, {IMPUTE_STEPS} reconstructions with the given pixels clamped, is shown for the VAE and is "
            "the AE's (it has no posterior to weight by). Trivial fills, which any method must beat: the mean "
            "training image, the constant 0.5; nearest neighbours: the training images whose top halves are "
            f"nearest, copying the bottom of the nearest one or averaging the bottoms of the {FILL_NEIGHBOURS} "
            "nearest (MSE rewards hedged, grey predictions, and the average hedges). Mean squared error on the "
            "hidden pixels:\n\n"
            + tables.markdown_table(["fill", tables.se_header("hidden-pixel MSE", len(seeds))], rows) + "\n\n"
            + figures["imputation"] + "\n\n"
            "Rows: test image, top half given (grey: hidden), then the fills (first seed)."
        )
