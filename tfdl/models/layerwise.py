"""Greedy layer-wise pre-training (Hinton et al. 2006; Bengio et al. 2007).

The procedure, as the article states it: (1) train the first layer on the data
and keep its weights; (2) train the next layer on the previous trained layer's
output ``h_i = f(W_i h_{i-1} + b_i)``; (3) repeat to the top; (4) fine-tune all
layers together, or hold the pre-trained ones fixed and train only the top.

A *layer* here is any Keras model trained by ``fit(x)`` with ``x`` alone and
exposing ``transform(x)`` (its features) and encoder weights: an
``tfdl.models.RBM`` (stacked, a deep belief network, ``tfdl.models.DBN``) or an
``AutoencoderLayer`` (stacked, optionally denoising:
``tfdl.models.StackedAutoencoder``, in ``tfdl.models.stacked_autoencoder``).
RBM hidden units are sigmoid (Bernoulli); autoencoder encoders are sigmoid or
ReLU, the two ``f`` the article names.

Example:

>>> from tfdl.models import StackedAutoencoder
>>> sae = StackedAutoencoder((32, 16), corruption=0.2, activation="relu", seed=0)
>>> sae.pretrain(x_train, epochs=10)  # doctest: +SKIP
>>> classifier = sae.to_classifier(num_classes=10)  # doctest: +SKIP
>>> classifier.fit(x_train, y_train, epochs=10)  # doctest: +SKIP

References:
    Hinton, Osindero & Teh (2006), A fast learning algorithm for deep belief
    nets. Bengio, Lamblin, Popovici & Larochelle (2007), Greedy layer-wise
    training of deep networks.
"""

import keras
import numpy as np
import tensorflow as tf

from tfdl import distribute, validation


def _encoder(layer):
    """``(kernel, bias, f)`` of a layer's encoding ``h = f(x W + b)``: an RBM's is sigmoid."""
    if hasattr(layer, "hidden_bias"):
        return layer.kernel, layer.hidden_bias, "sigmoid"
    return layer.encoder.kernel, layer.encoder.bias, layer.activation


def greedy_layerwise(layers, x, epochs=10, batch_size=100, optimizer=None, verbose=0, seed=0, **fit_kwargs):
    """Trains ``layers`` bottom-up, each on the previous trained layer's output.

    Args:
        layers: list of models with ``fit(x)`` and ``transform(x)`` (RBMs or
            ``AutoencoderLayer``s). Layers not yet compiled are compiled with
            a fresh optimizer from ``optimizer``.
        x: training data ``[n, features]``.
        epochs: epochs per layer (an int, or one per layer).
        batch_size: examples per update.
        optimizer: a callable returning a new Keras optimizer (default
            ``SGD(0.1)``), used for layers that are not compiled.
        verbose: passed to ``fit``.
        seed: seed of the binary samples fed to Bernoulli RBMs: an RBM above
            another layer is trained on a Bernoulli sample of that layer's
            hidden probabilities (Hinton et al. 2006), drawn once.
        **fit_kwargs: further arguments of every layer's ``fit`` (e.g.
            ``callbacks``, ``shuffle``).

    Returns:
        ``(layers, histories)``: the trained layers and each layer's
        ``History.history``.
    """
    layers, x = list(layers), validation.array(x)
    seed = validation.seed(seed)
    batch_size = None if batch_size is None else validation.positive_int(batch_size, "batch_size")
    if not layers:
        raise ValueError("Expected at least one layer. Received: layers=[]")
    epochs = validation.positive_ints(epochs if not isinstance(epochs, int) else [epochs] * len(layers), "epochs")
    if len(epochs) != len(layers):
        raise ValueError(f"Expected one epoch count per layer ({len(layers)}). Received: epochs={epochs}")
    optimizer = optimizer or (lambda: keras.optimizers.SGD(0.1))
    features, histories = np.asarray(x, np.float32), []
    rng = np.random.default_rng(seed)
    for i, (layer, layer_epochs) in enumerate(zip(layers, epochs)):
        if i > 0 and getattr(layer, "visible", None) == "bernoulli":
            features = (rng.random(features.shape) < features).astype(np.float32)
        if getattr(layer, "optimizer", None) is None:
            with layer.distribute_strategy.scope():
                layer.compile(optimizer=optimizer())
        histories.append(
            layer.fit(features, epochs=layer_epochs, batch_size=batch_size, verbose=verbose, **fit_kwargs).history
        )
        features = _transform_in_batches(layer, features)
    return layers, histories


