"""Section 7: image manipulation: an attribute as a latent direction, judged by what the edit keeps."""

import numpy as np

from tfdl import claims, plotting, tables
from tfdl.report import Section
from tfdl.reproductions.vae.training import all_converged, array, class_names, judge, load, models, shared_settings

# Each model's direction is scaled until its edits add INK_TARGET % to the decoded images' ink
# (mean over test images). An edit succeeds when its image gained at least half that (per
# image) and the judge still gives it the class of the unedited decoded image. Success rates
# are compared in percentage points; 5 points is a difference of one image in twenty.
INK_TARGET, SUCCESS_MARGIN = 20.0, 5.0
THICK_QUANTILE = 0.25  # within each class: the bottom and the top quarter of ink
RANDOM_DIRECTIONS = 10  # random directions, each scaled to the same ink change, averaged
MAX_SCALE, SCALE_STEPS = 8.0, 12  # the search for the direction's multiple: [0, 8], 12 halvings
MODELS = ("VAE", "AE")


def attribute_name(run):
    """The attribute ink mass stands for, and what it means: stroke thickness for digits, filled area for clothes."""
    if run.dataset in ("digits", "mnist"):
        return "stroke thickness", "how thick a digit's strokes are"
    return "filled area", "how much of the frame a garment fills"


def attribute_direction(codes, ink, labels):
    """The mean over classes of the mean code of the top ink quarter minus that of the bottom quarter."""
    gaps = []
    for c in np.unique(labels):
        mask = labels == c
        low, high = np.quantile(ink[mask], [THICK_QUANTILE, 1 - THICK_QUANTILE])
        gaps.append(codes[mask & (ink >= high)].mean(0) - codes[mask & (ink <= low)].mean(0))
    return np.mean(gaps, axis=0)


def scale_for(effect, target, high=MAX_SCALE, steps=SCALE_STEPS):
    """The smallest t in [0, high] with ``effect(t) >= target`` by bisection (``effect`` increasing);
    ``high`` when even ``effect(high)`` falls short."""
    if effect(high) < target:
        return high
    low = 0.0
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if effect(middle) < target else (low, middle)
    return high


class Editor:
    """Edits of test codes by a shift in one model's latent space, measured on the decoded images."""

    def __init__(self, model, codes, classes):
        self.model, self.codes, self.classes = model, codes, classes
        self.base = self.decode(0.0)
        self.base_ink, self.base_class = self.base.sum(1), classes(self.base)

    def decode(self, shift):
        return array(self.model.decode((self.codes + shift).astype("float32")))

    def ink_change(self, shift):
        """Mean ink change, % of the unedited decoded images' mean ink."""
        return float(100 * (self.decode(shift).sum(1).mean() - self.base_ink.mean()) / self.base_ink.mean())

    def effect(self, shift):
        """``(ink change %, class kept %, successful edits %)``."""
        images = self.decode(shift)
        gained = images.sum(1) >= self.base_ink * (1 + INK_TARGET / 200)
        kept = self.classes(images) == self.base_class
        return self.ink_change(shift), 100 * float(np.mean(kept)), 100 * float(np.mean(gained & kept))


def to_target(editor, direction):
    """``direction`` times the multiple (``scale_for``) at which its edits add ``INK_TARGET`` % ink."""
    return scale_for(lambda t: editor.ink_change(t * direction), INK_TARGET) * direction


def manipulation(model, codes, d, classes, seed):
    """One model's attribute direction and random directions, each scaled to ``INK_TARGET`` % more ink.

    Args:
        model: a VAE or an AE; ``codes``: ``(training codes, test codes)`` in its latent space.
    """
    train_codes, test_codes = codes
    editor = Editor(model, test_codes, classes)
    unit = attribute_direction(train_codes, d.x.sum(1), d.y)
    direction = to_target(editor, unit)
    randoms = np.random.default_rng(seed).standard_normal((RANDOM_DIRECTIONS, len(unit)))
    randoms *= np.linalg.norm(unit) / np.linalg.norm(randoms, axis=1, keepdims=True)  # the same search range
    randoms *= np.sign([editor.ink_change(r) for r in randoms])[:, None]  # each random edit's ink-adding sign
    randoms = np.stack([to_target(editor, r) for r in randoms])
    effects = {"attribute": [editor.effect(direction)], "random": [editor.effect(r) for r in randoms]}
    result = {key: {name: float(np.mean(np.asarray(values)[:, i])) for name, values in effects.items()}
              for i, key in enumerate(("ink_change_pct", "class_kept_pct", "success_pct"))}
    reached = {name: 100 * float(np.mean(np.asarray(values)[:, 0] >= INK_TARGET)) for name, values in effects.items()}
    return {**result, "reached_target_pct": reached, "direction_norm": float(np.linalg.norm(direction)),
            "random_norm": float(np.mean(np.linalg.norm(randoms, axis=1)))}, (editor, direction, randoms[0])


def shown(d, edits):
    """One test image per class: the image, its decoded code, + and − the attribute direction, + a random one."""
    editor, direction, random = edits
    show = np.array([np.flatnonzero(d.y_eval == c)[0] for c in d.classes])
    rows = [editor.decode(shift)[show] for shift in (0.0, direction, -direction, random)]
    return np.concatenate([d.x_eval[show]] + rows)


