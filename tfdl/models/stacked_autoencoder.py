"""Stacked (denoising) autoencoders, pre-trained greedily (Bengio et al. 2007; Vincent et al. 2008).

``AutoencoderLayer`` is one layer ``h = f(x W + b)`` trained to reconstruct
its (corrupted) input; ``StackedAutoencoder`` stacks them and trains them
bottom-up with ``tfdl.models.layerwise.greedy_layerwise``.

References:
    Bengio, Lamblin, Popovici & Larochelle (2007), Greedy layer-wise training of
    deep networks. Vincent et al. (2008), Extracting and composing robust
    features with denoising autoencoders.
"""

import keras

from tfdl import validation
from tfdl.models.base import OwnLossModel
from tfdl.models.layerwise import LayerwiseStack

ACTIVATIONS = ("sigmoid", "relu")
RECONSTRUCTIONS = ("cross_entropy", "squared_error")


@keras.saving.register_keras_serializable(package="tfdl")
class AutoencoderLayer(OwnLossModel):
    """One (denoising) autoencoder layer for stacking: ``h = f(x W + b)``.

    Trained by ``fit(x)`` to reconstruct ``x`` from a corrupted copy (masking
    noise: each input set to 0 with probability ``corruption``) through a
    linear decoder ``r = h W' + b'``. With ``reconstruction="cross_entropy"``
    (inputs in [0, 1]) ``r`` are logits and the loss is the cross-entropy of
    ``sigmoid(r)``; with ``"squared_error"`` (real inputs, e.g. ReLU features
    of the layer below, for which the cross-entropy is unbounded below) ``r``
    is the reconstruction and the loss ``sum((x - r)^2) / 2``. ``compile``
    takes no ``loss`` or ``metrics``: the layer trains on its own loss.

    Args:
        units: hidden units.
        corruption: masking-noise level in [0, 1); 0 gives a plain autoencoder.
        seed: seed of the corruption noise and, for ReLU, of the encoder's
            He-uniform initial weights (sigmoid: Keras' Glorot-uniform).
        activation: ``f``, ``"sigmoid"`` or ``"relu"``.
        reconstruction: the loss, ``"cross_entropy"`` or ``"squared_error"``.
    """

    own_loss = "the reconstruction error of its input"

    def __init__(self, units, corruption=0.0, seed=None, activation="sigmoid", reconstruction="cross_entropy",
                 **kwargs):
        super().__init__(**kwargs)
        self.units = validation.positive_int(units, "units")
        self.corruption = validation.number(corruption, "corruption", 0.0, 1.0, high_open=True)
        self.activation = validation.one_of(activation, ACTIVATIONS, "activation")
        self.reconstruction = validation.one_of(reconstruction, RECONSTRUCTIONS, "reconstruction")
        self.seed = validation.seed(seed, allow_none=True)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.input_values = "unit_interval" if self.reconstruction == "cross_entropy" else "finite"
        initializer = keras.initializers.HeUniform(seed) if activation == "relu" else "glorot_uniform"
        self.encoder = keras.layers.Dense(units, activation=activation, kernel_initializer=initializer,
                                          name="encoder")
        self.decoder = None

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"Expected x with shape [batch, features]. Received: x.shape={tuple(input_shape)}")
        self.encoder.build(input_shape)
        self.decoder = keras.layers.Dense(input_shape[-1], name="decoder")
        self.decoder.build((None, self.units))
        self.built = True

    def transform(self, x):
        """Features for the next layer, ``[batch, units]``; ``x`` in [0, 1] (cross-entropy) or
        finite (squared error), ValueError otherwise."""
        return self.encoder(validation.values(x, self.input_values, "x"))

    def call(self, x, training=False):
        """Reconstruction (logits, for cross-entropy) of (corrupted, when training) ``x``."""
        if training and self.corruption > 0:
            keep = keras.random.uniform(keras.ops.shape(x), seed=self.seed_generator) >= self.corruption
            x = keras.ops.where(keep, x, 0.0)
        return self.decoder(self.encoder(x))

    def compute_losses(self, x, training):
        return {"loss": self.reconstruction_error(x, self(x, training=training))}

    def reconstruction_error(self, x, reconstruction):
        """The loss: the mean over the batch of the cross-entropy (``reconstruction``
        are logits) or the squared error ``sum((x - r)^2) / 2``."""
        if self.reconstruction == "cross_entropy":
            error = keras.ops.binary_crossentropy(x, reconstruction, from_logits=True)
        else:
            error = 0.5 * keras.ops.square(x - reconstruction)
        return keras.ops.mean(keras.ops.sum(error, axis=-1))

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, corruption=self.corruption, seed=self.seed, activation=self.activation,
                      reconstruction=self.reconstruction)
        return config


@keras.saving.register_keras_serializable(package="tfdl")
class StackedAutoencoder(LayerwiseStack):
    """Stacked (denoising) autoencoders, pre-trained greedily.

    The data are in [0, 1] and every layer reconstructs its input with the
    cross-entropy, except above a ReLU layer, whose features are unbounded:
    there the squared error (``AutoencoderLayer``'s ``reconstruction``).

    Args:
        hidden_units: units per layer, bottom first.
        corruption: masking-noise level of every layer (0: plain autoencoders).
        seed: seed; layer i uses ``seed + i``.
        activation: ``f`` of every layer, ``"sigmoid"`` or ``"relu"``.
    """

    def __init__(self, hidden_units=(500, 500), corruption=0.0, seed=None, activation="sigmoid", **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = validation.positive_ints(hidden_units, "hidden_units")
        self.corruption = validation.number(corruption, "corruption", 0.0, 1.0, high_open=True)
        self.seed = validation.seed(seed, allow_none=True)
        self.activation = validation.one_of(activation, ACTIVATIONS, "activation")
        self.stack = [
            AutoencoderLayer(
                units, corruption, None if seed is None else seed + i, activation,
                "squared_error" if i > 0 and activation == "relu" else "cross_entropy", name=f"autoencoder_{i}",
            )
            for i, units in enumerate(self.hidden_units)
        ]

    def get_config(self):
        config = super().get_config()
        config.update(hidden_units=self.hidden_units, corruption=self.corruption, seed=self.seed,
                      activation=self.activation)
        return config
