import keras
import numpy as np
import pytest

import importlib

from tfdl.models import RBM, AutoencoderLayer, StackedAutoencoder, greedy_layerwise, to_classifier


def _data(n=120, width=16, seed=0):
    return (np.random.default_rng(seed).random((n, width)) < 0.4).astype(np.float32)


def _weights(layer):
    return [w.numpy().copy() for w in layer.weights]


@pytest.mark.parametrize("kind", ["rbm", "autoencoder"])
def test_greedy_layerwise_trains_layer_i_only_on_layer_i_minus_1_output(kind):
    x = _data()
    make = (lambda u, s: RBM(u, seed=s)) if kind == "rbm" else (lambda u, s: AutoencoderLayer(u, 0.2, seed=s))
    layers = [make(8, 0), make(6, 1), make(4, 2)]
    seen, frozen_ok = [], []
    for index, layer in enumerate(layers):
        original_fit = layer.fit

        def spy(features, *args, _index=index, _fit=original_fit, **kwargs):
            seen.append(np.array(features))
            others = [_weights(other) for j, other in enumerate(layers) if j != _index and other.built]
            history = _fit(features, *args, **kwargs)
            after = [_weights(other) for j, other in enumerate(layers) if j != _index and other.built]
            frozen_ok.append(all(np.array_equal(a, b) for o, p in zip(others, after) for a, b in zip(o, p)))
            return history

        layer.fit = spy
    trained, histories = greedy_layerwise(layers, x, epochs=2, batch_size=20, seed=5)
    assert trained == layers and len(histories) == 3 and all(frozen_ok)
    np.testing.assert_array_equal(seen[0], x)
    rng = np.random.default_rng(5)
    for i in (1, 2):
        probs = np.asarray(layers[i - 1].transform(seen[i - 1]))
        expected = (rng.random(probs.shape) < probs).astype(np.float32) if kind == "rbm" else probs
        np.testing.assert_allclose(seen[i], expected, rtol=1e-6)


def test_to_classifier_copies_weights_exactly_and_freezes():
    x = _data()
    y = np.arange(len(x)) % 3
    sae = StackedAutoencoder((8, 5), corruption=0.1, seed=0)
    sae.pretrain(x, epochs=1, batch_size=20)
    classifier = sae.to_classifier(3, freeze=True)
    for dense, layer in zip(classifier.layers, sae.stack):
        np.testing.assert_array_equal(dense.kernel.numpy(), layer.encoder.kernel.numpy())
        np.testing.assert_array_equal(dense.bias.numpy(), layer.encoder.bias.numpy())
    hidden = keras.Sequential(classifier.layers[:-1])
    np.testing.assert_allclose(hidden(x), sae.transform(x), rtol=1e-6)
    before = [w.numpy().copy() for w in classifier.weights]
    classifier.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    classifier.fit(x, y, epochs=1, verbose=0)
    after = [w.numpy() for w in classifier.weights]
    for b, a in zip(before[:4], after[:4]):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(before[4], after[4])
    assert len(to_classifier(sae.stack, 3, freeze=False).trainable_weights) == 6


def test_denoising_layer_corrupts_only_in_training():
    layer = AutoencoderLayer(4, corruption=0.5, seed=0)
    x = np.ones((50, 10), np.float32)
    layer.build(x.shape)
    assert not np.allclose(layer(x, training=True), layer(x))
    np.testing.assert_allclose(layer(x), layer.decoder(layer.encoder(x)))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_stacked_autoencoder_round_trip(roundtrip, activation):
    x = _data()
    sae = StackedAutoencoder((6, 3), seed=1, activation=activation)
    sae.pretrain(x, epochs=1, batch_size=40)
    loaded = roundtrip(sae)
    assert loaded.activation == activation and [layer.activation for layer in loaded.stack] == [activation] * 2
    np.testing.assert_allclose(loaded(x), sae(x))


