"""Writes the legacy `.keras` fixtures of tests/test_legacy_keras.py.

Run once, with the code of commit 7c8d4d4 (before the models were refactored):
each tfdl model, small and briefly trained, saved to ``<name>.keras``, with its
inputs and outputs in ``<name>.npz``. The test loads the files with the
current code and checks the outputs are identical.

    git archive 7c8d4d4 | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python tests/data/legacy_keras/generate.py tests/data/legacy_keras
"""

import os
import sys

import tfdl  # noqa: F401  (registers the classes)

import keras
import numpy as np

from tfdl import pretraining
from tfdl.layers import MaskedDense, made_masks
from tfdl.models import DBN, MADE, NADE, RBM, VAE, Autoencoder, PixelCNN, PixelRNN
from tfdl.models.vae import dense_pair

rng = np.random.default_rng(0)
vectors = (rng.random((16, 6)) < 0.4).astype("float32")
images = (rng.random((4, 4, 4, 1)) < 0.4).astype("float32")


def _trained(model, x, **fit):
    model.compile(optimizer=keras.optimizers.Adam(0.01))
    model.fit(x, epochs=1, batch_size=8, verbose=0, **fit)
    return model


def _sgd(model, x):
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    model.fit(x, epochs=1, batch_size=8, verbose=0)
    return model


def fixtures():
    """``{name: (model, {output name: array})}``; every output is deterministic."""
    made = _trained(MADE(6, (8,), num_masks=2, order="random", direct_connections=True, seed=0), vectors)
    nade = _trained(NADE(6, 5, seed=0), vectors)
    pixelcnn = _trained(PixelCNN((4, 4, 1), filters=4, num_residual=1, kernel_size=3, num_head=1, seed=0), images)
    rows = _trained(PixelRNN((4, 4, 1), kind="row_lstm", layers=1, units=2, seed=0), images)
    diagonal = _trained(PixelRNN((4, 4, 1), kind="diagonal_bilstm", layers=1, units=2, seed=0), images)
    vae = _trained(VAE(*dense_pair((6,), 2, hidden=(5,)), seed=0), vectors)
    gaussian_ae = _trained(Autoencoder(*dense_pair((6,), 2, hidden=(5,), variational=False), likelihood="gaussian"),
                           vectors)
    rbm = _sgd(RBM(4, seed=0), vectors)
    pcd = _sgd(RBM(3, persistent=True, num_chains=8, seed=1), vectors)
    dbn = DBN(hidden_units=(4, 3), seed=0)
    dbn.compile(optimizer=keras.optimizers.SGD(0.1))
    dbn.fit(vectors, epochs=1, batch_size=8, verbose=0)
    sae = pretraining.StackedAutoencoder((4, 3), corruption=0.2, seed=0)
    sae.pretrain(vectors, epochs=1, batch_size=8)
    inputs = keras.Input((6,))
    hidden = MaskedDense(5, made_masks(6, [5], seed=0)[0], activation="relu")(inputs)
    functional = keras.Model(inputs, keras.layers.Dense(2)(hidden))
    functional.compile(optimizer="adam", loss="mse")
    functional.fit(vectors, vectors[:, :2], epochs=1, batch_size=8, verbose=0)
    return {
        "made": (made, {"call": made(vectors), "log_prob": made.log_prob(vectors), "sample": made.sample(3, seed=1)}),
        "nade": (nade, {"call": nade(vectors), "log_prob": nade.log_prob(vectors), "sample": nade.sample(3, seed=1)}),
        "pixelcnn": (pixelcnn, {"call": pixelcnn(images), "log_prob": pixelcnn.log_prob(images),
                                "sample": pixelcnn.sample(2, seed=1)}),
        "pixelrnn_row_lstm": (rows, {"call": rows(images), "log_prob": rows.log_prob(images)}),
        "pixelrnn_diagonal_bilstm": (diagonal, {"call": diagonal(images), "log_prob": diagonal.log_prob(images)}),
        "vae": (vae, {"call": vae(vectors), "elbo": vae.elbo(vectors, seed=1), "sample": vae.sample(3, seed=1),
                      "log_prob": vae.log_prob(vectors, num_samples=4, seed=1)}),
        "autoencoder_gaussian": (gaussian_ae, {"call": gaussian_ae(vectors), "encode": gaussian_ae.encode(vectors)}),
        "rbm": (rbm, {"call": rbm(vectors), "free_energy": rbm.free_energy(vectors), "log_prob": rbm.log_prob(vectors),
                      "sample": rbm.sample(3, steps=4, seed=1)}),
        "rbm_pcd": (pcd, {"call": pcd(vectors), "log_prob": pcd.log_prob(vectors), "chains": pcd.chains}),
        "dbn": (dbn, {"call": dbn(vectors), "sample": dbn.sample(3, steps=4, seed=1)}),
        "stacked_autoencoder": (sae, {"call": sae(vectors), "layer_0": sae.stack[0](vectors)}),
        "masked_dense_functional": (functional, {"call": functional(vectors)}),
    }


if __name__ == "__main__":
    folder = sys.argv[1]
    for name, (model, outputs) in fixtures().items():
        model.save(os.path.join(folder, f"{name}.keras"))
        np.savez(os.path.join(folder, f"{name}.npz"), vectors=vectors, images=images,
                 **{key: np.asarray(value) for key, value in outputs.items()})
