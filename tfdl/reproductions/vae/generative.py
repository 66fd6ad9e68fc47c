"""Section 1: discriminative against generative models, and synthetic data for a classifier."""

import numpy as np
from scipy.stats import multivariate_normal
from sklearn.covariance import LedoitWolf
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from tfdl import claims, plotting, tables
from tfdl.report import Section
from tfdl.reproductions.vae.training import (CLAIM_LABELS, all_converged, array, class_names, judge, load, models,
                                             paired, with_shared)

ACCURACY_MARGIN = 1.0  # classifier accuracy in percentage points: one point
SYNTHETIC_PER_LABEL = 10  # VAE samples per labelled image in the synthetic-data claim
PIXELS, GENERATIVE, AUGMENTED = ("logistic regression on pixels", "Gaussian per class on VAE codes + Bayes' rule",
                                 "logistic regression on pixels + VAE samples")


def logistic(x, y, x_test, y_test):
    """Test accuracy (%) of logistic regression.

    One BLAS thread: beside TensorFlow's threads on a 2-core CPU, more made a
    fit on 1,000 28x28 images take 9.4 s of CPU instead of 0.3 s (measured).
    """
    with threadpool_limits(1):
        return 100 * LogisticRegression(max_iter=2000).fit(x, y).score(x_test, y_test)


def label_counts(d, per_class):
    """Labelled images per class: ``per_class``, or all of a class's training images where it has fewer (a limit)."""
    return [min(per_class, int(np.sum(d.y == c))) for c in d.classes]


def labels_text(d, per_class):
    """``per_class`` for the report, with what a limit left where a class has fewer training images."""
    counts = label_counts(d, per_class)
    if min(counts) == per_class:
        return f"{per_class} per class"
    return f"{per_class} per class (the limit leaves {sum(counts)} labelled, {min(counts)} in the smallest class)"


def few_labels(vae, d, seed, per_class):
    """Discriminative vs generative on ``per_class`` labels per class; at ``CLAIM_LABELS``, synthetic data.

    Returns the test accuracies (%) and ten decoded samples of each class's Gaussian.
    """
    rng = np.random.default_rng([seed, per_class])
    index = np.concatenate([rng.choice(np.flatnonzero(d.y == c), n, replace=False)
                            for c, n in zip(d.classes, label_counts(d, per_class))])
    x, y = d.x[index], d.y[index]
    codes, test_codes = array(vae.encode(x)[0]), array(vae.encode(d.x_test)[0])
    gaussians = [LedoitWolf().fit(codes[y == c]) for c in d.classes]
    log_density = np.stack([multivariate_normal(g.location_, g.covariance_).logpdf(test_codes) for g in gaussians],
                           axis=1)
    z = np.concatenate([rng.multivariate_normal(g.location_, g.covariance_, SYNTHETIC_PER_LABEL * per_class)
                        for g in gaussians])
    synthetic = array(vae.decode(z.astype("float32")))
    labels = np.repeat(d.classes, SYNTHETIC_PER_LABEL * per_class)
    accuracy = {PIXELS: logistic(x, y, d.x_test, d.y_test),
                GENERATIVE: 100 * float(np.mean(d.classes[np.argmax(log_density, axis=1)] == d.y_test))}
    if per_class == CLAIM_LABELS:
        accuracy[AUGMENTED] = logistic(np.concatenate([x, synthetic]), np.concatenate([y, labels]),
                                       d.x_test, d.y_test)
    first_ten = synthetic.reshape(len(d.classes), -1, synthetic.shape[-1])[:, :10]  # per class, for the figure
    return accuracy, first_ten.reshape(-1, synthetic.shape[-1])


