"""The Elman recurrent cell: the article's two RNN equations as a Keras cell."""

import keras
from keras import activations, initializers, ops

from tfdl import validation
from tfdl.layers._activation import ActivationAttribute


@keras.saving.register_keras_serializable(package="tfdl")
class ElmanCell(keras.layers.Layer):
    """One step of an Elman network, for use inside ``keras.layers.RNN``.

    The hidden state and the optional output are

        h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)
        y_t = g(W_hy h_t + b_y)        (only when ``output_units`` is given)

    Without an output projection the cell emits ``h_t`` and is numerically
    the same as ``keras.layers.SimpleRNNCell``: its weights are ``kernel``
    (W_xh, ``[input_dim, units]``), ``recurrent_kernel`` (W_hh,
    ``[units, units]``) and ``bias`` (b_h, ``[units]``) in that order, so
    ``RNN(ElmanCell(u)).set_weights(SimpleRNN(u).get_weights())`` makes the
    two layers identical. With ``output_units`` the weights
    ``output_kernel`` (W_hy, ``[units, output_units]``) and ``output_bias``
    (b_y, ``[output_units]``) follow.

    Args:
        units: size of the hidden state h_t.
        output_units: size of y_t; ``None`` emits h_t itself.
        activation: f, the hidden activation (default ``"tanh"``).
        output_activation: g, the output activation (default linear).
        use_bias: whether to add b_h and b_y.
        kernel_initializer: initializer of W_xh and W_hy.
        recurrent_initializer: initializer of W_hh.
        bias_initializer: initializer of b_h and b_y.

    Call arguments:
        inputs: x_t, ``[batch, input_dim]``.
        states: ``[h_{t-1}]``, each ``[batch, units]``.

    Returns:
        ``(y_t, [h_t])``; y_t is ``[batch, output_units or units]``.

    Example:

    >>> rnn = keras.layers.RNN(ElmanCell(16), return_sequences=True)
    >>> rnn(np.zeros((2, 5, 3), "float32")).shape
    (2, 5, 16)

    Reference: J. L. Elman, "Finding structure in time", Cognitive Science
    14 (1990).
    """

    activation = ActivationAttribute()
    output_activation = ActivationAttribute()

    def __init__(
        self,
        units,
        output_units=None,
        activation="tanh",
        output_activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = validation.positive_int(units, "units")
        self.output_units = (
            None if output_units is None else validation.positive_int(output_units, "output_units")
        )
        self.activation = activation
        self.output_activation = output_activation
        self.use_bias = validation.boolean(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.state_size = self.units
        self.output_size = self.units if self.output_units is None else self.output_units

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                "Expected inputs [batch, input_dim] at each step (keras.layers.RNN takes sequences "
                f"[batch, time, input_dim]). Received: a step of input_shape={tuple(input_shape)}"
            )
        input_dim = input_shape[-1]
        self.input_spec = keras.InputSpec(ndim=2, axes={-1: input_dim})
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units), initializer=self.kernel_initializer
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(self.units, self.units),
            initializer=self.recurrent_initializer,
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )
        if self.output_units is not None:
            self.output_kernel = self.add_weight(
                name="output_kernel",
                shape=(self.units, self.output_units),
                initializer=self.kernel_initializer,
            )
            self.output_bias = (
                self.add_weight(
                    name="output_bias",
                    shape=(self.output_units,),
                    initializer=self.bias_initializer,
                )
                if self.use_bias
                else None
            )

    def hidden(self, x, h_previous):
        """h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)."""
        pre_activation = ops.matmul(x, self.kernel)
        if self.bias is not None:
            pre_activation = pre_activation + self.bias
        return self.activation(pre_activation + ops.matmul(h_previous, self.recurrent_kernel))

    def readout(self, h):
        """y_t = g(W_hy h_t + b_y), or h_t without an output projection."""
        if self.output_units is None:
            return h
        y = ops.matmul(h, self.output_kernel)
        if self.output_bias is not None:
            y = y + self.output_bias
        return self.output_activation(y)

    def call(self, inputs, states, training=False):
        h = self.hidden(inputs, states[0] if isinstance(states, (list, tuple)) else states)
        return self.readout(h), [h]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "output_units": self.output_units,
            "activation": activations.serialize(self.activation),
            "output_activation": activations.serialize(self.output_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }
