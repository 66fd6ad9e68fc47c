"""Section 3: the latent space of the AE and of the VAE."""

import numpy as np
from scipy.stats import norm
from sklearn.decomposition import PCA

from tfdl import plotting, tables
from tfdl.report import Section
from tfdl.reproductions.vae.training import array, class_names, load, models, pair, with_shared

MANIFOLD_SIZE = 15  # a 15 x 15 grid of z


def code_spread(m, d):
    """Standard deviation per dimension, mean over dimensions: the AE's codes, the VAE's posterior
    means, and the VAE's codes with their noise (variance of the means + mean posterior variance)."""
    test_mean, test_log_var = (array(t) for t in m.vae.encode(d.x_test))
    ae_test = array(m.ae.encode(d.x_test))
    return {"AE": float(np.mean(ae_test.std(0))), "VAE": float(np.mean(test_mean.std(0))),
            "VAE with noise": float(np.mean(np.sqrt(test_mean.var(0) + np.exp(test_log_var).mean(0))))}, (
        ae_test, test_mean)


def manifold(run, s, d, vae):
    """The decoder on a grid of a 2-D latent space; a 2-D VAE is trained for it if ``vae``'s is not 2-D."""
    if s["latent_dim"] != 2:
        run.progress(f"a 2-D VAE for the manifold figure, {s['manifold_epochs']} epochs")
        vae, _ = pair(run, s, d.dims, run.seed, latent_dim=2)
        vae.fit(d.x, epochs=s["manifold_epochs"], batch_size=s["batch_size"], verbose=run.verbose)
    ticks = norm.ppf(np.linspace(0.05, 0.95, MANIFOLD_SIZE))
    points = np.stack(np.meshgrid(ticks, ticks[::-1]), -1).reshape(-1, 2).astype("float32")
    return array(vae.decode(points)), ticks


def codes_figure(codes, labels, label_names):
    figure, axes = plotting.figure(10, 4.3, columns=2)
    for axis, z, name in zip(axes, codes, ("AE codes", "VAE posterior means")):
        names = ("z[0]", "z[1]")
        if z.shape[1] > 2:
            z, names = PCA(2).fit_transform(z), ("principal component 1 of z", "principal component 2 of z")
        points = axis.scatter(z[:, 0], z[:, 1], c=labels, cmap="tab10", s=4)
        axis.set(title=f"{name}, test images", xlabel=names[0], ylabel=names[1])
    figure.colorbar(points, ax=axes, label="class").set_ticks(np.unique(labels), labels=label_names)
    return figure


class LatentSpace(Section):
    """The AE's codes and the VAE's posterior means of the test images; a 2-D VAE's decoder on a grid."""

    name = "latent_space"
    title = "The latent space: AE vs VAE"

    def settings(self, run):
        # the 2-D VAE draws a picture and is judged by no claim: a fixed budget
        return with_shared(run, manifold_epochs=run.epochs_by_size(3, 100, 10, 3280))

    def measure(self, run, s):
        d = load(run, s)
        trained = models(run, s)
        seeds, codes = [], None
        for m in trained:
            spread, found = code_spread(m, d)
            seeds.append({"seed": m.seed, "code_std": spread})
            codes = codes or found
        return {"seeds": seeds, "_codes": codes, "_manifold": manifold(run, s, d, trained[0].vae)}

    def draw(self, run, s, m):
        d = load(run, s)
        images, ticks = m["_manifold"]
        labels = [f"{round(t, 1) + 0.0:.1f}" for t in ticks]  # + 0.0: no "-0.0"
        return {
            "latent_codes": (codes_figure(m["_codes"], d.y_test, class_names(run, d.classes)),
                             "test images in the AE's and the VAE's latent space"),
            "manifold": (plotting.image_grid(images, d.shape, MANIFOLD_SIZE, labels[::-1], labels,
                                             "2-D VAE decoder on a grid of z (rows: z[1], columns: z[0])"),
                         "a 2-D VAE's decoded latent space"),
        }

    def write(self, run, s, m, figures):
        spread = {k: tables.mean_se([r["code_std"][k] for r in m["seeds"]], 3) for k in m["seeds"][0]["code_std"]}
        latent = s["latent_dim"]
        trained_for = "" if latent == 2 else (
            f" (trained for {s['manifold_epochs']} epochs, for this picture only: the claims use the {latent}-D "
            "models)")
        return (
            figures["latent_codes"] + "\n\n"
            "Test images in the AE's code space (left) and at the VAE's posterior means (right), coloured by "
            f"class{' (first two principal components of z)' if latent > 2 else ''}. Standard deviation per "
            f"dimension: {spread['AE']} for the AE's codes, whose scale nothing fixes; {spread['VAE']} for the "
            f"VAE's posterior means, and {spread['VAE with noise']} for its codes with their posterior noise, "
            "which the KL term pulls towards the prior's 1.\n\n"
            + figures["manifold"] + "\n\n"
            f"The decoder of a VAE with a 2-D latent space{trained_for} on a {MANIFOLD_SIZE} x {MANIFOLD_SIZE} grid "
            "of z at the 5%-95% quantiles of N(0, I): what the decoder makes of each region of the prior, the "
            "continuous space the article describes, drawn where it can be drawn."
        )
