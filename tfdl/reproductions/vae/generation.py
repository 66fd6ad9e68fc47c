"""Section 4: generating from random latent points, the VAE against an AE given its own prior."""

import numpy as np

from tfdl import claims, plotting, tables
from tfdl.report import Section
from tfdl.reproductions.vae.training import (AE_FITTED, AE_PRIOR, VAE_PRIOR, all_converged, class_names, generated,
                                             judge, load, models, shared_settings)

# Sample quality is the Fréchet distance (FD) between the judge classifier's hidden
# features of a set of images and of training images, compared in ln units: 0.1 is a
# 10% change of the FD; smaller differences are not called real.
LN_FD_MARGIN = 0.1
# "Realistic" as non-inferiority to real images: the samples' FD may be at most twice
# the FD of as many real test images (ln 2), fixed before any run of this design.
REALISM_MARGIN = float(np.log(2.0))
PRIORS = (VAE_PRIOR, AE_FITTED, AE_PRIOR)
REAL = "real test images"


def fd_rows(names, seeds):
    """Table rows: each set's ln FD (mean ± s.e. over seeds) and FD (geometric mean)."""
    return [[name, tables.mean_se([r["ln_fd"][name] for r in seeds]),
             f"{np.exp(np.mean([r['ln_fd'][name] for r in seeds])):.3g}"] for name in names]


