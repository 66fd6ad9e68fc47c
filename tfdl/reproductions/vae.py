"""Reproduction of article 001: variational autoencoders and their applications.

In the article's order: the autoencoder and the VAE (encoder to a mean and a
log-variance, the reparameterization trick, reconstruction + KL loss); the
latent spaces of both; generation from random latent points and interpolation,
the VAE against an autoencoder given the same chance (its own fitted
Gaussian); then the applications: attribute manipulation (stroke thickness),
anomaly detection and imputation, each against a sceptic's baseline (the
autoencoder, nearest neighbours); discriminative against generative models and
synthetic data for training a classifier on few labels; last, the test
log-likelihood (importance-weighted bounds) next to the IWAE paper's number.
Every claim is judged by ``tfdl.claims`` with a criterion fixed below, over
several seeds.

Profiles: ``smoke`` (seconds), ``default`` (minutes on 2 CPU cores; settings
per image size: 8x8 digits or a 28x28 data set), ``full`` (the IWAE paper's
one-stochastic-layer model: 200-200-50, k = 5000 evaluation, 3280 epochs;
meant for MNIST on a GPU).
"""

import types

import keras
import matplotlib
import numpy as np
import tensorflow as tf

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from scipy.stats import multivariate_normal, norm  # noqa: E402
from sklearn.covariance import LedoitWolf  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from tfdl import claims, data, evaluate  # noqa: E402
from tfdl.layers import GaussianSampler  # noqa: E402
from tfdl.models import VAE, Autoencoder  # noqa: E402
from tfdl.models.autoencoder import log_likelihood  # noqa: E402
from tfdl.models.vae import dense_pair  # noqa: E402
from tfdl.runner import markdown_table  # noqa: E402

IWAE_PAPER_NATS = 86.76  # Burda et al. 2016, table 1: VAE, 1 stochastic layer, k=5000, MNIST

# Criteria, fixed before the run -------------------------------------------------------
# Sample quality is the Fréchet distance (FD) between the judge classifier's hidden
# features of a set of images and of training images, compared in ln units: 0.1 is a
# 10% change of the FD; smaller differences are not called real.
LN_FD_MARGIN = 0.1
# Attribute manipulation: the change of ink mass in percent of the unshifted decoded
# images' ink, and the percentage of images whose judged class is kept; 5 points each.
INK_MARGIN, CLASS_KEPT_MARGIN = 5.0, 5.0
# AUROC: 0.01 is one anomaly in a hundred ranked the other way.
AUROC_MARGIN = 0.01
# Imputation: mean squared error on the hidden pixels (binary targets); 0.002 is
# about 3% of the error of filling with the mean training pixel on digits.
MSE_MARGIN = 0.002
# Test NLL in nats per image; 0.1 nats is far above float rounding.
NLL_MARGIN = 0.1
# Classifier accuracy in percentage points: one point.
ACCURACY_MARGIN = 1.0
# The reparameterized gradient estimate from 100,000 samples has a standard error
# below 1% of the exact gradient; 5% relative error fails the check.
GRADIENT_TOLERANCE, GRADIENT_SAMPLES = 0.05, 100_000

# Fixed settings of the measurements, not tuned on the results -------------------------
LEARNING_RATE = 1e-3
JUDGE_UNITS = 128  # hidden ReLU units of the judge classifier (its features give the FD)
THICK_QUANTILE = 0.25  # within each class: thin = bottom quarter of ink, thick = top quarter
RANDOM_DIRECTIONS = 20  # random directions of the thickness direction's norm, averaged
ANOMALY_K = 10  # importance samples of the VAE's anomaly score -log p(x)
FILL_NEIGHBOURS = 10  # nearest-neighbour imputation: mean of this many training bottoms
IMPUTE_STEPS = 50  # clamped encode/decode iterations
SYNTHETIC_PER_LABEL = 10  # VAE samples per labelled image in the augmentation claim
CLAIM_LABELS = 10  # labels per class where augmentation is judged

VAE_PRIOR, AE_FITTED, AE_PRIOR = "VAE, z ~ N(0, I)", "AE, z ~ Gaussian fitted to its codes", "AE, z ~ N(0, I)"
VAE_MID, AE_MID, PIXEL_MID = "VAE, latent midpoint", "AE, latent midpoint", "pixel average (midpoint)"
REAL = "real test images"
PIXELS, GENERATIVE, AUGMENTED = (
    "logistic regression on pixels",
    "Gaussian per class on VAE codes + Bayes' rule",
    "logistic regression on pixels + VAE samples",
)
VAE_FILL, AE_FILL, NN_COPY, NN_FILL, MEAN_FILL = (
    "VAE (clamped iterations)",
    "AE (clamped iterations)",
    "1-NN copy",
    f"{FILL_NEIGHBOURS}-NN mean",
    "mean training pixel",
)
VAE_SCORE, AE_SCORE, NN_SCORE = (
    f"VAE -log p(x), k={ANOMALY_K}",
    "AE reconstruction error",
    "distance to nearest training image",
)


def settings(run):
    """The run's sizes: per profile, and for ``default`` per image size (8x8 or 28x28)."""
    pick, epochs, cap = run.by_size, run.epochs_by_size, run.at_most
    return types.SimpleNamespace(
        seeds=run.num_seeds(pick(1, 3, 3, 3)),
        latent_dim=pick(2, 16, 16, 50),
        hidden=pick((32,), (256,), (256,), (200, 200)),
        epochs=epochs(3, 100, 10, 3280),
        # 28x28: 256 images a step keep the matrix products busy on a CPU.
        batch_size=pick(64, 64, 256, 20),
        binarize=pick("threshold", "threshold", "threshold", "stochastic"),
        valid_size=cap(pick(None, None, 2_000, None)),
        eval_size=cap(pick(None, None, 2_000, None)),
        judge_epochs=epochs(3, 50, 5, 20),
        fd_size=cap(pick(200, 1_000, 5_000, 10_000)),
        fd_reference=cap(pick(None, None, 10_000, 10_000)),
        anomaly_classes=pick((0,), tuple(range(10)), tuple(range(10)), tuple(range(10))),
        anomaly_train_size=cap(pick(None, None, 10_000, None)),
        anomaly_epochs=epochs(2, 40, 10, 300),
        labels_per_class=pick((CLAIM_LABELS,), (CLAIM_LABELS, 100), (CLAIM_LABELS, 100), (CLAIM_LABELS, 100)),
        # Importance samples k of the test NLL; a limit can make two the same.
        num_samples=tuple(dict.fromkeys(
            cap(k) for k in pick((1, 10), (1, 10, 100, 1000), (1, 10, 100, 1000), (1, 50, 5000)))),
        nll_size=cap(pick(None, None, 1_000, None)),
    )


# ----- helpers --------------------------------------------------------------------------
def _array(tensor):
    return np.asarray(tensor, dtype="float32")


def _mean_sd(values, digits=3):
    values = np.asarray(values, dtype="float64")
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"


def _paired(a, b, names, better, margin):
    """``claims.compare`` on the differences ``a - b`` (per seed or per class) against zero.

    The paired test: what varies between pairs (a held-out class's difficulty,
    a labelled subset) cancels in the difference.
    """
    difference = np.subtract(a, b, dtype="float64")
    return claims.compare(
        difference, np.zeros_like(difference), names=(f"{names[0]} − {names[1]}", "zero"),
        better=better, margin=margin,
    )


