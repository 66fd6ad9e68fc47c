"""Argument and input checks shared by tfdl's layers and models.

Every check raises ``ValueError`` naming the argument, what was expected and
what was received, in the style of Keras' own messages.
"""

import numpy as np


def positive_int(value, name):
    """Returns ``value`` if it is an integer >= 1, else raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Expected a positive integer. Received: {name}={value!r}")
    return int(value)


def non_negative_int(value, name):
    """Returns ``value`` if it is an integer >= 0 (a seed, a count), else raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"Expected a non-negative integer. Received: {name}={value!r}")
    return int(value)


SEED_LIMIT = 2**32  # what keras.utils.set_random_seed (NumPy's RandomState) accepts


def seed(value, name="seed", allow_none=False):
    """Returns ``value`` if it is an integer in [0, 2**32) (or None when allowed), else raises ValueError.

    Floats, strings and booleans are refused rather than truncated or parsed.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < SEED_LIMIT:
        expected = "an integer in [0, 2**32)" + (" or None" if allow_none else "")
        raise ValueError(f"Expected {name} to be {expected}. Received: {name}={value!r}")
    return int(value)


def boolean(value, name):
    """Returns ``value`` if it is a bool (NumPy's included), else raises ValueError (no truthy strings)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"Expected {name} to be True or False. Received: {name}={value!r}")
    return bool(value)


def positive_ints(values, name):
    """Returns a non-empty tuple of positive integers from ``values``."""
    if isinstance(values, (int, np.integer)):
        values = (values,)
    values = tuple(values)
    if not values:
        raise ValueError(
            f"Expected a non-empty sequence of positive integers. Received: {name}=()"
        )
    for value in values:
        positive_int(value, name)
    return tuple(int(v) for v in values)


def one_of(value, choices, name):
    """Returns ``value`` if it is in ``choices``, else raises ValueError."""
    if value not in choices:
        raise ValueError(f"Expected {name} in {tuple(choices)}. Received: {name}={value!r}")
    return value


def feature_shape(x, expected, name="x"):
    """Checks that ``x.shape[1:]`` equals ``expected`` (a tuple)."""
    received = tuple(x.shape[1:])
    if len(received) != len(expected) or any(
        r is not None and r != e for r, e in zip(received, expected)
    ):
        raise ValueError(
            f"Expected {name} with shape [batch, {', '.join(map(str, expected))}]. "
            f"Received: {name}.shape={tuple(x.shape)}"
        )


def binary(x, name="x"):
    """Checks that every value of ``x`` is 0 or 1.

    Eagerly this raises ValueError; inside a traced function, where values
    are not known, it returns ``x`` guarded by an assertion that fails at run
    time. Use the returned tensor.
    """
    import tensorflow as tf  # here, not at the top: the command line imports this module

    x = tf.convert_to_tensor(x)
    ok = tf.reduce_all((x == 0) | (x == 1))
    if tf.executing_eagerly():
        if not bool(ok):
            raise ValueError(
                f"Expected binary values (0 or 1) in {name} for a Bernoulli model. "
                f"Received values in [{float(tf.reduce_min(x))}, {float(tf.reduce_max(x))}] "
                "that are not all 0 or 1; binarize the data first "
                "(tfdl.data.load(..., binarize='threshold'))."
            )
        return x
    with tf.control_dependencies(
        [tf.debugging.Assert(ok, [f"Expected binary values (0 or 1) in {name}"])]
    ):
        return tf.identity(x)


def unit_interval(x, name="x"):
    """Checks that every value of ``x`` lies in [0, 1] (eagerly: ValueError)."""
    import tensorflow as tf  # here, not at the top: the command line imports this module

    x = tf.convert_to_tensor(x)
    ok = tf.reduce_all((x >= 0) & (x <= 1))
    if tf.executing_eagerly():
        if not bool(ok):
            raise ValueError(
                f"Expected values in [0, 1] in {name}. Received values in "
                f"[{float(tf.reduce_min(x))}, {float(tf.reduce_max(x))}]"
            )
        return x
    with tf.control_dependencies(
        [tf.debugging.Assert(ok, [f"Expected values in [0, 1] in {name}"])]
    ):
        return tf.identity(x)
