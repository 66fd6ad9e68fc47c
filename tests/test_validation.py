import numpy as np
import pytest
import tensorflow as tf

from tfdl import validation


def test_binary_accepts_zeros_and_ones_and_names_the_argument():
    x = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    np.testing.assert_array_equal(validation.binary(x, "v"), x)
    with pytest.raises(ValueError, match=r"binary values \(0 or 1\) in v.*\[0.0, 0.5\]"):
        validation.binary(np.array([[0.0, 0.5]]), "v")


def test_binary_inside_a_traced_function_fails_at_run_time():
    checked = tf.function(lambda x: validation.binary(x) * 2)
    np.testing.assert_array_equal(checked(tf.constant([1.0, 0.0])), [2.0, 0.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="binary values"):
        checked(tf.constant([0.3, 1.0]))


def test_unit_interval():
    with pytest.raises(ValueError, match=r"values in \[0, 1\] in x. Received values in \[-1.0, 1.0\]"):
        validation.unit_interval(np.array([-1.0, 1.0]))


def test_feature_shape_and_integers():
    validation.feature_shape(np.zeros((3, 4)), (4,))
    with pytest.raises(ValueError, match=r"shape \[batch, 4\]. Received: x.shape=\(3, 5\)"):
        validation.feature_shape(np.zeros((3, 5)), (4,))
    with pytest.raises(ValueError, match=r"Received: units=-2"):
        validation.positive_ints((3, -2), "units")
    with pytest.raises(ValueError, match=r"non-empty.*units=\(\)"):
        validation.positive_ints((), "units")
    with pytest.raises(ValueError, match=r"Received: units=True"):
        validation.positive_int(True, "units")
    assert validation.positive_ints(5, "units") == (5,)
