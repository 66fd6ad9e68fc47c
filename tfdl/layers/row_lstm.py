"""Row LSTM layer of PixelRNN (van den Oord et al. 2016)."""

import keras
import numpy as np

from tfdl import validation


def lstm_update(gates, cell):
    """One LSTM step from pre-activations ``gates`` ``[..., 4 * units]`` (i, f, o, g).

    ``i, f, o`` are sigmoids and the candidate ``g`` is a tanh;
    ``cell' = f * cell + i * g`` and ``hidden = o * tanh(cell')``.

    Returns:
        ``(hidden, cell')``.
    """
    i, f, o, g = keras.ops.split(gates, 4, axis=-1)
    cell = keras.ops.sigmoid(f) * cell + keras.ops.sigmoid(i) * keras.ops.tanh(g)
    return keras.ops.sigmoid(o) * keras.ops.tanh(cell), cell


@keras.saving.register_keras_serializable(package="tfdl")
class RowLSTM(keras.layers.Layer):
    """Row LSTM: an LSTM that processes an image row by row, top to bottom.

    The input-to-state map is a 1 x ``kernel_size`` convolution along each row,
    masked so that pixel ``(r, c)`` reads inputs at columns ``<= c`` of its own
    row (mask "B"; use a mask-"A" layer first so the current pixel is unseen);
    it is computed for all rows at once. The state-to-state map is a
    1 x ``kernel_size`` convolution (along the row) of the previous row's hidden
    state. Gates: ``i, f, o`` sigmoid, candidate ``g`` tanh.

    Args:
        units: hidden channels.
        kernel_size: odd width of both convolutions.

    Input shape: ``[batch, height, width, channels]``.
    Output shape: ``[batch, height, width, units]``.

    Example:

    >>> RowLSTM(8)(np.zeros((2, 5, 5, 3), "float32")).shape
    (2, 5, 5, 8)

    Reference: van den Oord, Kalchbrenner, Kavukcuoglu, "Pixel Recurrent
    Neural Networks", ICML 2016, section 3.1.
    """

    input_spec = keras.InputSpec(ndim=4)  # [batch, height, width, channels]

    def __init__(self, units, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.units = validation.positive_int(units, "units")
        self.kernel_size = validation.positive_int(kernel_size, "kernel_size")
        if self.kernel_size % 2 == 0:
            raise ValueError(f"Expected an odd kernel_size. Received: kernel_size={kernel_size}")

    def build(self, input_shape):
        k, units = self.kernel_size, self.units
        self.input_mask = (np.arange(k) <= k // 2).astype(np.float32)[:, None, None]
        self.input_kernel = self.add_weight(
            name="input_kernel", shape=(k, input_shape[-1], 4 * units), initializer="glorot_uniform"
        )
        self.state_kernel = self.add_weight(
            name="state_kernel", shape=(k, units, 4 * units), initializer="orthogonal"
        )
        self.bias = self.add_weight(name="bias", shape=(4 * units,), initializer="zeros")
        self.input_spec = keras.InputSpec(ndim=4, axes={-1: input_shape[-1]})

    def call(self, inputs):
        ops = keras.ops
        batch, height, width = ops.shape(inputs)[0], ops.shape(inputs)[1], ops.shape(inputs)[2]
        rows = ops.reshape(inputs, (-1, width, ops.shape(inputs)[3]))
        input_mask = ops.cast(self.input_mask, self.compute_dtype)  # float16 under mixed precision
        input_to_state = ops.conv(rows, self.input_kernel * input_mask, padding="same")
        input_to_state = ops.reshape(input_to_state, (batch, height, width, 4 * self.units))

        def step(carry, row_input):
            hidden, cell = carry
            gates = row_input + ops.conv(hidden, self.state_kernel, padding="same") + self.bias
            hidden, cell = lstm_update(gates, cell)
            return (hidden, cell), (hidden, cell)  # keras' TF scan wants ys shaped like the carry

        zeros = ops.zeros((batch, width, self.units), dtype=inputs.dtype)
        _, (hidden, _) = ops.scan(step, (zeros, zeros), ops.transpose(input_to_state, (1, 0, 2, 3)))
        return ops.transpose(hidden, (1, 0, 2, 3))

    def call_pixel(self, inputs, hidden_above, cell_above):
        """``(hidden, cell)`` ``[batch, units]`` at one pixel ``(r, c)``, for sampling one pixel at a time.

        With ``k = kernel_size // 2``:

        Args:
            inputs: the inputs at columns ``c - k .. c`` of row ``r``,
                ``[batch, (k + 1) * channels]``.
            hidden_above: the hidden state at columns ``c - k .. c + k`` of
                row ``r - 1``, ``[batch, kernel_size * units]``.
            cell_above: the cell at ``(r - 1, c)``, ``[batch, units]``.
        """
        ops, k, dtype = keras.ops, self.kernel_size // 2, self.compute_dtype
        input_kernel = ops.reshape(ops.cast(self.input_kernel[: k + 1], dtype), (-1, 4 * self.units))
        state_kernel = ops.reshape(ops.cast(self.state_kernel, dtype), (-1, 4 * self.units))
        gates = ops.matmul(inputs, input_kernel) + ops.matmul(hidden_above, state_kernel)
        return lstm_update(gates + ops.cast(self.bias, dtype), cell_above)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, kernel_size=self.kernel_size)
        return config
