"""Argument and input checks shared by tfdl's layers and models.

Every check raises ``ValueError`` naming the argument, what was expected and
what was received, in the style of Keras' own messages.
"""

import contextlib

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


UNBUILT = "call the model on data, or build(input_shape), first"

# What every value of an input must be, how the error says it, and what to do about it.
VALUE_CHECKS = {
    "finite": ("finite values (no NaN or inf)", "remove or impute them"),
    "binary": ("binary values (0 or 1)", "binarize the data first, e.g. tfdl.data.load(..., binarize='threshold')"),
    "unit_interval": ("values in [0, 1]", "scale the data into [0, 1] first"),
    "intensities": ("integer intensities 0..255", "scale images in [0, 1] by 255 and round first"),
}


def built(model, what):
    """Raises ValueError unless ``model`` is built (its weights exist)."""
    if not model.built:
        raise ValueError(f"{type(model).__name__}.{what} needs the model's weights: {UNBUILT}.")


def number(value, name, low=None, high=None, low_open=False, high_open=False):
    """Returns ``value`` as a float if it is a finite real number within the bounds given
    (``low``/``high``, closed unless ``low_open``/``high_open``), else raises ValueError."""
    ok = not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, float, np.integer, np.floating))
    ok = ok and np.isfinite(value)
    ok = ok and (low is None or (value > low if low_open else value >= low))
    ok = ok and (high is None or (value < high if high_open else value <= high))
    if not ok:
        bounds = f"{'(' if low_open else '['}{'-inf' if low is None else low}, {'inf' if high is None else high}" + (
            ")" if high_open or high is None else "]")
        raise ValueError(f"Expected {name} to be a finite number in {bounds}. Received: {name}={value!r}")
    return float(value)


def array(x, name="x"):
    """``x`` as a tensor if it is numeric array data with at least one example, else ValueError.

    Refuses strings, None, dicts, and arrays with no rows (``fit`` would train on nothing).
    """
    import tensorflow as tf  # here, not at the top: the command line imports this module

    if x is None or isinstance(x, (str, bytes, dict)):
        raise ValueError(
            f"Expected {name} as a numeric array [batch, ...]. Received: {name} of type {type(x).__name__}"
        )
    try:
        x = tf.convert_to_tensor(x)
    except (ValueError, TypeError) as error:
        raise ValueError(f"Expected {name} as a numeric array [batch, ...]. Received: {name}={_short(x)}") from error
    if not (x.dtype.is_floating or x.dtype.is_integer or x.dtype.is_bool):
        raise ValueError(f"Expected {name} as a numeric array. Received: {name} of dtype {x.dtype.name}")
    if x.shape.rank == 0:
        raise ValueError(f"Expected {name} with a batch axis [batch, ...]. Received: {name}.shape=()")
    if x.shape[0] == 0:
        raise ValueError(
            f"Expected {name} with at least one example. Received: an empty {name}, shape {tuple(x.shape)}"
        )
    return x


def _short(value):
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def values(x, kind, name="x"):
    """Checks every value of ``x`` against ``kind`` (a key of ``VALUE_CHECKS``).

    ``"binary"``, ``"unit_interval"`` and ``"intensities"`` imply finite values.
    The error names ``name``, the first offending value and its index:
    eagerly a ValueError; inside a traced function (a ``fit`` step) ``x`` is
    returned guarded by a ``tf.debugging.Assert`` with the same words, which
    ``input_errors`` turns into a ValueError at the ``fit``/``predict``
    boundary. In a function compiled by XLA, which drops assertions, values
    are not checked. The index and value are computed only when the check fails, so a
    passing check costs one comparison and one reduction. Use the returned tensor.
    """
    import tensorflow as tf  # here, not at the top: the command line imports this module

    x = tf.convert_to_tensor(x)
    checked = x if x.dtype.is_floating else tf.cast(x, tf.float32)
    if kind == "binary":
        good = (checked == 0) | (checked == 1)
    elif kind == "unit_interval":
        good = (checked >= 0) & (checked <= 1)
    elif kind == "intensities":
        good = (checked >= 0) & (checked <= 255) & (checked == tf.round(checked))
    else:
        good = tf.math.is_finite(checked)
    expected, hint = VALUE_CHECKS[kind]
    head, tail = f"Expected {expected} in {name}. Received: {name}[", f", the first value that is not; {hint}."
    if tf.executing_eagerly():
        if not bool(tf.reduce_all(good)):
            first = int(np.argmin(good.numpy().ravel()))
            index = ", ".join(str(int(i)) for i in np.unravel_index(first, tuple(x.shape)))
            value = float(tf.reshape(checked, [-1])[first])
            raise ValueError(f"{head}{index}]={value:g}{tail}")
        return x
    if in_xla():  # XLA drops assertions (and cannot compile the message's string ops)
        return x

    def fail():
        flat = tf.reshape(good, [-1])
        first = tf.argmin(tf.cast(flat, tf.int32), output_type=tf.int64)
        index = tf.unravel_index(first, tf.shape(x, out_type=tf.int64))
        value = tf.cast(tf.gather(tf.reshape(checked, [-1]), first), tf.float64)
        text = tf.strings.join([
            head, tf.strings.reduce_join(tf.strings.as_string(index), separator=", "), "]=",
            tf.strings.as_string(value, shortest=True), " in a batch", tail,
        ])
        with tf.control_dependencies([tf.debugging.Assert(False, [text])]):
            return tf.constant(False)

    passed = tf.cond(tf.reduce_all(good), lambda: tf.constant(True), fail)
    with tf.control_dependencies([passed]):
        return tf.identity(x)


def in_xla():
    """Whether the function being traced is compiled by XLA (``jit_compile=True``)."""
    import tensorflow as tf
    from tensorflow.python.ops import control_flow_util  # no public equivalent

    return control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph())


@contextlib.contextmanager
def input_errors():
    """Turns a failed in-graph ``values`` assertion (``InvalidArgumentError``) into its ValueError."""
    import tensorflow as tf  # here, not at the top: the command line imports this module

    try:
        yield
    except tf.errors.InvalidArgumentError as error:
        for line in str(error).splitlines():
            if "assertion failed: [Expected " in line:
                text = line.split("assertion failed: [", 1)[1]
                raise ValueError(text[:-1] if text.endswith("]") else text) from None
        raise


def binary(x, name="x"):
    """Checks that every value of ``x`` is 0 or 1 (``values(x, "binary", name)``)."""
    return values(x, "binary", name)


def unit_interval(x, name="x"):
    """Checks that every value of ``x`` lies in [0, 1] (``values(x, "unit_interval", name)``)."""
    return values(x, "unit_interval", name)