def _tile(images, shape, rows):
    """Images ``[n, h*w]`` as one array of ``rows`` rows, with grey separators."""
    images = np.asarray(images).reshape(-1, *shape)
    cols = int(np.ceil(len(images) / rows))
    tiles = np.full((rows * cols, shape[0] + 1, shape[1] + 1), 0.3)
    tiles[: len(images), : shape[0], : shape[1]] = images
    tiles = tiles.reshape(rows, cols, shape[0] + 1, shape[1] + 1).transpose(0, 2, 1, 3)
    return tiles.reshape(rows * (shape[0] + 1), cols * (shape[1] + 1))


def _show(axis, images, shape, row_labels, column_labels=None, title=None):
    """Draws ``images`` (row by row) on ``axis``, each row and column labelled."""
    rows = len(row_labels)
    tiles = _tile(images, shape, rows)
    axis.imshow(tiles, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    step = shape[0] + 1
    axis.set_yticks([(r + 0.5) * step for r in range(rows)], row_labels, fontsize=8)
    columns = tiles.shape[1] // (shape[1] + 1)
    axis.set_xticks(
        [(c + 0.5) * (shape[1] + 1) for c in range(columns)] if column_labels else [],
        column_labels or [], fontsize=7,
    )
    axis.tick_params(length=0)
    for spine in axis.spines.values():
        spine.set_visible(False)
    if title:
        axis.set_title(title, fontsize=9)


def _grid(images, shape, row_labels, title, column_labels=None):
    """A figure of ``images`` in labelled rows (and columns)."""
    columns = int(np.ceil(len(images) / len(row_labels)))
    size = 0.35 if shape[0] <= 8 else 0.6
    figure, axis = plt.subplots(figsize=(columns * size + 2.5, len(row_labels) * size + 0.8))
    _show(axis, images, shape, row_labels, column_labels, title)
    return figure


# ----- 0. data, the judge, the reparameterization trick -----------------------------------
def _load(run, s):
    def load(split):
        return run.load(split, binarize=s.binarize, flatten=True, with_labels=True)

    (x, y), (x_valid, _), (x_test, y_test) = load("train"), load("valid"), load("test")
    classes, counts = np.unique(y, return_counts=True)
    if counts.min() < CLAIM_LABELS or not np.array_equal(classes, np.unique(y_test[: s.eval_size])):
        raise ValueError(
            f"limit={run.limit} leaves a class with fewer than {CLAIM_LABELS} training images (the labels per "
            "class of the augmentation claim) or no test image (a held-out class of the anomaly AUROC); pass a "
            "larger limit (150 on fashion_mnist).")
    return types.SimpleNamespace(
        shape=data.image_shape(run.dataset)[:2], x=x, y=y, x_valid=x_valid[: s.valid_size],
        x_test=x_test, y_test=y_test, x_eval=x_test[: s.eval_size], y_eval=y_test[: s.eval_size],
        classes=np.unique(y),
    )


def _binary(images):
    """Images binarized at 0.5, like the data: for a decoded image, the most likely one under p(x|z)."""
    return (np.asarray(images) > 0.5).astype("float32")


def _judge(run, s, d):
    """A classifier of real images: judges classes and gives the features of the FD.

    It sees every image binarized at 0.5 (``_binary``), as its training
    images are, so that grey decoded means are not judged for being grey.
    """
    keras.utils.set_random_seed(run.seed)
    with run.strategy.scope():
        features = keras.layers.Dense(JUDGE_UNITS, activation="relu", name="features")
        model = keras.Sequential([keras.Input((d.x.shape[1],)), features, keras.layers.Dense(len(d.classes))])
        model.compile(
            optimizer=keras.optimizers.Adam(LEARNING_RATE),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
    model.fit(d.x, d.y, epochs=s.judge_epochs, batch_size=s.batch_size, verbose=run.verbose)
    reference = np.asarray(features(d.x[: s.fd_reference]), dtype="float64")
    return types.SimpleNamespace(
        accuracy=100 * float(model.evaluate(d.x_test, d.y_test, verbose=0, return_dict=True)["accuracy"]),
        classes=lambda images: d.classes[np.argmax(_array(model(_binary(images))), axis=1)],
        ln_fd=lambda images: float(
            np.log(evaluate.frechet_distance(np.asarray(features(_binary(images)), dtype="float64"), reference))
        ),
        reference_size=len(reference),
    )


def _reparameterization_check(seed):
    """Gradients of E|z|^2 through ``GaussianSampler`` next to the exact ones.

    With z = mean + exp(log_var / 2) * eps, E|z|^2 = |mean|^2 + sum(exp(log_var)):
    d/dmean = 2 mean, d/dlog_var = exp(log_var).
    """
    mean, log_var = tf.Variable([[0.5, -1.0]]), tf.Variable([[0.0, -1.0]])
    sampler = GaussianSampler(seed=seed)
    with tf.GradientTape() as tape:
        z = sampler([tf.repeat(mean, GRADIENT_SAMPLES, 0), tf.repeat(log_var, GRADIENT_SAMPLES, 0)])
        objective = tf.reduce_mean(tf.reduce_sum(tf.square(z), axis=-1))
    estimated = [g.numpy()[0] for g in tape.gradient(objective, [mean, log_var])]
    exact = [2 * mean.numpy()[0], np.exp(log_var.numpy()[0])]
    error = max(float(np.max(np.abs(e - x) / np.abs(x))) for e, x in zip(estimated, exact))
    return {"estimated": [e.tolist() for e in estimated], "exact": [x.tolist() for x in exact],
            "max_relative_error": error}


# ----- 1-8. one seed: a VAE and an AE, and everything measured on them ---------------------
def _pair(run, s, dims, seed):
    keras.utils.set_random_seed(seed)
    with run.strategy.scope():
        vae = VAE(*dense_pair((dims,), s.latent_dim, s.hidden), seed=seed)
        ae = Autoencoder(*dense_pair((dims,), s.latent_dim, s.hidden, variational=False))
    for model in (vae, ae):
        model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE))
    return vae, ae


def _generation(vae, ae, d, s, seed):
    """Decoded random latent points and midpoints of test pairs, ``{name: [n, dims]}``."""
    rng = np.random.default_rng(seed)
    n = s.fd_size
    codes = _array(ae.encode(d.x))
    fitted = rng.multivariate_normal(codes.mean(0), np.atleast_2d(np.cov(codes, rowvar=False)), size=n)
    a, b = (d.x_test[rng.integers(0, len(d.x_test), n)] for _ in range(2))
    return {
        VAE_PRIOR: _array(vae.sample(n, seed=seed, mean=True)),
        AE_FITTED: _array(ae.decode(fitted.astype("float32"))),
        AE_PRIOR: _array(ae.decode(rng.standard_normal((n, s.latent_dim)).astype("float32"))),
        VAE_MID: _array(vae.interpolate(a, b, 3))[:, 1],
        AE_MID: _array(ae.decode((ae.encode(a) + ae.encode(b)) / 2)),
        PIXEL_MID: (a + b) / 2,
    }


