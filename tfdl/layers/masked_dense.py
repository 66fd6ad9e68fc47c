"""A dense layer with a fixed 0/1 connectivity mask, and MADE's mask helpers.

Germain, Gregor, Murray & Larochelle (2015), "MADE: Masked Autoencoder for
Distribution Estimation", ICML. The rule, stated once: every unit carries a
1-based degree; an input of position ``p`` in the autoregressive order has
degree ``p + 1``; a hidden unit of degree ``m`` may receive from a unit of
degree ``d`` iff ``d <= m``; an output of degree ``d`` may receive from a
hidden unit of degree ``m`` iff ``m < d``. Output ``i`` then depends only on
inputs that come before ``i`` in the order. Masks are in Keras kernel layout
``[in, out]``.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfdl import validation
from tfdl.layers._activation import ActivationAttribute

ORDERS = ("natural", "reversed", "random")
HIDDEN_DEGREES = ("random", "equal")


def autoregressive_order(input_dim, order="natural", seed=None):
    """Position of every input in the autoregressive order.

    Args:
        input_dim: number of inputs ``D``.
        order: ``"natural"`` (0, 1, ..., D-1), ``"reversed"``, ``"random"``
            (a permutation drawn with ``seed``) or an explicit permutation of
            ``0..D-1`` where ``order[i]`` is the position of input ``i``.
        seed: int or ``np.random.Generator`` for ``"random"``.

    Returns:
        int array ``[D]``, a permutation of ``0..D-1``.
    """
    input_dim = validation.positive_int(input_dim, "input_dim")
    if isinstance(order, str):
        validation.one_of(order, ORDERS, "order")
        if order == "natural":
            return np.arange(input_dim)
        if order == "reversed":
            return np.arange(input_dim)[::-1].copy()
        return np.random.default_rng(seed).permutation(input_dim)
    positions = np.asarray(order)
    if (
        positions.shape != (input_dim,)
        or not np.issubdtype(positions.dtype, np.integer)
        or not np.array_equal(np.sort(positions), np.arange(input_dim))
    ):
        raise ValueError(
            f"Expected order in {ORDERS} or a permutation of 0..{input_dim - 1} "
            f"(input_dim={input_dim}). Received: order={order!r}"
        )
    return positions.astype(np.int64)


def made_masks(input_dim, hidden_units, order="natural", hidden_degrees="random", seed=None):
    """MADE's masks for a ``input_dim - hidden_units... - input_dim`` network.

    Args:
        input_dim: number of inputs and outputs ``D``.
        hidden_units: sizes of the hidden layers.
        order: see ``autoregressive_order``.
        hidden_degrees: ``"random"`` draws each hidden degree uniformly from
            ``[min degree of the layer below, D - 1]`` (the paper);
            ``"equal"`` spreads the layer's units evenly over that range, in
            increasing order.
        seed: int or ``np.random.Generator``; one generator draws the order and
            the degrees.

    Returns:
        list of float32 0/1 arrays, ``[D, H1], [H1, H2], ..., [HL, D]``.

    Example:

    >>> [m.astype(int).tolist() for m in made_masks(3, [2], hidden_degrees="equal")]
    [[[1, 1], [0, 1], [0, 0]], [[0, 1, 1], [0, 0, 1]]]
    """
    return degree_masks(made_degrees(input_dim, hidden_units, order, hidden_degrees, seed))


def made_degrees(input_dim, hidden_units, order="natural", hidden_degrees="random", seed=None):
    """The degrees ``[inputs [D], hidden layer 1 [H1], ...]`` (int arrays) that
    ``made_masks`` turns into masks; arguments as there."""
    hidden_units = validation.positive_ints(hidden_units, "hidden_units")
    validation.one_of(hidden_degrees, HIDDEN_DEGREES, "hidden_degrees")
    rng = np.random.default_rng(seed)
    degrees = [autoregressive_order(input_dim, order, rng) + 1]
    for units in hidden_units:
        low = min(int(degrees[-1].min()), input_dim - 1)
        high = max(input_dim - 1, low)  # D = 1: no valid degree; outputs see nothing
        if hidden_degrees == "random":
            degrees.append(rng.integers(low, high + 1, size=units))
        else:
            degrees.append(low + np.arange(units) * (high - low + 1) // units)
    return degrees


def degree_masks(degrees):
    """Masks ``[D, H1], ..., [HL, D]`` (float32 0/1) from ``made_degrees``' degrees, by the rule above."""
    degrees = [np.asarray(d) for d in degrees]
    masks = [(d_in[:, None] <= d_out[None, :]) for d_in, d_out in zip(degrees, degrees[1:])]
    masks.append(degrees[-1][:, None] < degrees[0][None, :])
    return [mask.astype(np.float32) for mask in masks]


