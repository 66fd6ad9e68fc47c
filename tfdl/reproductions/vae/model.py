"""Section 2: the autoencoder and the VAE: encoder to (μ, log σ²), the reparameterization trick, the loss."""

import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

from tfdl import claims, plotting, tables
from tfdl.layers import GaussianSampler
from tfdl.report import Section
from tfdl.reproductions.vae.training import (LEARNING_RATE, LEVEL_TAIL, LEVEL_TOLERANCE, PATIENCE, array, load,
                                             models, shared_settings)

# The reparameterized gradient estimate from 100,000 samples has a standard error
# below 1% of the exact gradient; 5% relative error fails.
GRADIENT_TOLERANCE, GRADIENT_SAMPLES = 0.05, 100_000
REPARAMETERIZATION_QUOTE = (
    "Reparameterization Trick इस समस्या को हल करती है। यह हमें sampling operation को latent space के "
    "parameters (mean और variance) से अलग करने की अनुमति देती है, जिससे training के दौरान gradients को "
    "पास किया जा सके।")


def reparameterization(seed):
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


def reload_difference(vae, x):
    """Largest |difference| of ``reconstruct(x)`` after a save to .keras and a reload."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "vae.keras")
        vae.save(path)
        again = keras.saving.load_model(path)
    return float(np.max(np.abs(array(vae.reconstruct(x)) - array(again.reconstruct(x)))))


def at_best(history):
    """Each curve's value at the epoch of the lowest validation loss (the weights early stopping restored)."""
    best = int(np.argmin(history["val_loss"]))
    return {name: values[best] for name, values in history.items()}


def convergence_table(seeds):
    """Epochs run and whether each model converged, one row per seed."""
    rows = [[r["seed"]] + [f"{r['epochs_run'][name]} ({'converged' if r['converged'][name] else 'not converged'})"
                           for name in ("VAE", "AE")] for r in seeds]
    return tables.markdown_table(["seed", "VAE: epochs run", "AE: epochs run"], rows)


def training_figure(history, ae_history):
    figure, axes = plotting.figure(13, 3.4, columns=3)
    panels = (("loss", "negative ELBO (VAE loss)"), ("reconstruction_loss", "reconstruction: -log p(x|z)"),
              ("kl_loss", "KL(q(z|x) || N(0, I))"))
    for axis, (name, title) in zip(axes, panels):
        axis.plot(history[name], label="VAE train")
        axis.plot(history[f"val_{name}"], label="VAE validation")
        axis.set(title=title, xlabel="epoch", ylabel="nats per image (axis not from 0)")
    axes[1].plot(ae_history["loss"], "--", label="AE train")
    axes[1].plot(ae_history["val_loss"], "--", label="AE validation")
    for axis in axes:
        axis.legend(fontsize=7)
    return figure


class Model(Section):
    """The VAE and the AE trained once per seed; the reparameterization trick checked by gradients."""

    name = "model"
    title = "The VAE: encoder to (μ, log σ²), the reparameterization trick, the loss"

    def settings(self, run):
        return shared_settings(run)

    def measure(self, run, s):
        d = load(run, s)
        seeds = []
        for m in models(run, s):
            _, test_log_var = (array(t) for t in m.vae.encode(d.x_test))
            seeds.append({
                "seed": m.seed,
                "vae_final": at_best(m.history), "ae_final": at_best(m.ae_history),
                "parameters": {"VAE": m.vae.count_params(), "AE": m.ae.count_params()},
                "epochs_run": {"VAE": len(m.history["loss"]), "AE": len(m.ae_history["loss"])},
                "converged": m.converged,
                "mean_posterior_std": float(np.mean(np.exp(0.5 * test_log_var))),
            })
        first = models(run, s)[0]
        return {
            "settings": s, "training_images": len(d.x), "reparameterization": reparameterization(run.seed),
            "seeds": seeds, "_histories": (first.history, first.ae_history),
            "reload_max_difference": reload_difference(first.vae, d.x_test[:100]),
            "_reconstructions": np.concatenate([d.x_test[:10], array(first.vae.reconstruct(d.x_test[:10])),
                                                array(first.ae.reconstruct(d.x_test[:10]))]),
        }

    def judge(self, run, s, m):
        return [
            claims.check(
                "reparameterization", "the reparameterization trick: gradients pass through the sample z = μ + σ·ε "
                "and equal the exact ones",
                f"gradients of E|z|^2 through tfdl's GaussianSampler ({GRADIENT_SAMPLES:,} samples) against the "
                "exact 2·mean and exp(log_var)",
                claims.bound(m["reparameterization"]["max_relative_error"], GRADIENT_TOLERANCE,
                             "largest relative error")),
            claims.check(
                "save_reload", "the trained VAE saved to .keras and reloaded reconstructs identically",
                "largest |difference| of the reconstructions of 100 test images (first seed)",
                claims.bound(m["reload_max_difference"], 0.0, "largest absolute difference")),
        ]

    def draw(self, run, s, m):
        shape = load(run, s).shape
        return {
            "training_curves": (training_figure(*m["_histories"]),
                                "training curves of the VAE and the AE (first seed)"),
            "reconstructions": (plotting.image_grid(m["_reconstructions"], shape, 3, ["test image", "VAE", "AE"],
                                                    title="reconstructions (first seed)"),
                                "test images and their VAE and AE reconstructions"),
        }

    def write(self, run, s, m, figures):
        seeds = m["seeds"]
        gradient = m["reparameterization"]

        def final(model, key):
            return tables.mean_se([r[f"{model}_final"][key] for r in seeds])

        ae_better = np.mean([r["ae_final"]["val_loss"] for r in seeds]) < np.mean(
            [r["vae_final"]["val_reconstruction_loss"] for r in seeds])
        hidden = "-".join(map(str, s["hidden"]))
        dims = len(m["_reconstructions"][0])
        return (
            f"Model: dense VAE {dims}-{hidden}-{s['latent_dim']} (ReLU), Bernoulli likelihood, Adam "
            f"{LEARNING_RATE:g}, batch {s['batch_size']}, at most {s['epochs']} epochs, {m['training_images']} "
            f"training images binarized ({s['binarize']}); the autoencoder (AE) baseline has the same "
            "architecture, optimizer and epoch budget. Every model is trained once per seed "
            f"({', '.join(str(r['seed']) for r in seeds)}) with early stopping on {s['valid_size'] or 'all'} "
            f"validation images (patience {PATIENCE}, the best epoch's weights kept). A model counts as converged "
            "when early stopping ended its training or its validation loss had levelled off (the last "
            f"{LEVEL_TAIL:.0%} of its epochs improved it by less than {LEVEL_TOLERANCE:.0%}); a claim comparing a "
            "model that had not is `inconclusive (not converged)`:\n\n" + convergence_table(seeds) + "\n\n"
            "The encoder outputs the mean and log-variance of q(z|x); `tfdl.layers.GaussianSampler` draws "
            "z = μ + exp(log σ² / 2)·ε, so the noise ε does not depend on the parameters and gradients pass "
            "through the sample. Check: for μ = (0.5, −1), log σ² = (0, −1), the gradient of E|z|² estimated from "
            f"{GRADIENT_SAMPLES:,} reparameterized samples is {np.round(gradient['estimated'][0], 3).tolist()} "
            f"(exact 2μ = {gradient['exact'][0]}) for μ and {np.round(gradient['estimated'][1], 3).tolist()} "
            f"(exact σ² = {np.round(gradient['exact'][1], 3).tolist()}) for log σ²: largest relative error "
            f"{100 * gradient['max_relative_error']:.2f}%.\n\n"
            "The loss is the negative ELBO: reconstruction −log p(x|z) plus KL(q(z|x) ‖ N(0, I)). At the best epoch "
            f"({tables.se_header('nats', len(seeds))}): "
            f"train loss {final('vae', 'loss')} = reconstruction {final('vae', 'reconstruction_loss')} + KL "
            f"{final('vae', 'kl_loss')} nats; validation {final('vae', 'val_loss')} (reconstruction "
            f"{final('vae', 'val_reconstruction_loss')}). The AE, with no KL term and no noise, reconstructs "
            f"validation images to {final('ae', 'val_loss')} nats, {'less' if ae_better else 'more'} than the VAE's "
            "reconstruction term: the VAE pays KL nats to keep its codes near N(0, I). The VAE's posterior "
            f"standard deviation is {tables.mean_se([r['mean_posterior_std'] for r in seeds])} on average (the "
            "prior's is 1): each image is encoded as a cloud, not a point.\n\n"
            + figures["training_curves"] + "\n\n"
            "Left: the VAE's loss, train and validation; middle: the reconstruction term, the AE's dashed; "
            "right: the KL term. The gap between train and validation curves is the overfitting of each model.\n\n"
            + figures["reconstructions"] + "\n\n"
            "Rows: test images, VAE reconstructions (decoded posterior means), AE reconstructions."
        )