class Generation(Section):
    """Decoded random latent points: the VAE from N(0, I), the AE from a Gaussian fitted to its codes
    and from N(0, I), judged by the Fréchet distance in a classifier's features."""

    name = "generation"
    title = "Generating from random latent points"

    def settings(self, run):
        return shared_settings(run)

    def measure(self, run, s):
        d, judged = load(run, s), judge(run, s)
        size = min(s["fd_size"], len(d.x_test))
        seeds, first = [], None
        for m in models(run, s):
            images = generated(run, s, m)
            real = d.x_test[np.random.default_rng(m.seed).choice(len(d.x_test), size, replace=False)]
            seeds.append({
                "seed": m.seed,
                "ln_fd": {name: judged.ln_fd(images[name]) for name in PRIORS},
                "ln_fd_real": judged.ln_fd(real),
                "ln_fd_vae_prior_at_real_size": judged.ln_fd(images[VAE_PRIOR][:size]),
                "sample_class_fractions": np.bincount(
                    np.searchsorted(d.classes, judged.classes(images[VAE_PRIOR])), minlength=len(d.classes)
                ) / len(images[VAE_PRIOR]),
            })
            first = first or {name: images[name][:36] for name in PRIORS}
        return {"judge_test_accuracy_pct": judged.accuracy, "judge_reference_size": judged.reference_size,
                "real_size": size, "seeds": seeds, "_samples": first}

    def judge(self, run, s, m):
        seeds, converged = m["seeds"], all_converged(models(run, s))
        fractions = np.mean([r["sample_class_fractions"] for r in seeds], axis=0)
        return [
            claims.claim(
                "random_latent_points",
                "standard Autoencoders का latent space अक्सर “discontinuous” या “sparse” होता है, जिसका अर्थ है कि "
                "latent space में randomly sample किए गए points से meaningful data generate करना मुश्किल हो सकता है। "
                "यह वह limitation है जिसे VAEs solve करते हैं।",
                "random latent points of an AE decode to little that is meaningful; VAEs solve this",
                f"ln FD to training images (judge features) of {s['fd_size']} decoded random points, each model "
                "from its own prior: the VAE's N(0, I), the AE's Gaussian fitted to its training codes",
                claims.compare([r["ln_fd"][VAE_PRIOR] for r in seeds], [r["ln_fd"][AE_FITTED] for r in seeds],
                               names=("VAE", "AE (fitted)"), better="lower", margin=LN_FD_MARGIN),
                converged=converged),
            claims.claim(
                "realistic", "VAEs realistic images generate कर सकते हैं।", "VAEs can generate realistic images",
                f"ln FD to the training images of {m['real_size']} VAE samples (decoded means) vs of as many "
                f"{REAL} (drawn per seed): real images' FD is the floor sampling noise leaves; non-inferiority "
                f"margin ln 2 (an FD at most twice the real images')",
                claims.noninferior([r["ln_fd_vae_prior_at_real_size"] for r in seeds],
                                   [r["ln_fd_real"] for r in seeds], ("VAE samples", REAL), "lower", REALISM_MARGIN),
                converged=all_converged(models(run, s), ("VAE",))),
            claims.claim(
                "mode_collapse", "GANs की तुलना में, VAEs आमतौर पर ‘mode collapse’ से कम प्रभावित होते हैं",
                "VAEs suffer less from mode collapse than GANs",
                f"classes of VAE samples by the judge: smallest class {100 * fractions.min():.1f}%, "
                f"largest {100 * fractions.max():.1f}% (mean over seeds)",
                None, reason="no GAN is trained here: the comparison the sentence makes cannot be measured"),
        ]

    def draw(self, run, s, m):
        shape = load(run, s).shape
        figure, axes = plotting.figure(13, 4.6, columns=3)
        for axis, name in zip(axes, PRIORS):
            plotting.show_grid(axis, m["_samples"][name], shape, 6, [f"{r + 1}" for r in range(6)],
                               title=f"{name}\nln FD {m['seeds'][0]['ln_fd'][name]:.2f}")
            axis.set_ylabel("sample row")
        return {"prior_samples": (figure, "decoded random latent points: VAE and AE")}

    def write(self, run, s, m, figures):
        seeds, d = m["seeds"], load(run, s)
        real = [r["ln_fd_real"] for r in seeds]
        rows = fd_rows(PRIORS, seeds) + [[f"{REAL} ({m['real_size']} images, drawn per seed)",
                                          tables.mean_se(real), f"{np.exp(np.mean(real)):.3g}"]]
        fractions = np.mean([r["sample_class_fractions"] for r in seeds], axis=0)
        vae_fd, ae_fd = (np.mean([r["ln_fd"][name] for r in seeds]) for name in (VAE_PRIOR, AE_FITTED))
        return (
            f"A judge classifier (MLP {d.dims}-128-{len(d.classes)}, trained on the labelled training images, "
            f"test accuracy {m['judge_test_accuracy_pct']:.1f}%) classifies decoded images; its hidden layer "
            "gives the features of the Fréchet distance (FD, as in FID) between a set of images and "
            f"{m['judge_reference_size']} training images. Lower FD means closer to the data; it is compared in "
            "ln units. The judge sees every image binarized at 0.5, as the data are: a decoded image is judged "
            "by its most likely binary image under p(x|z), so that no model is judged for the greyness of its "
            f"means.\n\nln FD to training images, {s['fd_size']} decoded points per row (lower is better; FD in "
            "the last column):\n\n"
            + tables.markdown_table(["images", tables.se_header("ln FD", len(seeds)), "FD (geometric mean)"], rows)
            + "\n\n" + figures["prior_samples"] + "\n\n"
            "Decoded random points of the first seed (ln FD in the titles). The sceptic's question is whether "
            "the AE, given its own prior (a Gaussian fitted to its training codes), does as well as the VAE "
            f"from N(0, I): mean ln FD {vae_fd:.2f} for the VAE and {ae_fd:.2f} for the fitted AE (claim "
            "\"random latent points\"). Ghosh et al. (\"From Variational to Deterministic Autoencoders\", 2020) "
            "found that a deterministic autoencoder with a density fitted to its codes afterwards can sample as "
            "well as a VAE: the baseline here is the simplest such density, one Gaussian. Decoding N(0, I) with "
            "the AE (right) ignores where its codes lie (section 3).\n\n"
            "No generator beats real images, so \"realistic\" is tested as non-inferiority: real test images, "
            "as many as the samples, are as far from the training images as sampling noise alone makes them; the "
            "claim holds if the VAE's samples are no more than twice as far (ln FD within ln 2 = "
            f"{REALISM_MARGIN:.3f} of the real images', beyond 2 standard errors), a margin fixed before the run. "
            "Classes of VAE samples according to the judge (the share a balanced generator gives each class is "
            f"{100 / len(d.classes):.0f}%):\n\n"
            + tables.markdown_table(["class", f"% of VAE samples, mean over {len(seeds)} seeds"],
                                    [[name, f"{100 * v:.1f}"] for name, v in zip(class_names(run, d.classes),
                                                                                 fractions)])
        )