@keras.saving.register_keras_serializable(package="tfdl")
class MaskedDense(keras.layers.Layer):
    """Dense layer whose kernel is multiplied by a fixed 0/1 mask.

    ``outputs = activation(inputs @ (kernel * mask) + bias)``. The mask is
    applied at compute time and never written into the kernel, so the masked
    weights stay at their initial values and receive zero gradient.

    Args:
        units: output size.
        mask: 0/1 array ``[in, units]``, or a stack ``[num_masks, in, units]``
            from which ``call`` picks one by ``mask_index`` (MADE's
            connectivity-agnostic training).
        activation: activation function or name; ``None`` (also when assigned
            to ``layer.activation`` later) is linear.
        use_bias: whether to add a bias.
        kernel_initializer, bias_initializer: initializers or names.

    Call arguments:
        inputs: ``[..., in]``.
        mask_index: int or scalar int tensor selecting the mask of a stack
            (default 0).

    Input shape: ``[..., in]``. Output shape: ``[..., units]``.

    Example:

    >>> layer = MaskedDense(2, mask=[[1, 0], [1, 1]])
    >>> layer(np.ones((4, 2), "float32")).shape
    (4, 2)
    """

    activation = ActivationAttribute()

    def __init__(
        self,
        units,
        mask,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = validation.positive_int(units, "units")
        mask = np.asarray(mask, dtype=np.float32)
        if mask.ndim not in (2, 3) or mask.shape[-1] != self.units:
            raise ValueError(
                f"Expected mask with shape [in, {self.units}] or [num_masks, in, {self.units}]. "
                f"Received: mask.shape={mask.shape}"
            )
        if not np.all((mask == 0) | (mask == 1)):
            raise ValueError("Expected a mask of zeros and ones. Received other values in mask")
        self.kernel_mask = mask
        self.activation = activation
        self.use_bias = validation.boolean(use_bias, "use_bias")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        with tf.init_scope():  # an eager constant: captured by traced calls, not embedded
            self._mask = tf.constant(mask)

    def build(self, input_shape):
        input_dim = self.kernel_mask.shape[-2]
        if input_shape[-1] != input_dim:
            raise ValueError(
                f'Expected inputs with {input_dim} features (the mask\'s rows) in layer "{self.name}". '
                f"Received: input_shape={tuple(input_shape)}"
            )
        # Later calls: Keras checks every input's last axis (ValueError, symbolic or eager).
        self.input_spec = keras.InputSpec(axes={-1: input_dim})
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units), initializer=self.kernel_initializer
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )

    def masked_kernel(self, mask_index=None):
        """``kernel * mask`` ``[input_dim, units]`` of mask set ``mask_index`` (an int or int tensor)."""
        mask = self._mask
        if self.kernel_mask.ndim == 3:
            mask = ops.take(mask, 0 if mask_index is None else mask_index, axis=0)
        return self.kernel * ops.cast(mask, self.compute_dtype)

    def call(self, inputs, mask_index=None, masked_kernel=None):
        """``activation(inputs @ (kernel * mask) + bias)``; ``masked_kernel``, when
        given, is ``self.masked_kernel(mask_index)`` computed once by the caller."""
        kernel = self.masked_kernel(mask_index) if masked_kernel is None else masked_kernel
        outputs = ops.matmul(inputs, kernel)
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "mask": self.kernel_mask.astype(int).tolist(),
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