def _transform_in_batches(layer, x, batch_size=1000):
    return np.concatenate([np.asarray(layer.transform(x[i : i + batch_size])) for i in range(0, len(x), batch_size)])


def to_classifier(layers, num_classes, freeze=False, name="pretrained_classifier"):
    """An MLP initialised from pre-trained layers, with a softmax on top.

    Each hidden layer computes ``h_i = f(h_(i-1) W_i + b_i)`` with the weights
    and the ``f`` of the layer it copies (an RBM's sigmoid, an
    ``AutoencoderLayer``'s ``activation``), so before fine-tuning its output is
    the stack's ``transform``.

    Args:
        layers: trained layers (RBMs or ``AutoencoderLayer``s), bottom first.
        num_classes: outputs of the new softmax layer (randomly initialised).
        freeze: hold the pre-trained layers fixed (only the softmax trains).

    Returns:
        An uncompiled ``keras.Sequential``: ``Dense(units, f)`` per layer with
        copies of its encoder weights, then ``Dense(num_classes, "softmax")``.
    """
    num_classes = validation.positive_int(num_classes, "num_classes")
    freeze = validation.boolean(freeze, "freeze")
    for layer in layers:
        validation.built(layer, "to_classifier")
    encoders = [_encoder(layer) for layer in layers]
    model = keras.Sequential(
        [keras.Input((encoders[0][0].shape[0],))]
        + [keras.layers.Dense(k.shape[1], activation=f, trainable=not freeze) for k, _, f in encoders]
        + [keras.layers.Dense(num_classes, activation="softmax")],
        name=name,
    )
    for dense, (kernel, bias, _) in zip(model.layers, encoders):
        dense.set_weights([np.asarray(kernel), np.asarray(bias)])
    return model


class LayerwiseStack(keras.Model):
    """A stack of layers pre-trained greedily; base of ``DBN`` and ``StackedAutoencoder``.

    Subclasses set ``self.stack`` (list of layers, bottom first). Calling the
    stack returns the top layer's features.
    """

    def build(self, input_shape):
        width = input_shape[-1]
        for layer in self.stack:
            if not layer.built:
                layer.build((None, width))
            width = _encoder(layer)[0].shape[1]
        self.built = True

    def transform(self, x):
        """Features of the top layer: each layer's ``transform`` in turn."""
        for layer in self.stack:
            x = layer.transform(x)
        return x

    def call(self, x):
        return self.transform(x)

    def predict(self, x, *args, **kwargs):
        """Keras ``predict`` of the top layer's features; array data is checked
        first, and a bad batch raises the layers' ValueError (not TensorFlow's error)."""
        if not hasattr(x, "__next__") and not isinstance(x, (tf.data.Dataset, keras.utils.PyDataset)):
            x = validation.array(x)
        with validation.input_errors():
            return super().predict(x, *args, **kwargs)

    def pretrain(self, x, epochs=10, batch_size=100, optimizer=None, verbose=0, seed=0):
        """Greedy layer-wise pre-training (``greedy_layerwise``); returns the histories."""
        if not self.built:
            distribute.build_in_scope(self, np.shape(x))
        return greedy_layerwise(self.stack, x, epochs, batch_size, optimizer, verbose, seed)[1]

    def to_classifier(self, num_classes, freeze=False):
        """An MLP initialised from the stack, each layer's ``f`` kept (``to_classifier``)."""
        return to_classifier(self.stack, num_classes, freeze, name=f"{self.name}_classifier")
