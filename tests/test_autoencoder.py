import keras
import numpy as np
import pytest

import tfdl
from tfdl.models import Autoencoder
from tfdl.models.vae import conv_pair, dense_pair


@pytest.fixture(scope="module")
def x():
    return tfdl.data.load("digits", binarize="threshold", flatten=True)[:256]


def test_encoder_outputs_one_code_and_loss_is_bernoulli_cross_entropy(x):
    encoder, decoder = dense_pair((64,), latent_dim=3, hidden=(16,), variational=False)
    ae = Autoencoder(encoder, decoder)
    ae.compile(optimizer="adam")
    z = ae.encode(x[:5])
    assert z.shape == (5, 3)
    probs = np.asarray(ae.reconstruct(x[:5]), dtype="float64")
    expected = -np.mean(np.sum(x[:5] * np.log(probs) + (1 - x[:5]) * np.log(1 - probs), axis=1))
    assert np.isclose(ae.evaluate(x[:5], verbose=0, batch_size=5), expected, rtol=1e-4)


def test_training_reduces_reconstruction_loss_and_round_trips(x, roundtrip):
    keras.utils.set_random_seed(0)
    encoder, decoder = dense_pair((64,), latent_dim=4, hidden=(32,), variational=False)
    ae = Autoencoder(encoder, decoder)
    ae.compile(optimizer=keras.optimizers.Adam(3e-3))
    history = ae.fit(x, epochs=10, batch_size=32, validation_data=(x[:64],), verbose=0).history
    assert set(history) == {"loss", "val_loss"}
    assert history["loss"][-1] < 0.8 * history["loss"][0]
    loaded = roundtrip(ae)
    np.testing.assert_array_equal(loaded.encode(x[:8]), ae.encode(x[:8]))


def test_conv_autoencoder_and_bad_input(x):
    encoder, decoder = conv_pair((8, 8, 1), latent_dim=2, filters=(4, 8), dense=8, variational=False)
    ae = Autoencoder(encoder, decoder)
    images = x[:4].reshape(4, 8, 8, 1)
    assert ae.reconstruct(images).shape == (4, 8, 8, 1)
    with pytest.raises(ValueError, match=r"x.shape=\(4, 64\)"):
        ae.encode(x[:4])
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        ae.encode(images + 1.0)
    with pytest.raises(ValueError, match="likelihood='normal'"):
        Autoencoder(encoder, decoder, likelihood="normal")
