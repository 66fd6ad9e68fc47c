import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdl.models import DBN


def _data():
    return (np.random.default_rng(0).random((100, 12)) < 0.4).astype(np.float32)


def test_dbn_pretrain_sample_and_classifier(roundtrip):
    x = _data()
    dbn = DBN(hidden_units=(8, 6), seed=0)
    histories = dbn.pretrain(x, epochs=2, batch_size=20)
    assert len(histories) == 2 and dbn.stack[1].kernel.shape == (8, 6)
    samples = dbn.sample(5, steps=10, seed=0).numpy()
    assert samples.shape == (5, 12) and ((samples >= 0) & (samples <= 1)).all()
    np.testing.assert_array_equal(samples, dbn.sample(5, steps=10, seed=0))

    classifier = dbn.to_classifier(num_classes=4)
    for dense, rbm in zip(classifier.layers, dbn.stack):
        np.testing.assert_array_equal(dense.kernel.numpy(), rbm.kernel.numpy())
        np.testing.assert_array_equal(dense.bias.numpy(), rbm.hidden_bias.numpy())
    np.testing.assert_allclose(keras.Sequential(classifier.layers[:-1])(x), dbn(x), rtol=1e-6)
    assert classifier.output_shape == (None, 4) and len(classifier.trainable_weights) == 6
    assert len(dbn.to_classifier(4, freeze=True).trainable_weights) == 2

    loaded = roundtrip(dbn)
    assert loaded.get_config() == dbn.get_config()
    np.testing.assert_array_equal(loaded(x), dbn(x))


def test_dbn_down_pass_uses_each_rbm_visible_probs():
    dbn = DBN(hidden_units=(5, 3), seed=2)
    dbn.build((None, 7))
    top_means = dbn.stack[1].sample(4, steps=3, seed=9).numpy()
    h = np.asarray(tf.random.stateless_uniform(top_means.shape, seed=[9, 1])) < top_means
    expected = dbn.stack[0].visible_probs(h.astype(np.float32))[0]
    np.testing.assert_allclose(dbn.sample(4, steps=3, seed=9), expected, rtol=1e-6)


def _weights(dbn):
    return [w.numpy() for rbm in dbn.stack for w in (rbm.kernel, rbm.visible_bias, rbm.hidden_bias)]


def test_fit_trains_greedily_like_pretrain(roundtrip):
    x = _data()
    pretrained = DBN(hidden_units=(8, 6), seed=0)
    pretrained.pretrain(x, epochs=2, batch_size=20, seed=0)
    fitted = DBN(hidden_units=(8, 6), seed=0)
    history = fitted.fit(x, epochs=2, batch_size=20, verbose=0)
    for got, want in zip(_weights(fitted), _weights(pretrained)):
        np.testing.assert_array_equal(got, want)
    assert isinstance(history, keras.callbacks.History) and history.model is fitted
    assert {"rbm_0_loss", "rbm_1_loss", "rbm_1_reconstruction"} <= set(history.history)
    assert len(history.history["rbm_1_loss"]) == 2

    compiled = DBN(hidden_units=(8, 6), seed=0)
    compiled.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5))
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e6)
    history = compiled.fit(x, epochs=[5, 4], batch_size=20, callbacks=[stop], verbose=0).history
    assert len(history["rbm_0_loss"]) == len(history["rbm_1_loss"]) == 2  # each layer stopped early
    first, second = (rbm.optimizer for rbm in compiled.stack)
    assert first is not second and first is not compiled.optimizer
    assert np.isclose(float(second.learning_rate), 0.05) and second.momentum == 0.5 and int(second.iterations) == 10
    loaded = roundtrip(compiled)
    np.testing.assert_array_equal(loaded(x), compiled(x))


def test_fit_rejects_bad_arguments():
    assert DBN(hidden_units=(4,), dtype="float64").stack[0].compute_dtype == "float64"
    dbn = DBN(hidden_units=(4,), seed=0)
    with pytest.raises(ValueError, match="loss="):
        dbn.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="y=None"):
        dbn.fit(_data(), np.zeros(100), verbose=0)
    with pytest.raises(ValueError, match="array"):
        dbn.fit(tf.data.Dataset.from_tensor_slices(_data()).batch(10), verbose=0)
    with pytest.raises(ValueError, match="binary"):
        dbn.fit(np.full((10, 12), 0.5, np.float32), verbose=0)