class Attribute(Section):
    """An ink direction in the VAE's and the AE's latent space, scaled to the same ink change, judged by
    the judge classifier's class kept while the ink moves, against random directions of its length."""

    name = "attribute"
    title = "Attribute manipulation: edits that move the ink and keep the class"

    def settings(self, run):
        return shared_settings(run)

    def measure(self, run, s):
        d, judged = load(run, s), judge(run, s)
        seeds, images = [], None
        for m in models(run, s):
            found = {}
            for name, model in zip(MODELS, (m.vae, m.ae)):
                encode = (lambda x: model.encode(x)[0]) if name == "VAE" else model.encode
                found[name], edits = manipulation(model, (array(encode(d.x)), array(encode(d.x_eval))), d,
                                                  judged.classes, m.seed)
                images = shown(d, edits) if images is None else images
            seeds.append({"seed": m.seed, "attribute": found})
        return {"seeds": seeds, "_images": images}

    def judge(self, run, s, m):
        def per_seed(model, name):
            return [r["attribute"][model]["success_pct"][name] for r in m["seeds"]]

        quote = ("Latent space को manipulate करके, हम किसी image की specific features (जैसे चेहरे की expression, "
                 "बालों का रंग) को बदल सकते हैं।")
        attribute, _ = attribute_name(run)
        success = (f"successful edits (% of test images whose decoded edit gained >= {INK_TARGET / 2:g}% ink and "
                   "kept the judge's class)")
        return [
            claims.claim(
                "vs_random", quote, f"moving in latent space changes a specific feature (here {attribute}) and "
                "keeps the rest (the class)",
                f"{success}; the VAE's {attribute} direction vs {RANDOM_DIRECTIONS} random directions (each with "
                f"its ink-adding sign), every direction scaled to +{INK_TARGET:g}% mean ink",
                claims.compare(per_seed("VAE", "attribute"), per_seed("VAE", "random"),
                               names=(f"{attribute} direction", "random direction"), better="higher",
                               margin=SUCCESS_MARGIN),
                converged=all_converged(models(run, s), ("VAE",))),
            claims.claim(
                "vs_ae", quote, f"… and the VAE's latent space does this better than the AE's (here {attribute})",
                f"{success}; each model's {attribute} direction scaled to +{INK_TARGET:g}% mean ink",
                claims.compare(per_seed("VAE", "attribute"), per_seed("AE", "attribute"),
                               names=("VAE", "AE"), better="higher", margin=SUCCESS_MARGIN),
                converged=all_converged(models(run, s))),
        ]

    def draw(self, run, s, m):
        d, (attribute, _) = load(run, s), attribute_name(run)
        rows = ["test image", "decoded code", f"+ {attribute} direction", f"− {attribute} direction",
                "+ random direction"]
        return {"attribute_manipulation": (
            plotting.image_grid(m["_images"], d.shape, len(rows), rows, class_names(run, d.classes),
                                f"{attribute} (ink) as a VAE latent direction, one test image per class (first "
                                "seed)"),
            f"{attribute} direction vs a random direction")}

    def write(self, run, s, m, figures):
        seeds, (attribute, meaning) = m["seeds"], attribute_name(run)

        def cell(model, key, name):
            return tables.mean_se([r["attribute"][model][key][name] for r in seeds], 3)

        rows = [[f"{model}, {label}"] + [cell(model, key, name) for key in ("ink_change_pct", "class_kept_pct",
                                                                              "success_pct")]
                for model in MODELS for name, label in (("attribute", f"{attribute} direction"),
                                                        ("random", "random direction, the same ink change"))]
        reached = {name: tables.mean_se([r["attribute"][model]["reached_target_pct"][name] for r in seeds
                                         for model in MODELS], 3) for name in ("attribute", "random")}
        header = [tables.se_header(what, len(seeds)) for what in (
            "ink change (% of decoded ink)", "class kept (% of test images)", "successful edits (%)")]
        return (
            f"The attribute is measured on the image by its ink mass, the sum of its pixel values: {attribute} "
            f"({meaning}). Within each class, the training images in "
            "the top and the bottom quarter of ink give a mean code each; the direction is the mean over "
            "classes of top minus bottom, in each model's own latent space. Every direction is scaled "
            f"until the decoded edits of the test codes carry {INK_TARGET:g}% more ink on average (reached by "
            f"{reached['attribute']}% of the attribute directions and {reached['random']}% of the random ones, "
            "over models and seeds), so that every row adds the same ink. The direction is built from ink alone: "
            "what it is judged by is the judge "
            "classifier, which must still see the same class (the rest of the image kept) in an image that "
            f"gained at least {INK_TARGET / 2:g}% ink (the attribute moved): a successful edit. Random directions, "
            "each with the sign that adds ink and scaled to the same ink change, are the baseline that asks "
            "whether this direction is a cleaner way to add ink than any other; the AE's direction asks whether "
            "the VAE's latent space is needed:\n\n"
            + tables.markdown_table(["shift"] + header, rows)
            + "\n\n" + figures["attribute_manipulation"] + "\n\n"
            f"Rows: test image, its decoded VAE code, + {attribute} direction, − {attribute} direction, + one "
            "random direction scaled to the same ink change; one column per class."
        )