class Generative(Section):
    """Logistic regression on pixels, a Gaussian per class on VAE codes, and logistic regression
    on pixels plus VAE samples, on a few labels per class."""

    name = "generative"
    title = "Discriminative vs generative models, and synthetic data"

    def settings(self, run):
        return with_shared(run, labels_per_class=run.by_size((CLAIM_LABELS,), (CLAIM_LABELS, 100),
                                                             (CLAIM_LABELS, 100), (CLAIM_LABELS, 100)))

    def measure(self, run, s):
        d = load(run, s)
        seeds, samples = [], None
        for m in models(run, s):
            few = {n: few_labels(m.vae, d, m.seed, n) for n in s["labels_per_class"]}
            seeds.append({"seed": m.seed, "accuracy": {n: accuracy for n, (accuracy, _) in few.items()}})
            samples = few[CLAIM_LABELS][1] if samples is None else samples
        return {"labels_per_class": s["labels_per_class"], "judge_test_accuracy_pct": judge(run, s).accuracy,
                "training_images": len(d.x), "test_images": len(d.x_test), "seeds": seeds, "_samples": samples}

    def judge(self, run, s, m):
        def per_seed(name):
            return [r["accuracy"][CLAIM_LABELS][name] for r in m["seeds"]]

        return [claims.claim(
            "synthetic_data",
            "वे synthetic data बनाने की अनुमति देते हैं, जिसका उपयोग training datasets को बढ़ाने … के लिए किया जा "
            "सकता है",
            "synthetic data from a generative model can enlarge training sets",
            f"test accuracy (%) of logistic regression on {CLAIM_LABELS} labelled images per class plus "
            f"{SYNTHETIC_PER_LABEL} VAE samples per labelled image, vs the labelled images alone, paired by "
            "labelled subset",
            paired(per_seed(AUGMENTED), per_seed(PIXELS), ("with VAE samples", "labels only"), "higher",
                   ACCURACY_MARGIN), converged=all_converged(models(run, s), ("VAE",)))]

    def draw(self, run, s, m):
        d = load(run, s)
        return {"class_conditional_samples": (
            plotting.image_grid(m["_samples"], d.shape, len(d.classes), class_names(run, d.classes),
                                title=f"VAE samples from each class's Gaussian, fitted to {CLAIM_LABELS} "
                                      "labelled codes"),
            "class-conditional samples from the VAE")}

    def write(self, run, s, m, figures):
        d, seeds = load(run, s), m["seeds"]
        rows = [[labels_text(d, n), name, tables.mean_se([r["accuracy"][n][name] for r in seeds], 3)]
                for n in s["labels_per_class"] for name in seeds[0]["accuracy"][n]]
        gain = [r["accuracy"][CLAIM_LABELS][AUGMENTED] - r["accuracy"][CLAIM_LABELS][PIXELS] for r in seeds]
        return (
            "The article contrasts discriminative models (classify: p(y|x)) with generative ones (make new data: "
            "p(x)). Side by side on the same labelled images (a random subset per seed): logistic regression on "
            "the pixels (discriminative); a generative classifier, one Gaussian per class fitted (Ledoit-Wolf) to "
            "the VAE codes (the VAE of section 2, trained without labels) of the labelled images, classifying by "
            "Bayes' rule, which also generates: decoding draws from a class's Gaussian gives new images of that "
            f"class; and, at {CLAIM_LABELS} labels per class, logistic regression on the labelled images plus "
            f"{SYNTHETIC_PER_LABEL} such samples per labelled image. Test accuracy (%), {m['test_images']} test "
            "images:\n\n"
            + tables.markdown_table(["labels", "classifier", tables.se_header("test accuracy %", len(seeds))], rows)
            + f"\n\nThe judge MLP of section 4, trained on all {m['training_images']} labelled images, reaches "
            f"{m['judge_test_accuracy_pct']:.1f}%. The logistic regression has no p(x): it cannot generate or score "
            "an image; the VAE has no labels but gives a test NLL bound (section 6) and samples. Synthetic data "
            f"changed the accuracy at {CLAIM_LABELS} labels per class by {tables.mean_se(gain, 3)} points.\n\n"
            + figures["class_conditional_samples"] + "\n\n"
            "Rows: classes; each row decodes draws from that class's Gaussian in the VAE's latent space (first "
            "seed): the class-conditional generator behind the synthetic data."
        )
