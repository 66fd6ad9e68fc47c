"""What the VAE article's sections share: settings, data, the judge classifier, and
one VAE and one autoencoder (AE) per seed, trained once per run (``Run.cached``).

Models that a claim compares train with early stopping on the validation split
(patience ``PATIENCE``, the best weights restored). A model counts as converged
when early stopping ended its training, or when its validation loss had
levelled off by the end of its epoch budget (the last ``LEVEL_TAIL`` of the
epochs improved it by less than ``LEVEL_TOLERANCE`` of its value); a claim
comparing a model that had not is ``inconclusive (not converged)``.
"""

import dataclasses
import types

import keras
import numpy as np

from tfdl import claims, data, evaluate
from tfdl.models import VAE, Autoencoder
from tfdl.models.vae import dense_pair

LEARNING_RATE = 1e-3
JUDGE_UNITS = 128  # hidden ReLU units of the judge classifier (its features give the FD)
CLAIM_LABELS = 10  # labels per class where the synthetic-data claim is judged
PATIENCE = 3  # epochs without a better validation loss before training stops
LEVEL_TAIL, LEVEL_TOLERANCE = 0.1, 0.01  # the last 10% of epochs improved validation loss by < 1%
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                         "Ankle boot")
VAE_PRIOR, AE_FITTED, AE_PRIOR = "VAE, z ~ N(0, I)", "AE, z ~ Gaussian fitted to its codes", "AE, z ~ N(0, I)"
VAE_MID, AE_MID, PIXEL_MID = "VAE, latent midpoint", "AE, latent midpoint", "pixel average (midpoint)"
SHARED = ("seeds", "latent_dim", "hidden", "epochs", "batch_size", "binarize", "valid_size", "eval_size",
          "judge_epochs", "fd_size", "fd_reference")


def shared_settings(run):
    """The VAE/AE pair and the data every section reads: per profile, and for ``default``
    per image size (8x8 digits or a 28x28 data set)."""
    pick, epochs, cap = run.by_size, run.epochs_by_size, run.at_most
    return {
        "seeds": run.num_seeds(pick(1, 3, 3, 3)),
        "latent_dim": pick(2, 16, 16, 50),
        "hidden": pick((32,), (256,), (256,), (200, 200)),
        "epochs": epochs(3, 100, 20, 3280),  # at most: early stopping ends sooner
        # 28x28: 256 images a step keep the matrix products busy on a CPU.
        "batch_size": pick(64, 64, 256, 20),
        "binarize": pick("threshold", "threshold", "threshold", "stochastic"),
        "valid_size": cap(pick(None, None, 2_000, None)),
        "eval_size": cap(pick(None, None, 2_000, None)),
        "judge_epochs": epochs(3, 50, 5, 20),
        "fd_size": cap(pick(200, 1_000, 5_000, 10_000)),  # images per Fréchet distance
        "fd_reference": cap(pick(None, None, 10_000, 10_000)),
    }


def class_names(run, classes):
    """The data set's own words for its classes: Fashion-MNIST's garments, else the digits."""
    if run.dataset == "fashion_mnist":
        return [FASHION_MNIST_CLASSES[int(c)] for c in classes]
    return [f"digit {c}" for c in classes]


def with_shared(run, **own):
    """A section's settings: the shared ones and its own."""
    return {**shared_settings(run), **own}


def shared_only(s):
    return {k: s[k] for k in SHARED}


def array(tensor):
    return np.asarray(tensor, dtype="float32")


def binary(images):
    """Images binarized at 0.5, like the data: for a decoded image, the most likely one under p(x|z)."""
    return (np.asarray(images) > 0.5).astype("float32")


def paired(a, b, names, better, margin):
    """``claims.compare`` on the differences ``a - b`` (per seed or per class) against zero.

    The paired test: what varies between pairs (a held-out class's difficulty,
    a labelled subset) cancels in the difference. The row's numbers are the
    means of ``a`` (ours) and ``b`` (the baseline, ``names[1]``).
    """
    difference = np.subtract(a, b, dtype="float64")
    verdict = claims.compare(difference, np.zeros_like(difference), names=(f"{names[0]} − {names[1]}", "zero"),
                             better=better, margin=margin)
    return dataclasses.replace(verdict, ours=float(np.mean(a)), baseline=names[1], baseline_value=float(np.mean(b)))


def load(run, s):
    """Training, validation and test images with labels (binarized as the profile says), once per run."""
    return run.cached(("data", repr(shared_only(s))), lambda: _load(run, s))


def _load(run, s):
    def split(name):
        return run.load(name, binarize=s["binarize"], flatten=True, with_labels=True)

    (x, y), (x_valid, y_valid), (x_test, y_test) = split("train"), split("valid"), split("test")
    classes, counts = np.unique(y, return_counts=True)
    if counts.min() < CLAIM_LABELS or not np.array_equal(classes, np.unique(y_test[: s["eval_size"]])):
        raise ValueError(
            f"limit={run.limit} leaves a class with fewer than {CLAIM_LABELS} training images (the labels per "
            "class of the synthetic-data claim) or no test image (a held-out class of the anomaly AUROC); pass a "
            "larger limit (150 on fashion_mnist).")
    return types.SimpleNamespace(
        shape=data.image_shape(run.dataset)[:2], x=x, y=y, x_valid=x_valid[: s["valid_size"]],
        y_valid=y_valid[: s["valid_size"]],
        x_test=x_test, y_test=y_test, x_eval=x_test[: s["eval_size"]], y_eval=y_test[: s["eval_size"]],
        classes=np.unique(y), dims=x.shape[1],
    )


