"""Reproduction of article 001: variational autoencoders and their applications.

In the article's order: the autoencoder and its "discontinuous" latent space,
the VAE (encoder to a mean and log-variance, the reparameterization trick,
reconstruction + KL loss), the continuous latent space (interpolation,
generation from the prior), then the applications: attribute manipulation,
anomaly detection and imputation; last, the test log-likelihood next to the
IWAE paper's number.

Profiles: ``smoke`` (seconds), ``default`` (a few minutes on 2 CPU cores,
digits), ``full`` (the IWAE paper's one-stochastic-layer model: 200-200-50,
k = 5000 evaluation, 3280 epochs; meant for MNIST on a GPU).
"""

import matplotlib

matplotlib.use("Agg")
import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import norm  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from tfdl import data, evaluate  # noqa: E402
from tfdl.models import VAE, Autoencoder  # noqa: E402
from tfdl.models.vae import dense_pair  # noqa: E402
from tfdl.runner import markdown_table  # noqa: E402

IWAE_PAPER_NATS = 86.76  # Burda et al. 2016, table 1: VAE, 1 stochastic layer, k=5000, MNIST
CONFIDENT = 0.9


def _settings(run):
    return {
        "latent_dim": run.by_profile(2, 2, 50),
        "hidden": run.by_profile((64,), (256,), (200, 200)),
        "epochs": run.num_epochs(smoke=3, default=150, full=3280),
        "anomaly_epochs": run.num_epochs(smoke=3, default=60, full=300),
        "anomaly_classes": run.by_profile((0,), tuple(range(10)), tuple(range(10))),
        "batch_size": run.by_profile(64, 64, 20),
        "num_samples": run.by_profile((1, 10), (1, 10, 100, 1000), (1, 50, 5000)),
        "binarize": run.by_profile("threshold", "threshold", "stochastic"),
    }


def _tile(images, shape, rows):
    """Images ``[n, h*w]`` as one array of ``rows`` rows, with grey separators."""
    images = np.asarray(images).reshape(-1, *shape)
    cols = int(np.ceil(len(images) / rows))
    tiles = np.full((rows * cols, shape[0] + 1, shape[1] + 1), 0.3)
    tiles[: len(images), : shape[0], : shape[1]] = images
    tiles = tiles.reshape(rows, cols, shape[0] + 1, shape[1] + 1).transpose(0, 2, 1, 3)
    return tiles.reshape(rows * (shape[0] + 1), cols * (shape[1] + 1))


