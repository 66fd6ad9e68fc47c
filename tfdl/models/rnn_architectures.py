"""The article's four RNN architectures as small Keras model builders.

* one-to-one: ``one_to_one`` (a feed-forward baseline, e.g. image classification);
* one-to-many: ``one_to_many`` (a vector, repeated at every step, generates a sequence);
* many-to-one: ``tfdl.models.deep_rnn(..., return_sequences=False)``;
* many-to-many, aligned (one output per input step):
  ``tfdl.models.deep_rnn(..., return_sequences=True)``;
* many-to-many, unaligned (output length differs from input length):
  ``encoder_decoder``.
"""

import keras

from tfdl import validation
from tfdl.models.deep_rnn import recurrent_layer, recurrent_stack


def _head(output_units, output_activation):
    return keras.layers.Dense(
        validation.positive_int(output_units, "output_units"), activation=output_activation
    )


def one_to_one(input_dim, units=(64,), output_units=10, output_activation="softmax"):
    """A multilayer perceptron: one input vector, one output (no recurrence).

    Args:
        input_dim: size of the input vector.
        units: hidden ReLU layer sizes (may be empty for a linear model).
        output_units, output_activation: the ``Dense`` head.

    Returns:
        A built ``keras.Sequential``: ``[batch, input_dim] -> [batch, output_units]``.

    Example:

    >>> one_to_one(64).output_shape
    (None, 10)
    """
    input_dim = validation.positive_int(input_dim, "input_dim")
    hidden = [keras.layers.Dense(validation.positive_int(u, "units"), "relu") for u in units]
    return keras.Sequential(
        [keras.Input((input_dim,)), *hidden, _head(output_units, output_activation)],
        name="one_to_one",
    )


def one_to_many(
    input_dim, timesteps, units=(64,), cell="simple", output_units=8, output_activation=None
):
    """A sequence generated from one vector, fed to the RNN at every step.

    ``x -> RepeatVector(timesteps) -> recurrent stack -> Dense`` at every
    step, the simplest one-to-many network (image captioning feeds the image
    features this way in Mao et al., 2015).

    Args:
        input_dim: size of the input vector.
        timesteps: length of the generated sequence.
        units, cell: the recurrent stack (see ``deep_rnn``).
        output_units, output_activation: the per-step ``Dense`` head.

    Returns:
        A built ``keras.Sequential``:
        ``[batch, input_dim] -> [batch, timesteps, output_units]``.

    Example:

    >>> one_to_many(10, timesteps=8).output_shape
    (None, 8, 8)
    """
    input_dim = validation.positive_int(input_dim, "input_dim")
    timesteps = validation.positive_int(timesteps, "timesteps")
    return keras.Sequential(
        [
            keras.Input((input_dim,)),
            keras.layers.RepeatVector(timesteps),
            *recurrent_stack(units, cell, return_sequences=True),
            _head(output_units, output_activation),
        ],
        name=f"one_to_many_{cell}",
    )


def encoder_decoder(
    input_shape,
    output_timesteps,
    units=64,
    cell="gru",
    output_units=10,
    output_activation="softmax",
):
    """Many-to-many for unaligned sequences: encode to a vector, decode from it.

    The encoder reads the whole input and keeps its final state, the context
    c; the decoder receives c at each of ``output_timesteps`` steps and emits
    one output per step (the context-at-every-step decoder of Cho et al.,
    2014, without feeding back previous outputs).

    Args:
        input_shape: ``(timesteps, features)`` of the source sequence.
        output_timesteps: length of the target sequence.
        units: hidden size of encoder and decoder.
        cell: recurrent cell name (see ``deep_rnn``).
        output_units, output_activation: the per-step ``Dense`` head.

    Returns:
        A built ``keras.Sequential``:
        ``[batch, timesteps, features] -> [batch, output_timesteps, output_units]``.

    Example:

    >>> encoder_decoder((6, 10), output_timesteps=6).output_shape
    (None, 6, 10)
    """
    input_shape = tuple(input_shape)
    if len(input_shape) != 2:
        raise ValueError(
            f"Expected input_shape=(timesteps, features). Received: input_shape={input_shape!r}"
        )
    output_timesteps = validation.positive_int(output_timesteps, "output_timesteps")
    return keras.Sequential(
        [
            keras.Input(input_shape),
            recurrent_layer(cell, units, name="encoder"),
            keras.layers.RepeatVector(output_timesteps),
            recurrent_layer(cell, units, return_sequences=True, name="decoder"),
            _head(output_units, output_activation),
        ],
        name=f"encoder_decoder_{cell}",
    )