def judge(run, s):
    """A classifier of real images (trained once per run): judges classes and gives the features of the FD.

    It sees every image binarized at 0.5 (``binary``), as its training
    images are, so that grey decoded means are not judged for being grey.
    """
    return run.cached(("judge", repr(shared_only(s))), lambda: _judge(run, s, load(run, s)))


def _judge(run, s, d):
    run.progress(f"judge classifier, {s['judge_epochs']} epochs")
    keras.utils.set_random_seed(run.seed)
    with run.strategy.scope():
        features = keras.layers.Dense(JUDGE_UNITS, activation="relu", name="features")
        model = keras.Sequential([keras.Input((d.dims,)), features, keras.layers.Dense(len(d.classes))])
        model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(d.x, d.y, epochs=s["judge_epochs"], batch_size=s["batch_size"], verbose=run.verbose)
    reference = np.asarray(features(d.x[: s["fd_reference"]]), dtype="float64")
    return types.SimpleNamespace(
        accuracy=100 * float(model.evaluate(d.x_test, d.y_test, verbose=0, return_dict=True)["accuracy"]),
        classes=lambda images: d.classes[np.argmax(array(model(binary(images))), axis=1)],
        ln_fd=lambda images: float(
            np.log(evaluate.frechet_distance(np.asarray(features(binary(images)), dtype="float64"), reference))),
        reference_size=len(reference),
    )


def generated(run, s, m):
    """Decoded random latent points and midpoints of random test pairs of one seed's
    models, ``{name: [n, dims]}`` (sections 4 and 5; computed once per run)."""
    return run.cached(("generated", m.seed, repr(shared_only(s))), lambda: _generated(run, s, m))


def _generated(run, s, m):
    d = load(run, s)
    rng = np.random.default_rng(m.seed)
    n = s["fd_size"]
    codes = array(m.ae.encode(d.x))
    fitted = rng.multivariate_normal(codes.mean(0), np.atleast_2d(np.cov(codes, rowvar=False)), size=n)
    a, b = (d.x_test[rng.integers(0, len(d.x_test), n)] for _ in range(2))
    return {
        VAE_PRIOR: array(m.vae.sample(n, seed=m.seed, mean=True)),
        AE_FITTED: array(m.ae.decode(fitted.astype("float32"))),
        AE_PRIOR: array(m.ae.decode(rng.standard_normal((n, s["latent_dim"])).astype("float32"))),
        VAE_MID: array(m.vae.interpolate(a, b, 3))[:, 1],
        AE_MID: array(m.ae.decode((m.ae.encode(a) + m.ae.encode(b)) / 2)),
        PIXEL_MID: (a + b) / 2,
    }


def pair(run, s, dims, seed, latent_dim=None):
    """A VAE and an AE of the same dense architecture, compiled (Adam), seeded by ``seed``."""
    latent_dim = latent_dim or s["latent_dim"]
    keras.utils.set_random_seed(seed)
    with run.strategy.scope():
        vae = VAE(*dense_pair((dims,), latent_dim, s["hidden"]), seed=seed)
        ae = Autoencoder(*dense_pair((dims,), latent_dim, s["hidden"], variational=False))
        for model in (vae, ae):
            model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE))
    return vae, ae


def fit(run, model, x, x_valid, epochs, batch_size):
    """Trains ``model`` with early stopping on ``x_valid`` (the best weights restored).

    Returns ``(history, converged)``: converged when early stopping ended the
    training or the validation loss had levelled off (the module docstring).
    """
    stopping = keras.callbacks.EarlyStopping(patience=PATIENCE, restore_best_weights=True)
    history = model.fit(x, epochs=epochs, batch_size=batch_size, validation_data=(x_valid,), verbose=run.verbose,
                        callbacks=[stopping]).history
    curve = history["val_loss"]
    levelled = claims.levelled(curve, tail=LEVEL_TAIL, tolerance=LEVEL_TOLERANCE * abs(min(curve)))
    return history, bool(stopping.stopped_epoch > 0 or levelled)


def models(run, s):
    """One VAE and one AE per seed, trained on all training images with early stopping on the
    validation split (once per run): a list with ``seed, vae, ae, history, ae_history, converged``
    (``converged``: ``{"VAE": bool, "AE": bool}``)."""
    return run.cached(("models", repr(shared_only(s))), lambda: _train_models(run, s, load(run, s)))


def _train_models(run, s, d):
    trained = []
    for seed in run.seeds(s["seeds"]):
        vae, ae = pair(run, s, d.dims, seed)
        histories, converged = [], {}
        for name, model in (("VAE", vae), ("AE", ae)):
            run.progress(f"seed {seed}: {name}, at most {s['epochs']} epochs")
            history, converged[name] = fit(run, model, d.x, d.x_valid, s["epochs"], s["batch_size"])
            histories.append(history)
        trained.append(types.SimpleNamespace(seed=seed, vae=vae, ae=ae, history=histories[0],
                                             ae_history=histories[1], converged=converged))
    return trained


def all_converged(trained, names=("VAE", "AE")):
    """Whether every model ``names`` of every seed converged (a claim's ``converged``)."""
    return all(m.converged[name] for m in trained for name in names)

