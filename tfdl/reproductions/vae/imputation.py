"""Section 10: imputation: filling the hidden bottom half of test images."""

import numpy as np
from sklearn.neighbors import NearestNeighbors

from tfdl import claims, plotting, tables
from tfdl.report import Section
from tfdl.reproductions.vae.training import array, load, models, paired, shared_settings

# Mean squared error on the hidden pixels (binary targets); 0.002 is about 3% of the
# error of filling with the mean training pixel on digits.
MSE_MARGIN = 0.002
FILL_NEIGHBOURS = 10  # nearest-neighbour imputation: mean of this many training bottoms
IMPUTE_STEPS = 50  # clamped encode/decode iterations
VAE_FILL, AE_FILL, NN_COPY, NN_FILL, MEAN_FILL = ("VAE (clamped iterations)", "AE (clamped iterations)", "1-NN copy",
                                                  f"{FILL_NEIGHBOURS}-NN mean", "mean training pixel")
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
    """Nearest-neighbour and mean-pixel fills of the bottom half of ``x_eval``."""
    known = known_top(d)
    search = NearestNeighbors(n_neighbors=FILL_NEIGHBOURS).fit(d.x[:, known])
    _, index = search.kneighbors(d.x_eval[:, known])
    fills = {NN_COPY: d.x[index[:, 0]], NN_FILL: d.x[index].mean(1), MEAN_FILL: d.x.mean(0)[None]}
    return {name: np.where(known, d.x_eval, fill) for name, fill in fills.items()}


def hidden_mse(filled, d):
    return float(np.mean((filled - d.x_eval)[:, ~known_top(d)] ** 2))


class Imputation(Section):
    """The VAE's and the AE's clamped iterations against nearest-neighbour and mean-pixel fills."""

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
            imputed = {VAE_FILL: clamped(m.vae, d.x_eval, known), AE_FILL: clamped(m.ae, d.x_eval, known)}
            seeds.append({"seed": m.seed, "imputation_mse": {name: hidden_mse(v, d) for name, v in imputed.items()}})
            shown = shown or {name: v[:10] for name, v in imputed.items()}
        return {"baseline_imputation_mse": {name: hidden_mse(v, d) for name, v in fills.items()},
                "eval_images": len(d.x_eval), "seeds": seeds,
                "_shown": {**shown, NN_FILL: fills[NN_FILL][:10]}}

    def judge(self, run, s, m):
        seeds = m["seeds"]
        vae = [r["imputation_mse"][VAE_FILL] for r in seeds]
        return [
            claims.claim(
                "vs_nearest_neighbours", QUOTE, f"VAEs fill in missing data (vs the {NN_FILL} fill)",
                f"hidden-pixel MSE, bottom half of {m['eval_images']} test images hidden; the {NN_FILL} fill is "
                "deterministic (the same for every seed)",
                paired(vae, [m["baseline_imputation_mse"][NN_FILL]] * len(seeds), ("VAE", NN_FILL), "lower",
                       MSE_MARGIN)),
            claims.claim(
                "vs_ae", QUOTE, "VAEs fill in missing data (vs the AE)",
                "hidden-pixel MSE, the same clamped iterations for both",
                claims.compare(vae, [r["imputation_mse"][AE_FILL] for r in seeds], names=("VAE", "AE"),
                               better="lower", margin=MSE_MARGIN)),
        ]

    def draw(self, run, s, m):
        d = load(run, s)
        masked = np.where(known_top(d), d.x_eval, 0.5)
        shown = m["_shown"]
        return {"imputation": (
            plotting.image_grid(np.concatenate([d.x_eval[:10], masked[:10]] + list(shown.values())), d.shape,
                                2 + len(shown), ["test image", "top half given"] + list(shown),
                                title="imputation of the bottom half (first seed)"),
            "imputation: VAE, AE, nearest neighbours")}

    def write(self, run, s, m, figures):
        seeds = m["seeds"]
        rows = [[name, tables.mean_se([r["imputation_mse"][name] for r in seeds], 4)] for name in (VAE_FILL, AE_FILL)]
        rows += [[name, f"{value:.4f}"] for name, value in m["baseline_imputation_mse"].items()]
        return (
            f"The top half of {m['eval_images']} test images is given and the bottom half hidden. The VAE and the "
            f"AE fill it by {IMPUTE_STEPS} iterations of reconstruction with the known pixels clamped; the "
            "nearest-neighbour fills take the training images whose top halves are nearest and copy the bottom "
            f"of the nearest one, or average the bottoms of the {FILL_NEIGHBOURS} nearest (the claim's baseline: "
            "MSE rewards hedged, grey predictions, and the average hedges as the VAE does). Mean squared error on "
            "the hidden pixels:\n\n"
            + tables.markdown_table(["fill", tables.se_header("hidden-pixel MSE", len(seeds))], rows) + "\n\n"
            + figures["imputation"] + "\n\n"
            f"Rows: test image, top half given (grey: hidden), then the VAE, AE and {NN_FILL} fills (first seed)."
        )