def _attribute(vae, d, judge, seed):
    """Stroke thickness (ink mass) as a latent direction, against random directions."""
    codes, ink = _array(vae.encode(d.x)[0]), d.x.sum(1)
    gaps = []
    for c in d.classes:
        mask = d.y == c
        low, high = np.quantile(ink[mask], [THICK_QUANTILE, 1 - THICK_QUANTILE])
        gaps.append(codes[mask & (ink >= high)].mean(0) - codes[mask & (ink <= low)].mean(0))
    direction = np.mean(gaps, axis=0)
    randoms = np.random.default_rng(seed).standard_normal((RANDOM_DIRECTIONS, len(direction)))
    randoms *= np.linalg.norm(direction) / np.linalg.norm(randoms, axis=1, keepdims=True)
    base = _array(vae.encode(d.x_eval)[0])
    base_images = _array(vae.decode(base))
    base_ink, base_class = base_images.sum(1).mean(), judge.classes(base_images)

    def effect(shift):
        images = _array(vae.decode(base + shift.astype("float32")))
        return 100 * (images.sum(1).mean() - base_ink) / base_ink, 100 * np.mean(judge.classes(images) == base_class)

    thick, random = effect(direction), np.mean([effect(r) for r in randoms], axis=0)
    show = np.array([np.flatnonzero(d.y_eval == c)[0] for c in d.classes])
    shifts = (0 * direction, direction, -direction, randoms[0])
    images = np.concatenate(
        [d.x_eval[show]] + [_array(vae.decode((base[show] + shift).astype("float32"))) for shift in shifts]
    )
    return {
        "direction_norm": float(np.linalg.norm(direction)),
        "ink_change_pct": {"thickness": float(thick[0]), "random": float(random[0])},
        "class_kept_pct": {"thickness": float(thick[1]), "random": float(random[1])},
    }, images


def _impute(model, x, known):
    """Fills unknown pixels by iterating reconstruction with known pixels clamped."""
    filled = np.where(known, x, 0.5).astype("float32")
    for _ in range(IMPUTE_STEPS):
        filled = np.where(known, x, _array(model.reconstruct(filled)))
    return filled


