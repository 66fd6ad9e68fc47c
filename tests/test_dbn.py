import keras
import numpy as np
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
