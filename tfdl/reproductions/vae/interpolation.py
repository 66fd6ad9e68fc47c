"""Section 5: interpolation between two test images, in the VAE's and the AE's latent spaces."""

import numpy as np

from tfdl import claims, plotting, tables
from tfdl.report import Section
from tfdl.reproductions.vae.generation import LN_FD_MARGIN, fd_rows
from tfdl.reproductions.vae.training import (AE_MID, PIXEL_MID, VAE_MID, all_converged, array, generated, judge,
                                             load, models, shared_settings)

MIDPOINTS = (VAE_MID, AE_MID, PIXEL_MID)
PAIRS, STEPS = 3, 9  # the figure: three test pairs, nine points from A to B


def interpolation_rows(vae, ae, d):
    """For each of ``PAIRS`` test pairs: the VAE's latent, the AE's latent and the pixel interpolation."""
    rows = []
    t = np.linspace(0, 1, STEPS)[:, None]
    for i in range(PAIRS):
        a, b = d.x_test[2 * i: 2 * i + 1], d.x_test[2 * i + 1: 2 * i + 2]
        za, zb = array(ae.encode(a)), array(ae.encode(b))
        rows += [array(vae.interpolate(a, b, STEPS))[0], array(ae.decode(za * (1 - t) + zb * t)),
                 a * (1 - t) + b * t]
    return np.concatenate(rows)


class Interpolation(Section):
    """Decoded midpoints of random test pairs: VAE latent, AE latent and pixel average, by the FD."""

    name = "interpolation"
    title = "Interpolation"

    def settings(self, run):
        return shared_settings(run)

    def measure(self, run, s):
        d, judged, trained = load(run, s), judge(run, s), models(run, s)
        seeds = [{"seed": m.seed, "ln_fd": {name: judged.ln_fd(generated(run, s, m)[name]) for name in MIDPOINTS}}
                 for m in trained]
        return {"seeds": seeds, "_rows": interpolation_rows(trained[0].vae, trained[0].ae, d)}

    def judge(self, run, s, m):
        seeds = m["seeds"]
        return [claims.claim(
            "interpolation",
            "आप latent space में किन्हीं भी दो points के बीच interpolation कर सकते हैं और आपको बीच में भी "
            "meaningful outputs मिलेंगे।",
            "interpolating between two latent points gives meaningful outputs in between",
            f"ln FD of {s['fd_size']} decoded midpoints of random test pairs, VAE vs AE latent space",
            claims.compare([r["ln_fd"][VAE_MID] for r in seeds], [r["ln_fd"][AE_MID] for r in seeds],
                           names=("VAE", "AE"), better="lower", margin=LN_FD_MARGIN),
            converged=all_converged(models(run, s)))]

    def draw(self, run, s, m):
        labels = [f"pair {p + 1}: {kind}" for p in range(PAIRS) for kind in ("VAE latent", "AE latent", "pixels")]
        columns = ["A"] + [f"{i}/{STEPS - 1}" for i in range(1, STEPS - 1)] + ["B"]
        return {"interpolation": (plotting.image_grid(m["_rows"], load(run, s).shape, len(labels), labels, columns,
                                                      "interpolation from image A (left) to B (right)"),
                                  "latent and pixel interpolation")}

    def write(self, run, s, m, figures):
        return (
            figures["interpolation"] + "\n\n"
            f"{PAIRS} test pairs (first seed), A on the left and B on the right: rows in threes give the VAE's "
            "latent interpolation, the AE's latent interpolation and the pixel average. ln FD to training images "
            f"of {s['fd_size']} midpoints (t = 0.5) of random test pairs (lower is better; the judge and the "
            "reference images of section 4):\n\n"
            + tables.markdown_table(["midpoints", tables.se_header("ln FD", len(m["seeds"])),
                                     "FD (geometric mean)"], fd_rows(MIDPOINTS, m["seeds"]))
            + "\n\nThe binarized pixel average keeps the pixels both images share."
        )
