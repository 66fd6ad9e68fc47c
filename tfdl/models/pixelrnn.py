"""PixelRNN for binary or 8-bit grayscale images: Row LSTM or Diagonal BiLSTM (van den Oord et al. 2016)."""

import keras

from tfdl import validation
from tfdl.layers.diagonal_bilstm import DiagonalBiLSTM
from tfdl.layers.masked_conv2d import MaskedConv2D
from tfdl.layers.row_lstm import RowLSTM
from tfdl.models.pixel_autoregressive import PixelAutoregressiveModel


@keras.saving.register_keras_serializable(package="tfdl")
class PixelRNN(PixelAutoregressiveModel):
    """PixelRNN: a 7x7 mask-"A" convolution, residual LSTM layers, a 1x1 head.

    Each of ``layers`` residual layers maps its ``2 * units``-channel input
    through a ``RowLSTM`` or ``DiagonalBiLSTM`` with ``units`` channels and a
    1x1 convolution back to ``2 * units`` channels, added to the input. Two
    1x1 ReLU layers and a 1x1 output layer give one Bernoulli logit (or 256
    categorical logits) per pixel.
    The LSTMs give every pixel a receptive field over (nearly) all earlier
    pixels, so sampling recomputes the whole image at every pixel (inside one
    compiled loop).

    Args:
        input_shape: ``(height, width, 1)``.
        kind: ``"row_lstm"`` or ``"diagonal_bilstm"``.
        layers: number of LSTM layers.
        units: LSTM channels.
        distribution: ``"bernoulli"`` (binary images) or ``"categorical"``
            (integer intensities 0..255 stored as float).
        seed: sampling seed.

    Call: images ``[batch, H, W, 1]`` -> logits ``[batch, H, W, 1]``
    (Bernoulli) or ``[batch, H, W, 1, 256]`` (categorical); ``log_prob`` is
    exact.

    Example:

    >>> model = PixelRNN(input_shape=(8, 8, 1), kind="row_lstm", units=8)
    >>> model(np.zeros((2, 8, 8, 1), "float32")).shape
    (2, 8, 8, 1)

    Reference: van den Oord, Kalchbrenner, Kavukcuoglu, "Pixel Recurrent
    Neural Networks", ICML 2016.
    """

    def __init__(
        self, input_shape, kind="row_lstm", layers=2, units=32, distribution="bernoulli", seed=None, **kwargs
    ):
        super().__init__(input_shape, distribution=distribution, seed=seed, **kwargs)
        validation.one_of(self.image_shape[-1], (1,), "input_shape[-1]")
        self.kind = validation.one_of(kind, ("row_lstm", "diagonal_bilstm"), "kind")
        self.num_layers = validation.positive_int(layers, "layers")
        self.units = validation.positive_int(units, "units")
        lstm = RowLSTM if kind == "row_lstm" else DiagonalBiLSTM
        self.input_layer = MaskedConv2D(2 * self.units, 7, "A")
        self.lstm_layers = [
            [lstm(self.units), MaskedConv2D(2 * self.units, 1, "B")] for _ in range(self.num_layers)
        ]
        self.head = [MaskedConv2D(2 * self.units, 1, "B", activation="relu") for _ in range(2)]
        self.output_layer = MaskedConv2D(self.outputs_per_channel, 1, "B")
        self.build_network()

    def call(self, x):
        h = self.input_layer(self.rescale(x))
        for lstm, projection in self.lstm_layers:
            h = h + projection(lstm(h))
        h = keras.ops.relu(h)
        for layer in self.head:
            h = layer(h)
        return self.logits(self.output_layer(h))

    def get_config(self):
        config = super().get_config()
        config.update(kind=self.kind, layers=self.num_layers, units=self.units)
        return config