def test_autoencoder_layer_round_trip(roundtrip):
    x = _data()
    layer = AutoencoderLayer(5, 0.2, seed=3, activation="relu", reconstruction="squared_error")
    layer.compile(optimizer="adam")
    layer.fit(x, epochs=1, batch_size=40, verbose=0)
    loaded = roundtrip(layer)
    assert (loaded.activation, loaded.reconstruction, loaded.seed) == ("relu", "squared_error", 3)
    np.testing.assert_allclose(loaded(x), layer(x))
    np.testing.assert_allclose(loaded.transform(x), layer.transform(x))


@pytest.mark.parametrize("kind", ["rbm", "sigmoid", "relu"])
def test_classifier_hidden_layers_are_the_stack_transform(kind):
    # Each Dense takes the f of the layer it copies: an RBM's sigmoid, an autoencoder's activation.
    x = _data()
    if kind == "rbm":
        layers = [RBM(8, seed=0), RBM(5, seed=1)]
        greedy_layerwise(layers, x, epochs=1, batch_size=20)
    else:
        layers = StackedAutoencoder((8, 5), corruption=0.1, seed=0, activation=kind).stack
        greedy_layerwise(layers, x, epochs=1, batch_size=20, optimizer=lambda: keras.optimizers.Adam(0.01))
    classifier = to_classifier(layers, 3)
    expected = "sigmoid" if kind == "rbm" else kind
    assert [dense.activation.__name__ for dense in classifier.layers] == [expected, expected, "softmax"]
    features = hidden = x
    for dense, layer in zip(classifier.layers, layers):
        features, hidden = layer.transform(features), dense(hidden)
        np.testing.assert_allclose(hidden, features, rtol=1e-6)


def test_relu_stack_reconstructs_relu_features_by_squared_error():
    # Above a ReLU layer the inputs exceed 1, where the cross-entropy has no minimum.
    sae = StackedAutoencoder((6, 4, 3), seed=2, activation="relu")
    assert [layer.reconstruction for layer in sae.stack] == ["cross_entropy", "squared_error", "squared_error"]
    assert StackedAutoencoder((6, 4), seed=2).stack[1].reconstruction == "cross_entropy"
    layer = sae.stack[1]
    layer.build((None, 2))
    # He-uniform from the layer's seed: limit sqrt(6 / fan_in), the same weights for the same seed.
    kernel = layer.encoder.kernel.numpy()
    assert np.abs(kernel).max() <= np.sqrt(6 / 2) and np.abs(kernel).max() > 1.0
    twin = AutoencoderLayer(4, seed=3, activation="relu")
    twin.build((None, 2))
    np.testing.assert_array_equal(twin.encoder.kernel.numpy(), kernel)
    x = np.array([[2.0, 0.0]], np.float32)
    reconstruction = np.array([[1.5, 1.0]], np.float32)
    assert float(layer.reconstruction_error(x, reconstruction)) == pytest.approx(0.5 * (0.25 + 1.0))


def test_bad_arguments_raise_value_error():
    with pytest.raises(ValueError, match="corruption"):
        AutoencoderLayer(3, corruption=1.5)
    with pytest.raises(ValueError, match=r"activation in \('sigmoid', 'relu'\). Received: activation='tanh'"):
        AutoencoderLayer(3, activation="tanh")
    with pytest.raises(ValueError, match="activation='tanh'"):
        StackedAutoencoder((3,), activation="tanh")
    with pytest.raises(ValueError, match="reconstruction='l1'"):
        AutoencoderLayer(3, reconstruction="l1")
    with pytest.raises(ValueError, match="layers"):
        greedy_layerwise([], _data())
    with pytest.raises(ValueError, match="epochs"):
        greedy_layerwise([RBM(3), RBM(2)], _data(), epochs=(1,))
    with pytest.raises(ValueError, match="num_classes=0"):
        to_classifier([RBM(3)], 0)


def test_tfdl_pretraining_is_a_deprecated_alias_of_tfdl_models():
    import tfdl.pretraining

    with pytest.warns(DeprecationWarning, match="import .*StackedAutoencoder.* from tfdl.models"):
        module = importlib.reload(tfdl.pretraining)
    assert module.StackedAutoencoder is StackedAutoencoder
    assert (module.AutoencoderLayer, module.greedy_layerwise, module.to_classifier) == (
        AutoencoderLayer, greedy_layerwise, to_classifier
    )