def _grid(images, shape, rows, title=None):
    """A figure showing ``images`` ([n, h*w]) in ``rows`` rows."""
    tiles = _tile(images, shape, rows)
    figure, axis = plt.subplots(figsize=(tiles.shape[1] / 12 + 1, tiles.shape[0] / 12 + 0.5))
    axis.imshow(tiles, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    axis.axis("off")
    if title:
        axis.set_title(title)
    return figure


def _train(model, x, x_valid, epochs, batch_size):
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model.fit(
        x, epochs=epochs, batch_size=batch_size, validation_data=(x_valid,), verbose=0
    ).history


def _confident_fraction(classifier, images):
    return float(np.mean(classifier.predict_proba(np.asarray(images)).max(axis=1) > CONFIDENT))


def _nearest_distance(images, reference):
    """Mean Euclidean distance from each image to its nearest reference image."""
    images = np.asarray(images, dtype="float64")
    squared = (images**2).sum(1)[:, None] - 2 * images @ reference.T + (reference**2).sum(1)
    return float(np.sqrt(np.maximum(squared.min(axis=1), 0)).mean())


def _impute(model, x, known, steps=50):
    """Fills unknown pixels by iterating reconstruction with known pixels clamped."""
    filled = np.where(known, x, 0.5).astype("float32")
    for _ in range(steps):
        filled = np.where(known, x, np.asarray(model.reconstruct(filled)))
    return filled


def reproduce(run):
    s = _settings(run)
    shape = data.image_shape(run.dataset)[:2]
    x, y = run.load("train", binarize=s["binarize"], flatten=True, with_labels=True)
    x_valid = run.load("valid", binarize=s["binarize"], flatten=True)
    x_test, y_test = run.load("test", binarize=s["binarize"], flatten=True, with_labels=True)
    dims = x.shape[1]
    classifier = LogisticRegression(max_iter=2000).fit(x, y)
    classifier_accuracy = float(classifier.score(x_test, y_test))
    m = run.metrics
    m["settings"] = {k: list(v) if isinstance(v, tuple) else v for k, v in s.items()}
    m["classifier_test_accuracy"] = classifier_accuracy

    # 1. The VAE and the autoencoder, same architecture, same epochs.
    with run.strategy.scope():
        vae = VAE(*dense_pair((dims,), s["latent_dim"], s["hidden"]), seed=run.seed)
        ae = Autoencoder(*dense_pair((dims,), s["latent_dim"], s["hidden"], variational=False))
    history = _train(vae, x, x_valid, s["epochs"], s["batch_size"])
    ae_history = _train(ae, x, x_valid, s["epochs"], s["batch_size"])
    figure, axes = plt.subplots(1, 3, figsize=(12, 3))
    for axis, name in zip(axes, ("loss", "reconstruction_loss", "kl_loss")):
        axis.plot(history[name], label="train")
        axis.plot(history[f"val_{name}"], label="validation")
        axis.set(title=name, xlabel="epoch", ylabel="nats")
        axis.legend()
    run.save_figure(figure, "training_curves")
    m["vae_final"] = {name: values[-1] for name, values in history.items()}
    m["ae_final_reconstruction_loss"] = {"train": ae_history["loss"][-1], "valid": ae_history["val_loss"][-1]}

    # 2. Reconstructions.
    reconstructions = np.asarray(vae.reconstruct(x_test[:10]))
    ae_reconstructions = np.asarray(ae.reconstruct(x_test[:10]))
    run.save_figure(
        _grid(np.concatenate([x_test[:10], reconstructions, ae_reconstructions]), shape, 3,
              "test inputs / VAE reconstructions / AE reconstructions"),
        "reconstructions",
    )

    # 3. Generation from the prior; the latent manifold and the test codes.
    samples = np.asarray(vae.sample(1000, seed=run.seed, mean=True))
    run.save_figure(_grid(samples[:64], shape, 8, "VAE: decoded z ~ N(0, I)"), "samples")
    test_mean, _ = vae.encode(x_test)
    if s["latent_dim"] == 2:
        ticks = norm.ppf(np.linspace(0.05, 0.95, 15))
        manifold = np.stack(np.meshgrid(ticks, ticks[::-1]), -1).reshape(-1, 2)
        run.save_figure(
            _grid(vae.decode(manifold.astype("float32")), shape, 15,
                  "decoded manifold on an inverse-normal-CDF grid"),
            "manifold",
        )
        figure, axis = plt.subplots(figsize=(5, 5))
        points = axis.scatter(*np.asarray(test_mean).T, c=y_test, cmap="tab10", s=8)
        figure.colorbar(points, label="digit")
        axis.set(title="test set: latent means", xlabel="z[0]", ylabel="z[1]")
        run.save_figure(figure, "latent_means")
    predicted = classifier.predict(samples)
    coverage = np.bincount(predicted, minlength=10) / len(predicted)
    m["vae_sample_class_fractions"] = coverage.round(4).tolist()

    # 4. The article's claim: random latent points decode to junk with an AE, not a VAE.
    prior = np.random.default_rng(run.seed).normal(size=(1000, s["latent_dim"])).astype("float32")
    ae_codes = np.asarray(ae.encoder(x))
    fitted = np.random.default_rng(run.seed).multivariate_normal(
        ae_codes.mean(0), np.cov(ae_codes.T).reshape(s["latent_dim"], -1), size=1000
    ).astype("float32")
    decoded = {
        "VAE, z ~ N(0, I)": np.asarray(vae.decode(prior)),
        "AE, z ~ N(0, I)": np.asarray(ae.decode(prior)),
        "AE, z ~ Gaussian fitted to its codes": np.asarray(ae.decode(fitted)),
    }
    pairs = np.random.default_rng(run.seed + 1).integers(0, len(x_test), size=(100, 2))
    decoded["VAE, latent interpolation"] = np.asarray(
        vae.interpolate(x_test[pairs[:, 0]], x_test[pairs[:, 1]], 7)
    )[:, 1:-1].reshape(-1, dims)
    ae_path = np.linspace(0, 1, 7)[None, 1:-1, None]
    a, b = np.asarray(ae.encode(x_test[pairs[:, 0]])), np.asarray(ae.encode(x_test[pairs[:, 1]]))
    decoded["AE, latent interpolation"] = np.asarray(
        ae.decode((a[:, None] * (1 - ae_path) + b[:, None] * ae_path).reshape(-1, s["latent_dim"]).astype("float32"))
    )
    decoded["pixel-space interpolation"] = (
        x_test[pairs[:, 0]][:, None] * (1 - ae_path) + x_test[pairs[:, 1]][:, None] * ae_path
    ).reshape(-1, dims)
    quality = {
        name: {
            "confident_fraction": _confident_fraction(classifier, images),
            "nearest_train_distance": _nearest_distance(images[:1000], x),
        }
        for name, images in decoded.items()
    }
    quality["real test images"] = {
        "confident_fraction": _confident_fraction(classifier, x_test),
        "nearest_train_distance": _nearest_distance(x_test, x),
    }
    m["decoded_quality"] = quality
    figure, axes = plt.subplots(1, 2, figsize=(8, 4))
    for axis, name in zip(axes, ("AE, z ~ N(0, I)", "VAE, z ~ N(0, I)")):
        axis.imshow(_tile(decoded[name][:36], shape, 6), cmap="gray_r", vmin=0, vmax=1)
        axis.set_title(f"{name}: {100 * quality[name]['confident_fraction']:.0f}% confident")
        axis.axis("off")
    run.save_figure(figure, "ae_vs_vae_prior_samples")

    # 5. Interpolation in latent space vs pixel space (first four pairs).
    rows = []
    for i in range(4):
        xa, xb = x_test[pairs[i, 0]], x_test[pairs[i, 1]]
        rows.append(np.asarray(vae.interpolate(xa[None], xb[None], 9))[0])
        rows.append(xa[None] * (1 - np.linspace(0, 1, 9)[:, None]) + xb[None] * np.linspace(0, 1, 9)[:, None])
    run.save_figure(
        _grid(np.concatenate(rows), shape, 8, "rows in pairs: VAE latent interpolation / pixel interpolation"),
        "interpolation",
    )

    # 6. Attribute manipulation: move a code by the difference of class-mean codes.
    train_mean = np.asarray(vae.encode(x)[0])
    class_means = np.stack([train_mean[y == c].mean(0) for c in range(10)])
    target = (y_test + 1) % 10
    shifted = np.asarray(test_mean) + class_means[target] - class_means[y_test]
    manipulated = np.asarray(vae.decode(shifted.astype("float32")))
    m["attribute_manipulation"] = {
        "target_class_fraction": float(np.mean(classifier.predict(manipulated) == target)),
        "source_class_fraction": float(np.mean(classifier.predict(manipulated) == y_test)),
    }
    show = [np.flatnonzero(y_test == c)[0] for c in range(10)]
    run.save_figure(
        _grid(np.concatenate([x_test[show], manipulated[show]]), shape, 2,
              "digit c (top) + (mean code of c+1 - mean code of c), decoded (bottom)"),
        "attribute_manipulation",
    )

    # 7. Anomaly detection: train without one class, score by negative ELBO.
    aurocs = {}
    for held_out in s["anomaly_classes"]:
        keras.utils.set_random_seed(run.seed + held_out)
        with run.strategy.scope():
            model = VAE(*dense_pair((dims,), s["latent_dim"], s["hidden"]), seed=run.seed)
        _train(model, x[y != held_out], x_valid, s["anomaly_epochs"], s["batch_size"])
        repeats = 10
        score = -np.asarray(model.elbo(np.repeat(x_test, repeats, 0), seed=run.seed))
        score = score.reshape(-1, repeats).mean(1)
        aurocs[str(held_out)] = float(roc_auc_score(y_test == held_out, score))
    m["anomaly_auroc"] = aurocs
    m["anomaly_auroc_mean"] = float(np.mean(list(aurocs.values())))

    # 8. Imputation: hide the bottom half; iterate encode/decode with known pixels clamped.
    known = np.zeros(shape, bool)
    known[: shape[0] // 2] = True
    known = np.broadcast_to(known.reshape(1, -1), x_test.shape)
    hidden = ~known
    imputed = _impute(vae, x_test, known)
    ae_imputed = _impute(ae, x_test, known)
    pixel_mean = np.broadcast_to(x.mean(0), x_test.shape)
    m["imputation_mse_hidden"] = {
        "vae": float(np.mean((imputed - x_test)[hidden] ** 2)),
        "ae": float(np.mean((ae_imputed - x_test)[hidden] ** 2)),
        "mean_pixel": float(np.mean((pixel_mean - x_test)[hidden] ** 2)),
    }
    masked = np.where(known, x_test, 0.5)
    run.save_figure(
        _grid(np.concatenate([x_test[:10], masked[:10], imputed[:10]]), shape, 3,
              "test image / bottom half hidden / VAE imputation"),
        "imputation",
    )

    # 9. Test NLL from importance sampling.
    nll = {}
    for k in s["num_samples"]:
        nll[str(k)] = evaluate.nll(vae, x_test, batch_size=64, num_samples=k, seed=run.seed)
    m["test_nll"] = nll
    largest = str(s["num_samples"][-1])

    q = quality
    vae_prior, ae_prior = q["VAE, z ~ N(0, I)"]["confident_fraction"], q["AE, z ~ N(0, I)"]["confident_fraction"]
    latent_mid = q["VAE, latent interpolation"]["confident_fraction"]
    pixel_mid = q["pixel-space interpolation"]["confident_fraction"]
    latent_distance = q["VAE, latent interpolation"]["nearest_train_distance"]
    pixel_distance = q["pixel-space interpolation"]["nearest_train_distance"]
    imp = m["imputation_mse_hidden"]
    nats = [nll[str(k)]["nats"] for k in s["num_samples"]]
    covered = int(np.sum(coverage >= 0.02))
    claims = [
        ["AE latent space is discontinuous: random latent points decode to junk",
         f"{100 * ae_prior:.0f}% of AE decodings of z~N(0,I) confidently classified "
         f"({100 * q['AE, z ~ Gaussian fitted to its codes']['confident_fraction']:.0f}% from a Gaussian fitted to its codes)",
         "yes" if ae_prior < vae_prior else "no"],
        ["VAE: sampling the prior generates new data",
         f"{100 * vae_prior:.0f}% of VAE samples confident (real test images: "
         f"{100 * q['real test images']['confident_fraction']:.0f}%)", "yes" if vae_prior > ae_prior else "no"],
        ["VAE latent space is continuous: interpolations are meaningful",
         f"{100 * latent_mid:.0f}% of latent midpoints confident vs {100 * pixel_mid:.0f}% of pixel "
         f"midpoints; distance to nearest training image {latent_distance:.3f} vs {pixel_distance:.3f}",
         {(True, True): "yes", (False, False): "no"}.get(
             (latent_mid > pixel_mid, latent_distance < pixel_distance), "mixed")],
        ["VAEs suffer less from mode collapse than GANs",
         f"samples cover {covered}/10 classes (>= 2% each); no GAN trained here", "not tested (no GAN)"],
        ["Attribute manipulation by latent arithmetic",
         f"{100 * m['attribute_manipulation']['target_class_fraction']:.0f}% of shifted codes decode to the target class (chance 10%)",
         "yes" if m["attribute_manipulation"]["target_class_fraction"] > 0.1 else "no"],
        ["Anomaly detection", f"mean AUROC {m['anomaly_auroc_mean']:.3f} over held-out classes {list(aurocs)}",
         "yes" if m["anomaly_auroc_mean"] > 0.5 else "no"],
        ["Data imputation", f"hidden-pixel MSE {imp['vae']:.4f} (VAE) vs {imp['mean_pixel']:.4f} (mean pixel)",
         "yes" if imp["vae"] < imp["mean_pixel"] else "no"],
        ["ELBO is a lower bound; more importance samples tighten it",
         f"test NLL {' > '.join(f'{v:.2f}' for v in nats)} nats for k = {list(s['num_samples'])}",
         "yes" if all(a >= b for a, b in zip(nats, nats[1:])) else "no"],
    ]
    run.summarize(
        f"vae: test NLL {nll[largest]['nats']:.2f} nats (k={largest}), anomaly AUROC "
        f"{m['anomaly_auroc_mean']:.3f}, prior samples confident {100 * vae_prior:.0f}% (AE {100 * ae_prior:.0f}%)"
    )
    quality_rows = [[name, v["confident_fraction"], v["nearest_train_distance"]] for name, v in q.items()]
    nll_rows = [[f"ours ({run.dataset}, {dims} pixels, {s['binarize']} binarization)", k,
                 v["nats"], v["stderr_nats"], v["bits_per_dim"]] for k, v in nll.items()]
    nll_rows.append(["IWAE paper (Burda et al. 2016, binarized MNIST, 784 pixels, dynamic binarization; "
                     "VAE, 1 stochastic layer) — not comparable with digits", 5000, IWAE_PAPER_NATS, "", ""])
    hidden_text = "-".join(map(str, s["hidden"]))
    return f"""# Variational autoencoders (article 001)

Model: dense VAE {dims}-{hidden_text}-{s['latent_dim']} (ReLU), Bernoulli likelihood, Adam 1e-3,
batch {s['batch_size']}, {s['epochs']} epochs; the autoencoder baseline has the same
architecture and epochs. A logistic-regression classifier trained on real {run.dataset}
(test accuracy {classifier_accuracy:.3f}) judges decoded images: "confident" means its top
class probability exceeds {CONFIDENT}.

## Claims

{markdown_table(["article claim", "measured", "held?"], claims)}

## 1-3. Training, reconstruction, generation

Final losses (nats/example): train {history['loss'][-1]:.2f} (reconstruction
{history['reconstruction_loss'][-1]:.2f} + KL {history['kl_loss'][-1]:.2f}), validation
{history['val_loss'][-1]:.2f}; the autoencoder reconstructs better (validation
{ae_history['val_loss'][-1]:.2f} nats) because nothing regularizes its codes.
Figures: `training_curves.png`, `reconstructions.png`, `samples.png`{', `manifold.png`, `latent_means.png`' if s['latent_dim'] == 2 else ''}.

## 4-5. Decoding random points and interpolations (AE vs VAE)

{markdown_table(["decoded images", "fraction confident", "mean distance to nearest training image"], quality_rows)}

Decoded images are Bernoulli means (grey where the model is unsure), which lowers the
classifier's confidence next to real binary images; a pixel-space blend of two binary
digits is a superposition that a linear classifier can still label confidently, so the
distance to the nearest training image is given as a second measure.
Figures: `ae_vs_vae_prior_samples.png`, `interpolation.png`.

## 6-8. Applications

- Attribute manipulation (digit c -> c+1 by adding class-mean code differences):
  {100 * m['attribute_manipulation']['target_class_fraction']:.1f}% classified as the target,
  {100 * m['attribute_manipulation']['source_class_fraction']:.1f}% still as the source. `attribute_manipulation.png`.
- Anomaly detection (negative ELBO, mean of 10 draws, {s['anomaly_epochs']} epochs without the held-out class):
  AUROC per held-out class {', '.join(f'{c}: {v:.3f}' for c, v in aurocs.items())}; mean {m['anomaly_auroc_mean']:.3f}.
- Imputation of the bottom half (50 clamped encode/decode iterations): hidden-pixel MSE
  VAE {imp['vae']:.4f}, AE {imp['ae']:.4f}, mean pixel {imp['mean_pixel']:.4f}. `imputation.png`.

## 9. Test negative log-likelihood (importance sampling, nats)

{markdown_table(["model", "k", "NLL (nats)", "stderr", "bits/dim"], nll_rows)}

k = 1 is the single-sample ELBO; the bound tightens as k grows. The paper's number is
for 28x28 binarized MNIST; only `DATASET=mnist PROFILE=full` (200-200-50, batch 20,
3280 epochs, k = 5000, one stochastic binarization rather than a new one each epoch,
ReLU rather than tanh, constant learning rate) approaches its setting.
"""
