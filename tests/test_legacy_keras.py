"""`.keras` files saved by an earlier tfdl (tests/data/legacy_keras, written by its
generate.py with the code of commit 7c8d4d4) load with today's code and give the
outputs they gave then; the compiled ones keep training. Their configs use the
argument names of then (the RBM's ``n_hidden``, the pixel models' ``distribution``),
read without a deprecation warning."""

import pathlib
import warnings

import keras
import numpy as np
import pytest

FOLDER = pathlib.Path(__file__).parent / "data" / "legacy_keras"
NAMES = sorted(path.stem for path in FOLDER.glob("*.keras"))


def _outputs(model, name, vectors, images):
    """The outputs generate.py stored for ``name``, computed by ``model``."""
    x = images if name.startswith("pixel") else vectors
    outputs = {"call": model(x)}
    if name in ("made", "nade", "pixelcnn"):
        outputs["sample"] = model.sample(2 if name == "pixelcnn" else 3, seed=1)
    if name in ("made", "nade", "rbm", "rbm_pcd") or name.startswith("pixel"):
        outputs["log_prob"] = model.log_prob(x)
    if name == "vae":
        outputs.update(elbo=model.elbo(x, seed=1), sample=model.sample(3, seed=1),
                       log_prob=model.log_prob(x, num_samples=4, seed=1))
    if name == "autoencoder_gaussian":
        outputs["encode"] = model.encode(x)
    if name == "rbm":
        outputs.update(free_energy=model.free_energy(x), sample=model.sample(3, steps=4, seed=1))
    if name == "rbm_pcd":
        outputs["chains"] = model.chains
    if name == "dbn":
        outputs["sample"] = model.sample(3, steps=4, seed=1)
    if name == "stacked_autoencoder":
        outputs["layer_0"] = model.stack[0](x)
    return outputs


def test_every_model_has_a_fixture():
    assert set(NAMES) == {
        "autoencoder_gaussian", "dbn", "made", "masked_dense_functional", "nade", "pixelcnn",
        "pixelrnn_diagonal_bilstm", "pixelrnn_row_lstm", "rbm", "rbm_pcd", "stacked_autoencoder", "vae",
    }


@pytest.mark.parametrize("name", NAMES)
def test_old_file_loads_with_identical_outputs(name):
    with warnings.catch_warnings(record=True) as caught:  # saved with old argument names, loaded silently
        warnings.simplefilter("always", DeprecationWarning)
        model = keras.saving.load_model(FOLDER / f"{name}.keras")
    assert not [w for w in caught if "is deprecated; use" in str(w.message)]
    stored = np.load(FOLDER / f"{name}.npz")
    outputs = _outputs(model, name, stored["vectors"], stored["images"])
    assert set(outputs) == set(stored.files) - {"vectors", "images"}
    for key, value in outputs.items():
        np.testing.assert_array_equal(np.asarray(value), stored[key], err_msg=f"{name}: {key}")
    if getattr(model, "optimizer", None) is not None and name != "masked_dense_functional":
        x = stored["images"] if name.startswith("pixel") else stored["vectors"]
        history = model.fit(x, epochs=1, batch_size=8, verbose=0).history
        losses = [values[-1] for key, values in history.items() if key.endswith("loss")]  # DBN: rbm_i_loss
        assert losses and np.isfinite(losses).all()
