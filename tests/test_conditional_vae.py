"""The class-conditional VAE (tfdl.models.ConditionalVAE): shapes, the label's role, a hand-checked ELBO."""

import keras
import numpy as np
import pytest

from tfdl.models import ConditionalVAE, conditional_pair
from tfdl.models.vae import kl_to_standard_normal

D, K, LATENT = 6, 3, 2


@pytest.fixture
def model():
    keras.utils.set_random_seed(0)
    return ConditionalVAE(*conditional_pair(D, K, LATENT, hidden_units=(8,)), num_classes=K, seed=0)


def test_shapes_and_join(model):
    images, labels = np.random.default_rng(0).random((5, D)).astype("float32"), np.array([0, 1, 2, 1, 0])
    x = model.join(images, labels)
    assert x.shape == (5, D + K) and np.array_equal(x[:, D:].argmax(1), labels) and np.all(x[:, D:].sum(1) == 1)
    assert model.latent_dim == LATENT
    assert tuple(model(x).shape) == (5, D) and tuple(model.transfer(images, labels, [2] * 5).shape) == (5, D)
    assert tuple(model.sample(4, labels=[0, 1, 2, 0], seed=1).shape) == (4, D)
    assert tuple(model.elbo(x, seed=0).shape) == (5,)


def test_the_decoder_reads_the_label(model):
    z = np.zeros((K, LATENT), "float32")
    decoded = np.asarray(model.decode(z, np.arange(K)))
    assert not np.allclose(decoded[0], decoded[1])  # same z, other label: another image
    codes = np.concatenate([z, np.eye(K, dtype="float32")], axis=1)
    np.testing.assert_allclose(decoded, 1 / (1 + np.exp(-np.asarray(model.decoder(codes)))), rtol=1e-5)


def test_elbo_by_hand(model):
    images = (np.random.default_rng(1).random((4, D)) > 0.5).astype("float32")
    x = model.join(images, np.array([0, 1, 2, 0]))
    mean, log_var = (np.asarray(t) for t in model.encoder(x))
    z = mean  # log p(x|z, y) at one z (the posterior mean), minus the closed-form KL
    model_elbo = model._reconstruction_log_prob(x, z) - kl_to_standard_normal(mean, log_var)
    logits = np.asarray(model.decoder(np.concatenate([z, x[:, D:]], axis=1)), "float64")
    log_px = (images * logits - np.log1p(np.exp(logits))).sum(1)
    kl = 0.5 * (np.exp(log_var) + mean ** 2 - 1 - log_var).sum(1)
    np.testing.assert_allclose(model_elbo, log_px - kl, rtol=1e-5)


def test_fit_and_keras_round_trip(model, roundtrip):
    rng = np.random.default_rng(2)
    labels = rng.integers(0, K, 64)
    images = (rng.random((64, D)) < (labels[:, None] + 1) / (K + 1)).astype("float32")
    x = model.join(images, labels)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = model.fit(x, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    loaded = roundtrip(model)
    np.testing.assert_array_equal(loaded(x), model(x))
    np.testing.assert_array_equal(loaded.sample(3, labels=[0, 1, 2], seed=4),
                                  model.sample(3, labels=[0, 1, 2], seed=4))
    assert loaded.num_classes == K


def test_bad_labels_are_named(model):
    with pytest.raises(ValueError, match="labels: 2 integers in \\[0, 3\\)"):
        model.join(np.zeros((2, D)), [0, 3])
    with pytest.raises(ValueError, match="decoder input"):
        ConditionalVAE(*conditional_pair(D, K, LATENT), num_classes=LATENT + K)
