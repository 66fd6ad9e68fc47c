"""Section 7: image manipulation: an attribute (stroke thickness, ink mass) as a latent direction."""

import numpy as np

from tfdl import claims, plotting, tables
from tfdl.report import Section
from tfdl.reproductions.vae.training import array, judge, load, models, shared_settings

# The change of ink mass in percent of the unshifted decoded images' ink, and the
# percentage of images whose judged class is kept; 5 points each.
INK_MARGIN, CLASS_KEPT_MARGIN = 5.0, 5.0
THICK_QUANTILE = 0.25  # within each class: thin = bottom quarter of ink, thick = top quarter
RANDOM_DIRECTIONS = 20  # random directions of the thickness direction's norm, averaged
ROWS = ["test image", "decoded code", "+ thickness direction", "− thickness direction", "+ random direction"]


def thickness_direction(vae, d):
    """The mean over classes of the mean code of the thick quarter minus that of the thin quarter."""
    codes, ink = array(vae.encode(d.x)[0]), d.x.sum(1)
    gaps = []
    for c in d.classes:
        mask = d.y == c
        low, high = np.quantile(ink[mask], [THICK_QUANTILE, 1 - THICK_QUANTILE])
        gaps.append(codes[mask & (ink >= high)].mean(0) - codes[mask & (ink <= low)].mean(0))
    return np.mean(gaps, axis=0)


def attribute(vae, d, judged, seed):
    """Stroke thickness (ink mass) as a latent direction, against random directions of its norm."""
    direction = thickness_direction(vae, d)
    randoms = np.random.default_rng(seed).standard_normal((RANDOM_DIRECTIONS, len(direction)))
    randoms *= np.linalg.norm(direction) / np.linalg.norm(randoms, axis=1, keepdims=True)
    base = array(vae.encode(d.x_eval)[0])
    base_images = array(vae.decode(base))
    base_ink, base_class = base_images.sum(1).mean(), judged.classes(base_images)

    def effect(shift):
        images = array(vae.decode(base + shift.astype("float32")))
        return 100 * (images.sum(1).mean() - base_ink) / base_ink, 100 * np.mean(judged.classes(images) == base_class)

    thick, random = effect(direction), np.mean([effect(r) for r in randoms], axis=0)
    show = np.array([np.flatnonzero(d.y_eval == c)[0] for c in d.classes])
    shifts = (0 * direction, direction, -direction, randoms[0])
    images = np.concatenate(
        [d.x_eval[show]] + [array(vae.decode((base[show] + shift).astype("float32"))) for shift in shifts])
    return {
        "direction_norm": float(np.linalg.norm(direction)),
        "ink_change_pct": {"thickness": float(thick[0]), "random": float(random[0])},
        "class_kept_pct": {"thickness": float(thick[1]), "random": float(random[1])},
    }, images


class Attribute(Section):
    """A thick-minus-thin direction in the VAE's latent space, against random directions of its norm."""

    name = "attribute"
    title = "Attribute manipulation: stroke thickness"

    def settings(self, run):
        return shared_settings(run)

    def measure(self, run, s):
        d, judged = load(run, s), judge(run, s)
        seeds, images = [], None
        for m in models(run, s):
            result, shown = attribute(m.vae, d, judged, m.seed)
            seeds.append({"seed": m.seed, "attribute": result})
            images = shown if images is None else images
        return {"seeds": seeds, "_images": images}

    def judge(self, run, s, m):
        def per_seed(key, name):
            return [r["attribute"][key][name] for r in m["seeds"]]

        return [
            claims.claim(
                "thickness",
                "Latent space को manipulate करके, हम किसी image की specific features (जैसे चेहरे की expression, "
                "बालों का रंग) को बदल सकते हैं।",
                "moving in latent space changes a specific feature (here stroke thickness = ink mass)",
                "ink change (% of the decoded images' ink) of test codes shifted by the thick-minus-thin direction "
                f"vs {RANDOM_DIRECTIONS} random directions of the same norm",
                claims.compare(per_seed("ink_change_pct", "thickness"), per_seed("ink_change_pct", "random"),
                               names=("thickness direction", "random direction"), better="higher",
                               margin=INK_MARGIN)),
            claims.claim(
                "class_kept", "… specific features … को बदल सकते हैं।",
                "… and only that feature: the digit (class) stays",
                "% of shifted test codes whose decoded image keeps the judge's class, thickness vs random direction",
                claims.compare(per_seed("class_kept_pct", "thickness"), per_seed("class_kept_pct", "random"),
                               names=("thickness direction", "random direction"), better="higher",
                               margin=CLASS_KEPT_MARGIN)),
        ]

    def draw(self, run, s, m):
        d = load(run, s)
        return {"attribute_manipulation": (
            plotting.image_grid(m["_images"], d.shape, len(ROWS), ROWS, [str(c) for c in d.classes],
                                "ink mass (stroke thickness) as a latent direction, one test image per class"),
            "thickness direction vs a random direction")}

    def write(self, run, s, m, figures):
        seeds = m["seeds"]
        rows = [[name, tables.mean_se([r["attribute"]["ink_change_pct"][name] for r in seeds], 3),
                 tables.mean_se([r["attribute"]["class_kept_pct"][name] for r in seeds], 3)]
                for name in ("thickness", "random")]
        norm = tables.mean_se([r["attribute"]["direction_norm"] for r in seeds], 3)
        return (
            "Thickness is measured on the image: its ink mass, the sum of its pixel values (stroke thickness "
            "for digits; for clothes, how much of the frame the garment fills and how dark). Within each class, "
            "the training images in the top quarter of ink (\"thick\") and the bottom quarter (\"thin\") give a "
            "mean code each; the thickness direction is the mean over classes of thick minus thin (norm "
            f"{norm}). Shifting each test code by it (or by one of {RANDOM_DIRECTIONS} random directions of the "
            "same norm) and decoding:\n\n"
            + tables.markdown_table(["shift", tables.se_header("ink change (% of decoded ink)", len(seeds)),
                                     tables.se_header("class kept (% of test images, judge)", len(seeds))], rows)
            + "\n\n" + figures["attribute_manipulation"] + "\n\n"
            "Rows: test image, its decoded code, + thickness direction, − thickness direction, + one random "
            "direction of the same norm; one column per class."
        )
