"""Diagonal BiLSTM layer of PixelRNN (van den Oord et al. 2016)."""

import keras

from tfdl import validation
from tfdl.layers.row_lstm import lstm_update


def skew(x):
    """Shifts row ``r`` of ``[batch, H, W, C]`` right by ``r``: ``[batch, H, W + H - 1, C]``."""
    ops = keras.ops
    _, height, width, channels = ops.shape(x)
    flat = ops.reshape(ops.pad(x, ((0, 0), (0, 0), (0, height), (0, 0))), (-1, height * (width + height), channels))
    return ops.reshape(flat[:, : height * (width + height - 1)], (-1, height, width + height - 1, channels))


def unskew(x, width):
    """Inverse of ``skew``: ``[batch, H, width + H - 1, C]`` -> ``[batch, H, width, C]``."""
    ops = keras.ops
    _, height, skewed_width, channels = ops.shape(x)
    flat = ops.pad(ops.reshape(x, (-1, height * skewed_width, channels)), ((0, 0), (0, height), (0, 0)))
    return ops.reshape(flat, (-1, height, width + height, channels))[:, :, :width]


@keras.saving.register_keras_serializable(package="tfdl")
class DiagonalBiLSTM(keras.layers.Layer):
    """Diagonal BiLSTM: two LSTMs that sweep the image along its diagonals.

    Each direction skews the image (row ``r`` shifted right by ``r``) so that
    diagonals become columns, applies a 1x1 input-to-state convolution to all
    pixels at once, then scans the columns left to right with a 2x1
    state-to-state convolution (the state of the pixel itself and of the one
    above it on the previous diagonal), and unskews. The right-to-left
    direction runs on the mirrored image, is mirrored back and shifted down one
    row before the two are added, so output ``(r, c)`` sees only pixels before
    it in raster order (and the inputs at ``(r, c)`` itself; put a mask-"A"
    layer first). Candidate gate: tanh.

    Args:
        units: hidden channels of each direction (and of the output).

    Input shape: ``[batch, height, width, channels]``.
    Output shape: ``[batch, height, width, units]``.

    Example:

    >>> DiagonalBiLSTM(8)(np.zeros((2, 5, 5, 3), "float32")).shape
    (2, 5, 5, 8)

    Reference: van den Oord, Kalchbrenner, Kavukcuoglu, "Pixel Recurrent
    Neural Networks", ICML 2016, section 3.2.
    """

    input_spec = keras.InputSpec(ndim=4)  # [batch, height, width, channels]

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = validation.positive_int(units, "units")

    def build(self, input_shape):
        units = self.units
        self.input_spec = keras.InputSpec(ndim=4, axes={-1: input_shape[-1]})
        self.directions = []
        for name in ("forward", "backward"):
            self.directions.append(
                (
                    self.add_weight(name=f"{name}_input_kernel", shape=(input_shape[-1], 4 * units), initializer="glorot_uniform"),
                    self.add_weight(name=f"{name}_state_kernel", shape=(2, units, 4 * units), initializer="orthogonal"),
                    self.add_weight(name=f"{name}_bias", shape=(4 * units,), initializer="zeros"),
                )
            )

    def diagonal_lstm(self, inputs, input_kernel, state_kernel, bias):
        """Left-to-right diagonal LSTM of ``inputs`` ``[batch, H, W, C]`` -> ``[batch, H, W, units]``."""
        ops = keras.ops
        width = ops.shape(inputs)[2]
        input_to_state = skew(ops.matmul(inputs, input_kernel) + bias)

        def step(carry, column_input):
            hidden, cell = carry
            above = ops.pad(hidden[:, :-1], ((0, 0), (1, 0), (0, 0)))
            gates = column_input + ops.matmul(above, state_kernel[0]) + ops.matmul(hidden, state_kernel[1])
            hidden, cell = lstm_update(gates, cell)
            return (hidden, cell), (hidden, cell)  # keras' TF scan wants ys shaped like the carry

        zeros = ops.zeros_like(input_to_state[:, :, 0, : self.units])
        _, (hidden, _) = ops.scan(step, (zeros, zeros), ops.transpose(input_to_state, (2, 0, 1, 3)))
        return unskew(ops.transpose(hidden, (1, 2, 0, 3)), width)

    def call(self, inputs):
        ops = keras.ops
        forward = self.diagonal_lstm(inputs, *self.directions[0])
        backward = ops.flip(self.diagonal_lstm(ops.flip(inputs, axis=2), *self.directions[1]), axis=2)
        return forward + ops.pad(backward[:, :-1], ((0, 0), (1, 0), (0, 0), (0, 0)))

    def _direction_weights(self, direction):
        return [keras.ops.cast(weight, self.compute_dtype) for weight in self.directions[direction]]

    def forward_pixel(self, inputs, hidden_above, hidden_left, cell_left):
        """``(hidden, cell)`` ``[batch, units]`` of the left-to-right direction at one pixel ``(r, c)``.

        For sampling one pixel at a time: the layer's output at ``(r, c)`` is
        this hidden state plus ``backward_row``'s at ``(r - 1, c)``.

        Args:
            inputs: the inputs at ``(r, c)``, ``[batch, channels]``.
            hidden_above, hidden_left: this direction's hidden state at
                ``(r - 1, c)`` and ``(r, c - 1)``, ``[batch, units]``.
            cell_left: its cell at ``(r, c - 1)``.
        """
        ops = keras.ops
        input_kernel, state_kernel, bias = self._direction_weights(0)
        gates = ops.matmul(inputs, input_kernel) + ops.matmul(hidden_above, state_kernel[0])
        return lstm_update(gates + ops.matmul(hidden_left, state_kernel[1]) + bias, cell_left)

    def backward_row(self, inputs, hidden_above):
        """Hidden state ``[batch, W, units]`` of the right-to-left direction on one row.

        Args:
            inputs: the row's inputs, ``[batch, W, channels]``.
            hidden_above: this direction's hidden state on the row above,
                ``[batch, W, units]``.
        """
        ops = keras.ops
        input_kernel, state_kernel, bias = self._direction_weights(1)
        gates = ops.matmul(inputs, input_kernel) + ops.matmul(hidden_above, state_kernel[0]) + bias

        def step(carry, column_gates):
            hidden, cell = carry
            hidden, cell = lstm_update(column_gates + ops.matmul(hidden, state_kernel[1]), cell)
            return (hidden, cell), (hidden, cell)  # keras' TF scan wants ys shaped like the carry

        zeros = ops.zeros_like(gates[:, 0, : self.units])
        _, (hidden, _) = ops.scan(step, (zeros, zeros), ops.transpose(gates, (1, 0, 2)), reverse=True)
        return ops.transpose(hidden, (1, 0, 2))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units)
        return config
