"""Deep (stacked) recurrent networks, as in the article's Keras snippet."""

import keras

from tfdl import validation
from tfdl.layers.elman_cell import ElmanCell

CELLS = ("simple", "lstm", "gru", "elman")


def recurrent_layer(cell, units, return_sequences=False, return_state=False, name=None):
    """One recurrent layer of the named cell type.

    Args:
        cell: ``"simple"`` (``keras.layers.SimpleRNN``), ``"lstm"``,
            ``"gru"`` or ``"elman"`` (``keras.layers.RNN(ElmanCell(units))``).
        units: size of the hidden state.
        return_sequences: return h_1..h_T (``[batch, T, units]``) instead of
            h_T (``[batch, units]``).
        return_state: also return the final state(s).
        name: layer name.

    Returns:
        A Keras recurrent layer.
    """
    validation.one_of(cell, CELLS, "cell")
    units = validation.positive_int(units, "units")
    options = dict(return_sequences=validation.boolean(return_sequences, "return_sequences"),
                   return_state=validation.boolean(return_state, "return_state"), name=name)
    if cell == "elman":
        return keras.layers.RNN(ElmanCell(units), **options)
    layer = {"simple": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    return layer[cell](units, **options)


def recurrent_stack(units, cell="simple", return_sequences=False, bidirectional=False, dropout=0.0):
    """Recurrent layers, one per entry of ``units``, ready to stack.

    Every layer but the last returns its sequence (that is what the next one
    reads); the last returns its sequence only if ``return_sequences``.
    Arguments as in ``deep_rnn``.

    Returns:
        A list of layers (with a ``Dropout`` after each when ``dropout > 0``).
    """
    units = validation.positive_ints(units, "units")
    validation.number(dropout, "dropout", 0.0, 1.0, high_open=True)
    validation.boolean(bidirectional, "bidirectional")
    layers = []
    for depth, size in enumerate(units):
        feeds_another = depth < len(units) - 1
        layer = recurrent_layer(cell, size, return_sequences=feeds_another or return_sequences)
        layers.append(keras.layers.Bidirectional(layer) if bidirectional else layer)
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout))
    return layers


def deep_rnn(
    input_shape,
    units=(128, 64),
    cell="simple",
    output_units=10,
    output_activation="softmax",
    return_sequences=False,
    bidirectional=False,
    dropout=0.0,
    mask_value=None,
):
    """A stack of recurrent layers, each one's hidden sequence feeding the next.

    Every recurrent layer that feeds another gets ``return_sequences=True``;
    the last one returns the whole sequence only if ``return_sequences``
    (many-to-many, aligned) and otherwise its final state h_T (many-to-one).
    ``deep_rnn((100, 50))`` is the article's snippet::

        Sequential([SimpleRNN(128, input_shape=(100, 50), return_sequences=True),
                    SimpleRNN(64), Dense(10, activation="softmax")])

    with the same layer types, output shapes and 35,914 parameters.

    Args:
        input_shape: ``(timesteps, features)``; ``timesteps`` may be ``None``
            for variable-length input.
        units: hidden sizes, one per recurrent layer, bottom first.
        cell: ``"simple"``, ``"lstm"``, ``"gru"`` or ``"elman"`` (see
            ``recurrent_layer``).
        output_units: units of the ``Dense`` head; ``None`` for no head.
        output_activation: activation of the head.
        return_sequences: many-to-many (head applied at every step) when
            True, many-to-one when False.
        bidirectional: wrap every recurrent layer in ``keras.layers.Bidirectional``.
        dropout: rate of a ``Dropout`` layer after every recurrent layer
            (none when 0).
        mask_value: if given, a ``Masking(mask_value)`` layer first, so
            padded steps (all features equal to it) are skipped.

    Returns:
        A built ``keras.Sequential``; input ``[batch, timesteps, features]``,
        output ``[batch, output_units]`` or ``[batch, timesteps, output_units]``.

    Example:

    >>> deep_rnn((100, 50)).count_params()
    35914
    """
    input_shape = tuple(input_shape)
    if len(input_shape) != 2:
        raise ValueError(
            "Expected input_shape=(timesteps, features) for inputs of rank 3 "
            f"[batch, timesteps, features]. Received: input_shape={input_shape!r}"
        )
    timesteps, features = input_shape
    if timesteps is not None:
        validation.positive_int(timesteps, "input_shape[0] (timesteps)")
    validation.positive_int(features, "input_shape[1] (features)")
    if output_units is not None:
        validation.positive_int(output_units, "output_units")

    layers = [keras.Input(input_shape)]
    if mask_value is not None:
        layers.append(keras.layers.Masking(mask_value))
    layers += recurrent_stack(units, cell, return_sequences, bidirectional, dropout)
    if output_units is not None:
        layers.append(keras.layers.Dense(output_units, activation=output_activation))
    return keras.Sequential(layers, name=f"deep_{cell}_rnn")
