import numpy as np
import pytest
import tensorflow as tf

from tfdl import validation


def test_binary_accepts_zeros_and_ones_and_names_the_argument_value_and_index():
    x = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    np.testing.assert_array_equal(validation.binary(x, "v"), x)
    with pytest.raises(ValueError, match=r"binary values \(0 or 1\) in v. Received: v\[1, 0\]=0.5, the first"):
        validation.binary(np.array([[0.0, 1.0], [0.5, 0.7]]), "v")


def test_binary_inside_a_traced_function_fails_at_run_time_with_the_same_words():
    checked = tf.function(lambda x: validation.binary(x) * 2)
    np.testing.assert_array_equal(checked(tf.constant([1.0, 0.0])), [2.0, 0.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"binary values \(0 or 1\) in x. Received: x\[2\]=0.3"):
        checked(tf.constant([1.0, 0.0, 0.3, 0.2]))
    with pytest.raises(ValueError, match=r"^Expected binary values \(0 or 1\) in x. Received: x\[2\]=0.3 in a batch"):
        with validation.input_errors():
            checked(tf.constant([1.0, 0.0, 0.3, 0.2]))


@pytest.mark.parametrize("kind, bad, shown", [
    ("finite", np.inf, "inf"), ("finite", np.nan, "nan"), ("unit_interval", -1.0, "-1"),
    ("unit_interval", np.nan, "nan"), ("intensities", 2.5, "2.5"), ("intensities", 256.0, "256"),
])
def test_values_reports_the_first_bad_value_and_its_index(kind, bad, shown):
    x = np.zeros((2, 3, 2), np.float32)
    x[1, 2, 0], x[1, 2, 1] = bad, bad
    with pytest.raises(ValueError, match=rf"in images. Received: images\[1, 2, 0\]={shown},"):
        validation.values(x, kind, "images")
    validation.values(np.ones((2, 3)), kind, "images")  # 1 passes every check
    validation.values(np.ones((2, 3), np.uint8), kind, "images")  # integer inputs too


def test_number_array_and_built():
    assert validation.number(0.5, "beta", 0.0) == 0.5
    for bad, shown in [(np.nan, "nan"), (np.inf, "inf"), ("1", "'1'"), (True, "True"), (-0.1, "-0.1")]:
        with pytest.raises(ValueError, match=f"beta={shown}"):
            validation.number(bad, "beta", 0.0)
    with pytest.raises(ValueError, match=r"\[0, 1\). Received: rate=1"):
        validation.number(1, "rate", 0, 1, high_open=True)
    with pytest.raises(ValueError, match=r"empty x, shape \(0, 3\)"):
        validation.array(np.zeros((0, 3)))
    for bad in ["abc", None, {"x": 1}, [["a"]]]:
        with pytest.raises(ValueError, match=r"Expected x as a numeric array"):
            validation.array(bad)

    class Unbuilt:
        built = False

    with pytest.raises(ValueError, match=r"Unbuilt.sample needs .*build\(input_shape\), first"):
        validation.built(Unbuilt(), "sample")


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
