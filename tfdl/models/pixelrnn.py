"""PixelRNN for binary or 8-bit grayscale images: Row LSTM or Diagonal BiLSTM (van den Oord et al. 2016)."""

import keras
import tensorflow as tf

from tfdl import deprecation, validation
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
    pixels; sampling carries their states from pixel to pixel instead of
    recomputing the image (``cached_logits``), with the Diagonal BiLSTM's
    right-to-left direction computed a row at a time, once the row is drawn.

    Args:
        input_shape: ``(height, width, 1)``.
        kind: ``"row_lstm"`` or ``"diagonal_bilstm"``.
        num_layers: number of LSTM layers (``layers`` before, deprecated).
        units: LSTM channels.
        likelihood: ``"bernoulli"`` (binary images) or ``"categorical"``
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

    renamed_arguments = {**PixelAutoregressiveModel.renamed_arguments, "layers": "num_layers"}  # tfdl <= 7c8d4d4

    def __init__(
        self, input_shape, kind="row_lstm", num_layers=2, units=32, likelihood="bernoulli", seed=None, **kwargs
    ):
        num_layers = deprecation.renamed(kwargs, "layers", "num_layers", num_layers, 2, "PixelRNN")
        super().__init__(input_shape, likelihood=likelihood, seed=seed, **kwargs)
        validation.one_of(self.image_shape[-1], (1,), "input_shape[-1]")
        self.kind = validation.one_of(kind, ("row_lstm", "diagonal_bilstm"), "kind")
        self.num_layers = validation.positive_int(num_layers, "num_layers")
        self.units = validation.positive_int(units, "units")
        lstm = RowLSTM if kind == "row_lstm" else DiagonalBiLSTM
        dtype = self.dtype_policy
        self.input_layer = MaskedConv2D(2 * self.units, 7, "A", dtype=dtype)
        self.lstm_layers = [
            [lstm(self.units, dtype=dtype), MaskedConv2D(2 * self.units, 1, "B", dtype=dtype)]
            for _ in range(self.num_layers)
        ]
        self.head = [MaskedConv2D(2 * self.units, 1, "B", activation="relu", dtype=dtype) for _ in range(2)]
        self.output_layer = MaskedConv2D(self.outputs_per_channel, 1, "B", dtype=dtype)
        self.build_network()
        self.cache_pad = 3  # the 7x7 input layer reads 3 rows up and 3 columns either side

    def call(self, x):
        h = self.input_layer(self.rescale(x))
        for lstm, projection in self.lstm_layers:
            h = h + projection(lstm(h))
        h = keras.ops.relu(h)
        for layer in self.head:
            h = layer(h)
        return self.logits(self.output_layer(h))

    def initial_caches(self, raster, batch):
        """Per LSTM layer, what sampling carries from pixel to pixel.

        Both kinds: the layer's inputs and (left-to-right) hidden state at
        every pixel drawn. Row LSTM: its cells on the row above and on the
        current row. Diagonal BiLSTM: the left neighbour's hidden state and
        cell, and the right-to-left hidden state of every finished row.
        """
        dtype, units = self.compute_dtype, self.units
        caches = []
        for _ in self.lstm_layers:
            cache = {"inputs": raster.zeros(batch, 2 * units, dtype), "hidden": raster.zeros(batch, units, dtype)}
            if self.kind == "row_lstm":
                row = tf.zeros((raster.width, batch, units), dtype)
                cache.update(cell_above=row, cell=row)
            else:
                left = tf.zeros((batch, units), dtype)
                cache.update(hidden_left=left, cell_left=left, backward=raster.zeros(batch, units, dtype))
            caches.append(cache)
        return caches

    def cached_logits(self, raster, image, caches, r, c):
        """Logits ``[batch, 1]`` (``[batch, 1, 256]``) of pixel ``(r, c)``, and the caches with its states.

        Row LSTM: the input-to-state convolution reads the layer's inputs on
        the current row, the state-to-state one the hidden states on the row
        above. Diagonal BiLSTM: the left-to-right direction reads its state
        above and on the left; the right-to-left one the row above, which
        ``cached_row_end`` finished.
        """
        index = raster.index(r, c)
        h = self.input_layer.call_pixel(self.rescale(raster.read(image, index, self.input_layer.taps())))
        updated = []
        for (lstm, projection), cache in zip(self.lstm_layers, caches):
            cache = dict(cache, inputs=raster.write(cache["inputs"], index, h))
            if self.kind == "row_lstm":
                k = lstm.kernel_size // 2
                hidden, cell = lstm.call_pixel(
                    raster.read(cache["inputs"], index, [(0, dc) for dc in range(-k, 1)]),
                    raster.read(cache["hidden"], index, [(-1, dc) for dc in range(-k, k + 1)]),
                    tf.gather(cache["cell_above"], c),
                )
                cache["cell"] = tf.tensor_scatter_nd_update(cache["cell"], [[c]], cell[None])
                output = hidden
            else:
                above = raster.read(cache["hidden"], index, [(-1, 0)])
                hidden, cell = lstm.forward_pixel(h, above, cache["hidden_left"], cache["cell_left"])
                cache.update(hidden_left=hidden, cell_left=cell)
                output = hidden + raster.read(cache["backward"], index, [(-1, 0)])
            cache["hidden"] = raster.write(cache["hidden"], index, hidden)
            updated.append(cache)
            h = h + projection.call_pixel(output)
        h = keras.ops.relu(h)
        for layer in self.head:
            h = layer.call_pixel(h)
        return self.logits(self.output_layer.call_pixel(h)), updated

    def cached_row_end(self, raster, caches, r):
        """After row ``r``: Row LSTM cells move up a row; the Diagonal BiLSTM runs right to left on row ``r``."""
        updated = []
        for (lstm, _), cache in zip(self.lstm_layers, caches):
            if self.kind == "row_lstm":
                cache = dict(cache, cell_above=cache["cell"])
            else:
                backward = lstm.backward_row(
                    raster.read_row(cache["inputs"], r), raster.read_row(cache["backward"], r - 1)
                )
                zeros = tf.zeros_like(cache["hidden_left"])
                backward = raster.write_row(cache["backward"], r, backward)
                cache = dict(cache, hidden_left=zeros, cell_left=zeros, backward=backward)
            updated.append(cache)
        return updated

    def get_config(self):
        config = super().get_config()
        config.update(kind=self.kind, num_layers=self.num_layers, units=self.units)
        return config