def _known_top(d):
    known = np.zeros(d.shape, bool)
    known[: d.shape[0] // 2] = True
    return known.reshape(-1)


def _baseline_fills(d):
    """Nearest-neighbour and mean-pixel fills of the bottom half of ``x_eval``."""
    known = _known_top(d)
    search = NearestNeighbors(n_neighbors=FILL_NEIGHBOURS).fit(d.x[:, known])
    _, index = search.kneighbors(d.x_eval[:, known])
    fills = {NN_COPY: d.x[index[:, 0]], NN_FILL: d.x[index].mean(1), MEAN_FILL: d.x.mean(0)[None]}
    return {name: np.where(known, d.x_eval, fill) for name, fill in fills.items()}


def _hidden_mse(filled, d):
    hidden = ~_known_top(d)
    return float(np.mean((filled - d.x_eval)[:, hidden] ** 2))


def _logistic(x, y, x_test, y_test):
    """Test accuracy (%) of logistic regression.

    One BLAS thread: beside TensorFlow's threads on a 2-core CPU, more made a
    fit on 1,000 28x28 images take 9.4 s of CPU instead of 0.3 s (measured).
    """
    with threadpool_limits(1):
        return 100 * LogisticRegression(max_iter=2000).fit(x, y).score(x_test, y_test)


def _label_counts(d, per_class):
    """Labelled images per class: ``per_class``, or all of a class's training images where it has fewer (a limit)."""
    return [min(per_class, int(np.sum(d.y == c))) for c in d.classes]


def _labels_text(d, per_class):
    """``per_class`` for the report, with what a limit left where a class has fewer training images."""
    counts = _label_counts(d, per_class)
    if min(counts) == per_class:
        return f"{per_class} per class"
    return f"{per_class} per class (the limit leaves {sum(counts)} labelled, {min(counts)} in the smallest class)"


def _few_labels(vae, d, seed, per_class):
    """Discriminative vs generative on ``per_class`` labels per class; at ``CLAIM_LABELS``, augmentation."""
    rng = np.random.default_rng([seed, per_class])
    index = np.concatenate([rng.choice(np.flatnonzero(d.y == c), n, replace=False)
                            for c, n in zip(d.classes, _label_counts(d, per_class))])
    x, y = d.x[index], d.y[index]
    codes, test_codes = _array(vae.encode(x)[0]), _array(vae.encode(d.x_test)[0])
    gaussians = [LedoitWolf().fit(codes[y == c]) for c in d.classes]
    log_density = np.stack(
        [multivariate_normal(g.location_, g.covariance_).logpdf(test_codes) for g in gaussians], axis=1
    )
    z = np.concatenate([rng.multivariate_normal(g.location_, g.covariance_, SYNTHETIC_PER_LABEL * per_class)
                        for g in gaussians])
    synthetic = _array(vae.decode(z.astype("float32")))
    labels = np.repeat(d.classes, SYNTHETIC_PER_LABEL * per_class)
    accuracy = {
        PIXELS: _logistic(x, y, d.x_test, d.y_test),
        GENERATIVE: 100 * float(np.mean(d.classes[np.argmax(log_density, axis=1)] == d.y_test)),
    }
    if per_class == CLAIM_LABELS:
        accuracy[AUGMENTED] = _logistic(np.concatenate([x, synthetic]), np.concatenate([y, labels]),
                                        d.x_test, d.y_test)
    first_ten = synthetic.reshape(len(d.classes), -1, synthetic.shape[-1])[:, :10]  # per class, for the figure
    return accuracy, first_ten.reshape(-1, synthetic.shape[-1])


def _one_seed(run, s, d, judge, index):
    """Trains a VAE and an AE with one seed and measures sections 1-8 and the NLL."""
    seed = run.seed + index
    vae, ae = _pair(run, s, d.x.shape[1], seed)
    run.section(f"seed {seed}: VAE, {s.epochs} epochs")
    history = vae.fit(d.x, epochs=s.epochs, batch_size=s.batch_size, validation_data=(d.x_valid,),
                      verbose=run.verbose).history
    run.section(f"seed {seed}: AE, {s.epochs} epochs")
    ae_history = ae.fit(d.x, epochs=s.epochs, batch_size=s.batch_size, validation_data=(d.x_valid,),
                        verbose=run.verbose).history
    run.section(f"seed {seed}: generation, interpolation, thickness, imputation, few labels")
    generated = _generation(vae, ae, d, s, seed)
    attribute, attribute_images = _attribute(vae, d, judge, seed)
    known = _known_top(d)
    imputed = {VAE_FILL: _impute(vae, d.x_eval, known), AE_FILL: _impute(ae, d.x_eval, known)}
    few = {n: _few_labels(vae, d, seed, n) for n in s.labels_per_class}
    nll = {}
    x_nll = d.x_test[: s.nll_size]
    for k in s.num_samples:
        run.section(f"seed {seed}: test NLL, k = {k}, {len(x_nll)} images")
        nll[k] = evaluate.nll(vae, x_nll, batch_size=128, num_samples=k, seed=seed, verbose=run.verbose)
    test_mean, test_log_var = (_array(t) for t in vae.encode(d.x_test))
    ae_test = _array(ae.encode(d.x_test))
    result = {
        "vae_final": {name: values[-1] for name, values in history.items()},
        "ae_final": {name: values[-1] for name, values in ae_history.items()},
        "ln_fd": {name: judge.ln_fd(images) for name, images in generated.items()},
        "ln_fd_vae_prior_at_real_size": judge.ln_fd(generated[VAE_PRIOR][: len(d.x_test[: s.fd_size])]),
        "sample_class_fractions": np.bincount(
            np.searchsorted(d.classes, judge.classes(generated[VAE_PRIOR])), minlength=len(d.classes)
        ) / len(generated[VAE_PRIOR]),
        "attribute": attribute,
        "imputation_mse": {name: _hidden_mse(filled, d) for name, filled in imputed.items()},
        "accuracy": {n: accuracy for n, (accuracy, _) in few.items()},
        "nll": nll,
        "parameters": {"VAE": vae.count_params(), "AE": ae.count_params()},
        "mean_posterior_std": float(np.mean(np.exp(0.5 * test_log_var))),
        # Per dimension, mean over dimensions: the AE's codes, the VAE's posterior means, and the
        # VAE's codes with their noise (variance of the means + mean posterior variance).
        "code_std": {"AE": float(np.mean(ae_test.std(0))),
                     "VAE": float(np.mean(test_mean.std(0))),
                     "VAE with noise": float(np.mean(np.sqrt(test_mean.var(0) + np.exp(test_log_var).mean(0))))},
    }
    if index > 0:
        return result, None
    figures = dict(
        history=history, ae_history=ae_history, generated=generated, attribute=attribute_images,
        imputed=imputed, class_samples=few[CLAIM_LABELS][1],
        reconstructions=np.concatenate([d.x_test[:10], _array(vae.reconstruct(d.x_test[:10])),
                                        _array(ae.reconstruct(d.x_test[:10]))]),
        codes=(ae_test, test_mean),
        interpolation=_interpolation_rows(vae, ae, d),
        manifold=_manifold(run, s, d, vae),
    )
    return result, figures


def _interpolation_rows(vae, ae, d, pairs=3, steps=9):
    rows = []
    t = np.linspace(0, 1, steps)[:, None]
    for i in range(pairs):
        a, b = d.x_test[2 * i : 2 * i + 1], d.x_test[2 * i + 1 : 2 * i + 2]
        za, zb = _array(ae.encode(a)), _array(ae.encode(b))
        rows += [_array(vae.interpolate(a, b, steps))[0], _array(ae.decode(za * (1 - t) + zb * t)), a * (1 - t) + b * t]
    return np.concatenate(rows)


def _manifold(run, s, d, vae, size=15):
    """The decoder on a grid of a 2-D latent space; a 2-D VAE is trained for it if ``vae``'s is not 2-D."""
    if s.latent_dim != 2:
        run.section(f"a 2-D VAE for the manifold figure, {s.epochs} epochs")
        vae, _ = _pair(run, types.SimpleNamespace(**{**vars(s), "latent_dim": 2}), d.x.shape[1], run.seed)
        vae.fit(d.x, epochs=s.epochs, batch_size=s.batch_size, verbose=run.verbose)
    ticks = norm.ppf(np.linspace(0.05, 0.95, size))
    points = np.stack(np.meshgrid(ticks, ticks[::-1]), -1).reshape(-1, 2).astype("float32")
    return _array(vae.decode(points)), ticks


# ----- anomaly detection --------------------------------------------------------------
def _anomaly(run, s, d):
    """AUROC of each score with one class held out of training, per held-out class."""
    x, y = d.x[: s.anomaly_train_size], d.y[: s.anomaly_train_size]
    auroc = {name: [] for name in (VAE_SCORE, AE_SCORE, NN_SCORE)}
    for c in s.anomaly_classes:
        run.section(f"anomaly: class {c} held out, VAE and AE, {s.anomaly_epochs} epochs")
        normal = x[y != c]
        vae, ae = _pair(run, s, d.x.shape[1], run.seed + 100 + int(c))
        for model in (vae, ae):
            model.fit(normal, epochs=s.anomaly_epochs, batch_size=s.batch_size, verbose=run.verbose)
        scores = {
            VAE_SCORE: -_array(vae.log_prob(d.x_eval, num_samples=ANOMALY_K, seed=run.seed)),
            AE_SCORE: -_array(log_likelihood("bernoulli", d.x_eval, _array(ae.decoder(ae.encode(d.x_eval))))),
            NN_SCORE: NearestNeighbors(n_neighbors=1).fit(normal).kneighbors(d.x_eval)[0][:, 0],
        }
        for name, score in scores.items():
            auroc[name].append(float(roc_auc_score(d.y_eval == c, score)))
    return auroc


# ----- figures -------------------------------------------------------------------------
def _training_figure(run, f):
    figure, axes = plt.subplots(1, 3, figsize=(13, 3.4))
    panels = (("loss", "negative ELBO (VAE loss)"), ("reconstruction_loss", "reconstruction: -log p(x|z)"),
              ("kl_loss", "KL(q(z|x) || N(0, I))"))
    for axis, (name, title) in zip(axes, panels):
        axis.plot(f["history"][name], label="VAE train")
        axis.plot(f["history"][f"val_{name}"], label="VAE validation")
        axis.set(title=title, xlabel="epoch", ylabel="nats per image")
    axes[1].plot(f["ae_history"]["loss"], "--", label="AE train")
    axes[1].plot(f["ae_history"]["val_loss"], "--", label="AE validation")
    for axis in axes:
        axis.legend(fontsize=7)
    return run.save_figure(figure, "training_curves", "training curves of the VAE and the AE (first seed)")


def _codes_figure(run, f, d):
    figure, axes = plt.subplots(1, 2, figsize=(10, 4.3))
    for axis, codes, name in zip(axes, f["codes"], ("AE codes", "VAE posterior means")):
        labels = ("z[0]", "z[1]")
        if codes.shape[1] > 2:
            codes, labels = PCA(2).fit_transform(codes), ("principal component 1 of z", "principal component 2 of z")
        points = axis.scatter(codes[:, 0], codes[:, 1], c=d.y_test, cmap="tab10", s=4)
        axis.set(title=f"{name}, test images", xlabel=labels[0], ylabel=labels[1])
    figure.colorbar(points, ax=axes, label="class")
    return run.save_figure(figure, "latent_codes", "test images in the AE's and the VAE's latent space")


def _samples_figure(run, f, d, ln_fd):
    figure, axes = plt.subplots(1, 3, figsize=(13, 4.6))
    for axis, name in zip(axes, (VAE_PRIOR, AE_FITTED, AE_PRIOR)):
        _show(axis, f["generated"][name][:36], d.shape, [f"{r + 1}" for r in range(6)],
              title=f"{name}\nln FD {ln_fd[name]:.2f}")
        axis.set_ylabel("sample row")
    return run.save_figure(figure, "prior_samples", "decoded random latent points: VAE and AE")


# ----- the report ----------------------------------------------------------------------
def _claims(run, s, results, auroc, fills_mse, real_ln_fd, gradient, n_eval):
    table = run.claims()

    def per_seed(*keys):
        values = []
        for r in results:
            for key in keys:
                r = r[key]
            values.append(r)
        return values

    table.add(
        "Reparameterization Trick इस समस्या को हल करती है। यह हमें sampling operation को latent space के "
        "parameters (mean और variance) से अलग करने की अनुमति देती है, जिससे training के दौरान gradients को "
        "पास किया जा सके।",
        "the reparameterization trick lets gradients pass through the sampling",
        f"gradients of E|z|^2 through tfdl's GaussianSampler ({GRADIENT_SAMPLES:,} samples) against the exact "
        "2·mean and exp(log_var)",
        claims.bound(gradient["max_relative_error"], GRADIENT_TOLERANCE, "largest relative error"),
    )
    table.add(
        "standard Autoencoders का latent space अक्सर “discontinuous” या “sparse” होता है, जिसका अर्थ है कि latent "
        "space में randomly sample किए गए points से meaningful data generate करना मुश्किल हो सकता है। यह वह "
        "limitation है जिसे VAEs solve करते हैं।",
        "random latent points of an AE decode to little that is meaningful; VAEs solve this",
        f"ln FD to training images (judge features) of {s.fd_size} decoded random points, each model from its "
        "own prior: the VAE's N(0, I), the AE's Gaussian fitted to its training codes",
        claims.compare(per_seed("ln_fd", VAE_PRIOR), per_seed("ln_fd", AE_FITTED), names=("VAE", "AE (fitted)"),
                       better="lower", margin=LN_FD_MARGIN),
    )
    table.add(
        "VAEs realistic images generate कर सकते हैं।",
        "VAEs can generate realistic images",
        f"ln FD of VAE samples (decoded means) vs of {REAL}, the same number of images each",
        _paired(per_seed("ln_fd_vae_prior_at_real_size"), [real_ln_fd] * len(results), ("VAE samples", REAL),
                "lower", LN_FD_MARGIN),
    )
    table.add(
        "आप latent space में किन्हीं भी दो points के बीच interpolation कर सकते हैं और आपको बीच में भी meaningful "
        "outputs मिलेंगे।",
        "interpolating between two latent points gives meaningful outputs in between",
        f"ln FD of {s.fd_size} decoded midpoints of random test pairs, VAE vs AE latent space",
        claims.compare(per_seed("ln_fd", VAE_MID), per_seed("ln_fd", AE_MID), names=("VAE", "AE"),
                       better="lower", margin=LN_FD_MARGIN),
    )
    largest = s.num_samples[-1]
    table.add(
        "VAEs एक मजबूत probabilistic framework पर आधारित हैं, जो उन्हें डेटा के underling generative process को "
        "समझने में मदद करता है।",
        "VAEs rest on a principled probabilistic framework",
        f"test NLL bound (nats) with k = {largest} importance samples vs k = 1 (the ELBO), same model per seed: "
        "a valid lower bound on log p(x) must tighten with k",
        _paired([r["nll"][largest]["nats"] for r in results], [r["nll"][1]["nats"] for r in results],
                (f"NLL k={largest}", "NLL k=1"), "lower", NLL_MARGIN),
    )
    fractions = np.mean(per_seed("sample_class_fractions"), axis=0)
    table.add(
        "GANs की तुलना में, VAEs आमतौर पर ‘mode collapse’ से कम प्रभावित होते हैं",
        "VAEs suffer less from mode collapse than GANs",
        f"classes of VAE samples by the judge: smallest class {100 * fractions.min():.1f}%, "
        f"largest {100 * fractions.max():.1f}% (mean over seeds)",
        None, reason="no GAN is trained here: the comparison the sentence makes cannot be measured",
    )
    table.add(
        "Latent space को manipulate करके, हम किसी image की specific features (जैसे चेहरे की expression, बालों "
        "का रंग) को बदल सकते हैं।",
        "moving in latent space changes a specific feature (here stroke thickness = ink mass)",
        "ink change (% of the decoded images' ink) of test codes shifted by the thick-minus-thin direction vs "
        f"{RANDOM_DIRECTIONS} random directions of the same norm",
        claims.compare(per_seed("attribute", "ink_change_pct", "thickness"),
                       per_seed("attribute", "ink_change_pct", "random"),
                       names=("thickness direction", "random direction"), better="higher", margin=INK_MARGIN),
    )
    table.add(
        "… specific features … को बदल सकते हैं।",
        "… and only that feature: the digit (class) stays",
        "% of shifted test codes whose decoded image keeps the judge's class, thickness vs random direction",
        claims.compare(per_seed("attribute", "class_kept_pct", "thickness"),
                       per_seed("attribute", "class_kept_pct", "random"),
                       names=("thickness direction", "random direction"), better="higher",
                       margin=CLASS_KEPT_MARGIN),
    )
    table.add(
        "नए molecular structures generate करने के लिए VAEs का उपयोग किया जा सकता है",
        "VAEs can generate new molecular structures (drug discovery)",
        "not measured", None,
        reason="no molecular data or molecule decoder here; images only",
    )
    for baseline in (AE_SCORE, NN_SCORE):
        table.add(
            "चूँकि VAEs सामान्य डेटा के वितरण को सीखते हैं, वे ऐसे डेटा पॉइंट्स की पहचान कर सकते हैं जो इस वितरण से "
            "बहुत दूर हैं",
            f"VAEs detect points far from the learnt distribution (vs {baseline})",
            f"AUROC of one held-out class per model, classes {list(s.anomaly_classes)}, paired by class",
            _paired(auroc[VAE_SCORE], auroc[baseline], ("VAE", baseline), "higher", AUROC_MARGIN),
        )
    table.add(
        "गुम डेटा (missing data) को भरने के लिए VAEs का उपयोग किया जा सकता है",
        f"VAEs fill in missing data (vs the {NN_FILL} fill)",
        f"hidden-pixel MSE, bottom half of {n_eval} test images hidden; the {NN_FILL} fill is deterministic "
        "(the same for every seed)",
        _paired(per_seed("imputation_mse", VAE_FILL), [fills_mse[NN_FILL]] * len(results),
                ("VAE", NN_FILL), "lower", MSE_MARGIN),
    )
    table.add(
        "गुम डेटा (missing data) को भरने के लिए VAEs का उपयोग किया जा सकता है",
        "VAEs fill in missing data (vs the AE)",
        "hidden-pixel MSE, the same clamped iterations for both",
        claims.compare(per_seed("imputation_mse", VAE_FILL), per_seed("imputation_mse", AE_FILL),
                       names=("VAE", "AE"), better="lower", margin=MSE_MARGIN),
    )
    table.add(
        "एक image से स्टाइल को निकालकर उसे दूसरी image पर apply करने में भी VAEs का उपयोग किया जाता है।",
        "VAEs transfer the style of one image to another",
        "not measured", None,
        reason="a plain VAE has one code for the whole image: nothing separates style from content, so "
               "'the style of one image on another' is not defined for it (section 8)",
    )
    table.add(
        "वे synthetic data बनाने की अनुमति देते हैं, जिसका उपयोग training datasets को बढ़ाने … के लिए किया जा "
        "सकता है",
        "synthetic data from a generative model can enlarge training sets",
        f"test accuracy (%) of logistic regression on {CLAIM_LABELS} labelled images per class plus "
        f"{SYNTHETIC_PER_LABEL} VAE samples per labelled image, vs the labelled images alone, paired by labelled subset",
        _paired(per_seed("accuracy", CLAIM_LABELS, AUGMENTED), per_seed("accuracy", CLAIM_LABELS, PIXELS),
                ("with VAE samples", "labels only"), "higher", ACCURACY_MARGIN),
    )
    return table


def reproduce(run):
    s = settings(run)
    m = run.metrics
    m["settings"] = vars(s)
    run.section("0. data, judge classifier, reparameterization check")
    d = _load(run, s)
    judge = _judge(run, s, d)
    gradient = _reparameterization_check(run.seed)
    fills = _baseline_fills(d)
    fills_mse = {name: _hidden_mse(filled, d) for name, filled in fills.items()}
    real_ln_fd = judge.ln_fd(d.x_test[: s.fd_size])
    results, f = [], None
    for index in range(s.seeds):
        result, figures = _one_seed(run, s, d, judge, index)
        results.append(result)
        f = f or figures
    auroc = _anomaly(run, s, d)
    run.section("report")
    m.update(judge_test_accuracy_pct=judge.accuracy, reparameterization=gradient, real_ln_fd=real_ln_fd,
             baseline_imputation_mse=fills_mse, anomaly_auroc=auroc, seeds=results)
    table = _claims(run, s, results, auroc, fills_mse, real_ln_fd, gradient, len(d.x_eval))
    m["claims"] = table.rows
    run.summarize(f"vae: claims {table.counts()}")
    return _report(run, s, d, judge, results, f, auroc, fills, fills_mse, real_ln_fd, gradient, table)


def _figures(run, s, d, f, results, auroc, fills):
    """Saves the figures of the report; returns their Markdown, by name."""
    shape, seeds = d.shape, [run.seed + i for i in range(s.seeds)]
    training = _training_figure(run, f)
    reconstructions = run.save_figure(
        _grid(f["reconstructions"], shape, ["test image", "VAE", "AE"], "reconstructions (first seed)"),
        "reconstructions", "test images and their VAE and AE reconstructions")
    codes = _codes_figure(run, f, d)
    images, ticks = f["manifold"]
    labels = [f"{round(t, 1) + 0.0:.1f}" for t in ticks]  # + 0.0: no "-0.0"
    manifold = run.save_figure(
        _grid(images, shape, labels[::-1], "2-D VAE decoder on a grid of z (rows: z[1], columns: z[0])", labels),
        "manifold", "a 2-D VAE's decoded latent space")
    samples = _samples_figure(run, f, d, results[0]["ln_fd"])
    interpolation = run.save_figure(
        _grid(f["interpolation"], shape,
              [f"pair {p + 1}: {kind}" for p in range(3) for kind in ("VAE latent", "AE latent", "pixels")],
              "interpolation from image A (left) to B (right)", ["A"] + [f"{i}/8" for i in range(1, 8)] + ["B"]),
        "interpolation", "latent and pixel interpolation")
    attribute = run.save_figure(
        _grid(f["attribute"], shape, ["test image", "decoded code", "+ thickness direction",
                                      "− thickness direction", "+ random direction"],
              "ink mass (stroke thickness) as a latent direction, one test image per class",
              [str(c) for c in d.classes]),
        "attribute_manipulation", "thickness direction vs a random direction")
    figure, axis = plt.subplots(figsize=(8, 3.4))
    width = 0.27
    for i, name in enumerate(auroc):
        axis.bar(np.arange(len(auroc[name])) + (i - 1) * width, auroc[name], width, label=name)
    axis.set(xticks=np.arange(len(s.anomaly_classes)), xticklabels=[str(c) for c in s.anomaly_classes],
             xlabel="held-out (anomalous) class", ylabel="AUROC", ylim=(0, 1.05),
             title="anomaly detection: one model per held-out class")
    axis.axhline(0.5, color="grey", lw=0.5)
    axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    anomaly = run.save_figure(figure, "anomaly_auroc", "AUROC per held-out class")
    imputed = {**f["imputed"], NN_FILL: fills[NN_FILL]}
    masked = np.where(_known_top(d), d.x_eval, 0.5)
    imputation = run.save_figure(
        _grid(np.concatenate([d.x_eval[:10], masked[:10]] + [v[:10] for v in imputed.values()]), shape,
              ["test image", "top half given"] + list(imputed), "imputation of the bottom half (first seed)"),
        "imputation", "imputation: VAE, AE, nearest neighbours")
    class_samples = run.save_figure(
        _grid(f["class_samples"], shape, [f"class {c}" for c in d.classes],
              f"VAE samples from each class's Gaussian, fitted to {CLAIM_LABELS} labelled codes"),
        "class_conditional_samples", "class-conditional samples from the VAE")
    ks = list(s.num_samples)
    figure, axis = plt.subplots(figsize=(5.5, 3.6))
    for r, seed in zip(results, seeds):
        axis.errorbar(ks, [r["nll"][k]["nats"] for k in ks], yerr=[r["nll"][k]["stderr_nats"] for k in ks],
                      marker="o", capsize=3, label=f"seed {seed}")
    axis.set(xscale="log", xlabel="importance samples k", ylabel="test NLL bound (nats per image)",
             title="test NLL bound against the number of importance samples")
    axis.legend(fontsize=7)
    nll_figure = run.save_figure(figure, "nll_vs_k", "test NLL bound against k")
    return types.SimpleNamespace(
        training=training, reconstructions=reconstructions, codes=codes, manifold=manifold, samples=samples,
        interpolation=interpolation, attribute=attribute, anomaly=anomaly, imputation=imputation,
        class_samples=class_samples, nll=nll_figure,
    )


def _report(run, s, d, judge, results, f, auroc, fills, fills_mse, real_ln_fd, gradient, table):
    dims, seeds = d.x.shape[1], [run.seed + i for i in range(s.seeds)]
    g = _figures(run, s, d, f, results, auroc, fills)
    ks = list(s.num_samples)

    def seeds_of(key, name):
        return [r[key][name] for r in results]

    code_std = {name: [r["code_std"][name] for r in results] for name in results[0]["code_std"]}
    ae_better = np.mean([r["ae_final"]["val_loss"] for r in results]) < np.mean(
        [r["vae_final"]["val_reconstruction_loss"] for r in results])
    fd_rows = [[name, _mean_sd(seeds_of("ln_fd", name)), f"{np.exp(np.mean(seeds_of('ln_fd', name))):.3g}"]
               for name in results[0]["ln_fd"]]
    fd_rows.append([f"{REAL} ({len(d.x_test[: s.fd_size])} images)", f"{real_ln_fd:.3f}", f"{np.exp(real_ln_fd):.3g}"])
    attr = {k: [r["attribute"][k] for r in results] for k in ("ink_change_pct", "class_kept_pct")}
    attr_rows = [[name, _mean_sd([a[name] for a in attr["ink_change_pct"]], 1),
                  _mean_sd([a[name] for a in attr["class_kept_pct"]], 1)] for name in ("thickness", "random")]
    imputation_rows = [[name, _mean_sd(seeds_of("imputation_mse", name), 4)] for name in (VAE_FILL, AE_FILL)]
    imputation_rows += [[name, f"{value:.4f}"] for name, value in fills_mse.items()]
    anomaly_rows = [[c] + [f"{auroc[name][i]:.3f}" for name in auroc] for i, c in enumerate(s.anomaly_classes)]
    anomaly_rows.append(["mean"] + [f"{np.mean(values):.3f}" for values in auroc.values()])
    accuracy_rows = [[_labels_text(d, n), name, _mean_sd([r["accuracy"][n][name] for r in results], 1)]
                     for n in s.labels_per_class for name in results[0]["accuracy"][n]]
    nll_rows = [[f"ours ({run.dataset}, {dims} pixels, {s.binarize} binarization)", k,
                 _mean_sd([r["nll"][k]["nats"] for r in results], 2),
                 f"{np.mean([r['nll'][k]['stderr_nats'] for r in results]):.2f}",
                 f"{np.mean([r['nll'][k]['bits_per_dim'] for r in results]):.4f}"] for k in ks]
    nll_rows.append(["IWAE paper (Burda et al. 2016, binarized MNIST, 784 pixels, dynamic binarization; "
                     "VAE, 1 stochastic layer) — not comparable with other data", 5000, IWAE_PAPER_NATS, "", ""])
    final = {key: _mean_sd([r["vae_final"][key] for r in results], 2)
             for key in ("loss", "reconstruction_loss", "kl_loss", "val_loss", "val_reconstruction_loss")}
    ae_final = _mean_sd([r["ae_final"]["val_loss"] for r in results], 2)
    fractions = np.mean([r["sample_class_fractions"] for r in results], axis=0)
    hidden_text = "-".join(map(str, s.hidden))
    n_nll = len(d.x_test[: s.nll_size])
    largest = ks[-1]
    gap = [r["nll"][1]["nats"] - r["nll"][largest]["nats"] for r in results]
    vae_fd, ae_fd = np.mean(seeds_of("ln_fd", VAE_PRIOR)), np.mean(seeds_of("ln_fd", AE_FITTED))
    augmented_gain = [r["accuracy"][CLAIM_LABELS][AUGMENTED] - r["accuracy"][CLAIM_LABELS][PIXELS] for r in results]
    return f"""# Variational autoencoders (article 001)

Model: dense VAE {dims}-{hidden_text}-{s.latent_dim} (ReLU), Bernoulli likelihood, Adam
{LEARNING_RATE:g}, batch {s.batch_size}, {s.epochs} epochs, {len(d.x)} training images binarized
({s.binarize}); the autoencoder (AE) baseline has the same architecture, optimizer and epochs. Every
model is trained once per seed ({", ".join(map(str, seeds))}); tables give the mean ± standard
deviation over seeds. A judge classifier (MLP {dims}-{JUDGE_UNITS}-{len(d.classes)}, trained on the
labelled training images, test accuracy {judge.accuracy:.1f}%) classifies decoded images; its hidden
layer gives the features of the Fréchet distance (FD, as in FID) between a set of images and
{judge.reference_size} training images. Lower FD means closer to the data; it is compared in ln units.
The judge sees every image binarized at 0.5, as the data are: a decoded image is judged by its most
likely binary image under p(x|z), so that no model is judged for the greyness of its means.

## Claims

Each claim names one variant against one. Criteria were fixed before the run (constants at the top
of `reproductions/vae.py`): a difference larger than the margin and, across seeds, larger than 2
standard errors with at least 3 seeds per side. "Paired" claims compare the per-seed (or per-class)
differences with zero, so that what varies between pairs cancels.

{table.table()}

## 1. The VAE: encoder to (μ, log σ²), the reparameterization trick, the loss

The encoder outputs the mean and log-variance of q(z|x); `tfdl.layers.GaussianSampler` draws
z = μ + exp(log σ² / 2)·ε, so the noise ε does not depend on the parameters and gradients pass
through the sample. Check: for μ = (0.5, −1), log σ² = (0, −1), the gradient of E|z|² estimated from
{GRADIENT_SAMPLES:,} reparameterized samples is {np.round(gradient['estimated'][0], 3).tolist()} (exact 2μ =
{gradient['exact'][0]}) for μ and {np.round(gradient['estimated'][1], 3).tolist()} (exact σ² =
{np.round(gradient['exact'][1], 3).tolist()}) for log σ²: largest relative error
{100 * gradient['max_relative_error']:.2f}%.

The loss is the negative ELBO: reconstruction −log p(x|z) plus KL(q(z|x) ‖ N(0, I)). After training:
train loss {final['loss']} = reconstruction {final['reconstruction_loss']} + KL {final['kl_loss']} nats;
validation {final['val_loss']} (reconstruction {final['val_reconstruction_loss']}). The AE, with no KL term and
no noise, reconstructs validation images to {ae_final} nats, {"less" if ae_better else "more"} than the
VAE's reconstruction term: the VAE pays KL nats to keep its codes near N(0, I). The VAE's posterior
standard deviation is {_mean_sd([r['mean_posterior_std'] for r in results])} on average (the prior's is 1): each
image is encoded as a cloud, not a point.

{g.training}

Left: the VAE's loss, train and validation; middle: the reconstruction term, the AE's dashed;
right: the KL term. The gap between train and validation curves is the overfitting of each model.

{g.reconstructions}

Rows: test images, VAE reconstructions (decoded posterior means), AE reconstructions.

## 2. The latent space: AE vs VAE

{g.codes}

Test images in the AE's code space (left) and at the VAE's posterior means (right), coloured by
class{" (first two principal components of z)" if s.latent_dim > 2 else ""}. Standard deviation per
dimension: {_mean_sd(code_std['AE'], 2)} for the AE's codes, whose scale nothing fixes;
{_mean_sd(code_std['VAE'], 2)} for the VAE's posterior means, and {_mean_sd(code_std['VAE with noise'], 2)}
for its codes with their posterior noise, which the KL term pulls towards the prior's 1.

{g.manifold}

The decoder of a VAE with a 2-D latent space{"" if s.latent_dim == 2 else f" (trained like the others, for this picture only: the claims use the {s.latent_dim}-D models)"}
on a 15 x 15 grid of z at the 5%-95% quantiles of N(0, I): what the decoder makes of each region of
the prior, the continuous space the article describes, drawn where it can be drawn.

## 3. Generating from random latent points

ln FD to training images, {s.fd_size} decoded points per row (lower is better; FD in the last column):

{markdown_table(["images", "ln FD (mean ± sd over seeds)", "FD (geometric mean)"], fd_rows)}

{g.samples}

Decoded random points of the first seed (ln FD in the titles). The sceptic's question is whether
the AE, given its own prior (a Gaussian fitted to its training codes), does as well as the VAE
from N(0, I): mean ln FD {vae_fd:.2f} for the VAE and {ae_fd:.2f} for the fitted AE (claim
"random latent points"). Ghosh et al. ("From Variational to Deterministic Autoencoders", 2020)
found that a deterministic autoencoder with a density fitted to its codes afterwards can sample as
well as a VAE: the baseline here is the simplest such density, one Gaussian. Decoding N(0, I) with the AE (right) ignores where its codes lie (standard
deviation {_mean_sd(code_std['AE'], 2)} per dimension, section 2). The real test images' FD is the
floor that a perfect generator would reach with this many images: the "realistic" claim compares
the VAE's samples with it. The binarized pixel average keeps the pixels both images share. Classes of VAE samples according to the judge (mean over seeds, %):
{", ".join(f"{c}: {100 * v:.1f}" for c, v in zip(d.classes, fractions))}.

## 4. Interpolation

{g.interpolation}

Three test pairs (first seed), A on the left and B on the right: rows in threes give the VAE's
latent interpolation, the AE's latent interpolation and the pixel average. The table of section 3
gives the FD of {s.fd_size} midpoints (t = 0.5) of random test pairs for each.

## 5. Attribute manipulation: stroke thickness

Thickness is measured on the image: its ink mass, the sum of its pixel values (stroke thickness
for digits; for clothes, how much of the frame the garment fills and how dark). Within each class, the
training images in the top quarter of ink ("thick") and the bottom quarter ("thin") give a mean
code each; the thickness direction is the mean over classes of thick minus thin (norm
{_mean_sd([r['attribute']['direction_norm'] for r in results], 2)}). Shifting each test code by it
(or by one of {RANDOM_DIRECTIONS} random directions of the same norm) and decoding:

{markdown_table(["shift", "ink change (% of decoded ink)", "class kept (% of test images, judge)"], attr_rows)}

{g.attribute}

Rows: test image, its decoded code, + thickness direction, − thickness direction, + one random
direction of the same norm; one column per class.

## 6. Anomaly detection

Per held-out class: a VAE and an AE (same architecture, {s.anomaly_epochs} epochs, seed
{run.seed} + 100 + class) trained on {"all" if s.anomaly_train_size is None else s.anomaly_train_size}
training images minus that class; {len(d.x_eval)} test images scored, the held-out class positive.
Scores: the VAE's −log p(x) (importance-weighted, k = {ANOMALY_K}), the AE's reconstruction error
(−log p(x | decoder(encoder(x))), the same units) and the distance to the nearest training image.

AUROC of each score (columns) with one class held out (rows):

{markdown_table(["held-out class"] + list(auroc), anomaly_rows)}

{g.anomaly}

AUROC per held-out class for the three scores (0.5: no better than a random ranking).

## 7. Imputation

The top half of {len(d.x_eval)} test images is given and the bottom half hidden. The VAE and the
AE fill it by {IMPUTE_STEPS} iterations of reconstruction with the known pixels clamped; the
nearest-neighbour fills take the training images whose top halves are nearest and copy the
bottom of the nearest one, or average the bottoms of the {FILL_NEIGHBOURS} nearest (the claim's
baseline: MSE rewards hedged, grey predictions, and the average hedges as the VAE does).
Mean squared error on the hidden pixels:

{markdown_table(["fill", "hidden-pixel MSE"], imputation_rows)}

{g.imputation}

Rows: test image, top half given (grey: hidden), then the VAE, AE and {NN_FILL} fills (first seed).

## 8. Discriminative vs generative models, and synthetic data

The article contrasts discriminative models (classify: p(y|x)) with generative ones (make new
data: p(x)). Side by side on the same labelled images (a random subset per seed): logistic
regression on the pixels (discriminative); a generative classifier, one Gaussian per class fitted
(Ledoit-Wolf) to the VAE codes of the labelled images, classifying by Bayes' rule, which also
generates: decoding draws from a class's Gaussian gives new images of that class; and, at {CLAIM_LABELS} labels per class, logistic
regression on the labelled images plus {SYNTHETIC_PER_LABEL} such samples per labelled image.
Test accuracy (%), {len(d.x_test)} test images:

{markdown_table(["labels", "classifier", "test accuracy % (mean ± sd)"], accuracy_rows)}

The judge MLP, trained on all {len(d.x)} labelled images, reaches {judge.accuracy:.1f}%. The logistic
regression has no p(x): it cannot generate or score an image; the VAE has no labels but gives a
test NLL bound (section 9) and samples. Synthetic data changed the accuracy at {CLAIM_LABELS}
labels per class by {_mean_sd(augmented_gain, 1)} points.

{g.class_samples}

Rows: classes; each row decodes draws from that class's Gaussian in the VAE's latent space
(first seed): the class-conditional generator behind the augmentation.

Style transfer (the article's last application) is not reproduced: a plain VAE encodes a whole
image in one code, and nothing in its loss separates style from content, so "the style of one
image applied to another" has no definition for it. It needs a model that splits the two, e.g. a
conditional VAE with the label as content and z as style (Kingma et al. 2014, M2); the thickness
direction of section 5 is the closest this model comes: one style attribute moved, the class kept
or not as measured there.

## 9. Test negative log-likelihood (importance sampling, nats)

{n_nll} test images, k importance samples (k = 1: the ELBO). The stderr column is the standard
error over images of one model (mean over seeds); the spread over seeds is after the ±.

{markdown_table(["model", "k", "NLL (nats)", "stderr", "bits/dim"], nll_rows)}

{g.nll}

Test NLL against k for each seed, with the per-image standard errors: the bound tightened by
{_mean_sd(gap, 2)} nats from k = 1 to k = {largest} on the same model. The paper's number is for
28x28 binarized MNIST; only `DATASET=mnist PROFILE=full` (200-200-50, batch 20, 3280 epochs,
k = 5000, one stochastic binarization rather than a new one each epoch, ReLU rather than tanh,
constant learning rate) approaches its setting.

## Article items

| article item | where |
|---|---|
| generative models create new data; VAEs understand how data is made and generate new realistic data | sections 3, 8; claims "random latent points", "realistic" |
| discriminative vs generative models | section 8 (logistic regression vs Gaussian-per-class on VAE codes, same labels) |
| synthetic data to enlarge training sets | section 8; claim "synthetic data" |
| synthetic data: anonymized data for privacy; creative arts and design | not reproduced: no privacy measure or design task here |
| GANs and VAEs as the two main generative architectures; VAEs simple and interpretable | VAE throughout; no GAN trained (claim "mode collapse": not judged) |
| autoencoder: encoder, bottleneck, decoder, trained to reconstruct; dimensionality reduction | `tfdl.models.Autoencoder`, sections 1-2 |
| AE latent space discontinuous/sparse: random points decode poorly | section 3; claim "random latent points" |
| VAE encodes to a distribution: μ and log σ², a sample goes to the decoder | section 1 (`dense_pair` heads, mean posterior std) |
| reparameterization trick | section 1; claim "reparameterization" |
| loss = reconstruction + KL to N(0, I) | section 1, `training_curves.png` |
| continuous, smooth latent space; interpolation | sections 2, 4; claim "interpolation" |
| principled probabilistic approach | section 9; claim "probabilistic framework" |
| less prone to mode collapse than GANs | section 3 (class fractions of samples); claim not judged (no GAN) |
| image generation and manipulation (features such as expression, hair colour) | sections 3, 5; claims "realistic", "thickness" (faces: not available offline; thickness is the attribute here) |
| drug discovery | not reproduced: no molecular data (claim not judged) |
| anomaly detection | section 6; claims vs AE and nearest neighbour |
| data imputation | section 7; claims vs {NN_FILL} fill and AE |
| style transfer | not reproduced: section 8 says why (claim not judged) |
| conclusion: compress, reconstruct, structured latent space, new diverse data | sections 1-4, 8 |
"""
