"""Every tfdl layer against Keras' own layer contract (``run_layer_test``).

Keras' check builds each layer, calls it symbolically and eagerly, trains it
one step, round-trips its config and checks that under a ``mixed_float16``
policy its outputs are float16 and its weights float32. The weight counts
below are read off each layer's equations. Two further checks per layer: a
``mixed_float16`` global policy and ``dtype="float64"`` give the float32
layer's outputs from the same weights.
"""

import keras
import numpy as np
import pytest
from absl.testing import parameterized
from keras.src import testing
from keras.src.utils import traceback_utils

from tfdl.layers import DiagonalBiLSTM, ElmanCell, GaussianSampler, MaskedConv2D, MaskedDense, RowLSTM


def elman_rnn(return_sequences=False, dtype=None, **cell_kwargs):
    """``keras.layers.RNN(ElmanCell(...))``, the dtype policy given to both (as ``SimpleRNN`` does)."""
    return keras.layers.RNN(
        ElmanCell(dtype=dtype, **cell_kwargs), return_sequences=return_sequences, dtype=dtype
    )


# name, layer factory, init kwargs, input shape, output shape, trainable weights, call kwargs
CASES = [
    # kernel, bias
    ("masked_dense", MaskedDense, {"units": 3, "mask": [[1, 0, 1], [0, 1, 1]], "activation": "relu"},
     (2, 2), (2, 3), 2, {}),
    # a stack of two masks picked by mask_index; kernel only
    ("masked_dense_stack", MaskedDense,
     {"units": 2, "mask": [[[1, 0], [1, 1]], [[1, 1], [0, 1]]], "use_bias": False},
     (2, 2), (2, 2), 1, {"mask_index": 1}),
    # kernel, bias
    ("masked_conv2d_a", MaskedConv2D, {"filters": 2, "kernel_size": 3, "mask_type": "A"},
     (2, 4, 4, 1), (2, 4, 4, 2), 2, {}),
    # RGB channel groups; kernel only
    ("masked_conv2d_b_rgb", MaskedConv2D,
     {"filters": 3, "kernel_size": (1, 3), "mask_type": "B", "channel_groups": 3,
      "activation": "relu", "use_bias": False},
     (2, 3, 3, 3), (2, 3, 3, 3), 1, {}),
    # input_kernel, state_kernel, bias
    ("row_lstm", RowLSTM, {"units": 2, "kernel_size": 3}, (2, 3, 3, 2), (2, 3, 3, 2), 3, {}),
    # input_kernel, state_kernel, bias of each of the two directions
    ("diagonal_bilstm", DiagonalBiLSTM, {"units": 2}, (2, 3, 4, 1), (2, 3, 4, 2), 6, {}),
    # kernel, recurrent_kernel, bias
    ("elman_cell", elman_rnn, {"units": 3}, (2, 4, 2), (2, 3), 3, {}),
    # kernel, recurrent_kernel, bias, output_kernel, output_bias
    ("elman_cell_output", elman_rnn,
     {"units": 3, "output_units": 2, "output_activation": "sigmoid", "return_sequences": True},
     (2, 4, 2), (2, 4, 2), 5, {}),
    # kernel, recurrent_kernel, output_kernel
    ("elman_cell_no_bias", elman_rnn, {"units": 3, "output_units": 2, "use_bias": False},
     (2, 4, 2), (2, 2), 3, {}),
    # no weights, one seed generator; [mean, log_var] as a tuple (Keras' training check feeds a
    # generator, whose output signature takes tuples, not lists)
    ("gaussian_sampler", GaussianSampler, {"seed": 1}, ((2, 3), (2, 3)), (2, 3), 0, {}),
]


def case_inputs(input_shape, dtype):
    """Deterministic inputs of ``input_shape`` (a shape or a tuple of shapes)."""
    rng = np.random.default_rng(0)
    if isinstance(input_shape[0], tuple):
        return tuple(rng.normal(size=shape).astype(dtype) for shape in input_shape)
    return rng.normal(size=input_shape).astype(dtype)


class LayerContractTest(testing.TestCase):
    @pytest.fixture(autouse=True)
    def _dtype_policy(self, dtype_policy):
        """The tests' precision set-up (tests/conftest.py): a policy set here is undone after the test."""
        self.dtype_policy = dtype_policy

    def setUp(self):
        # Keras' TestCase turns traceback filtering off for the whole process: restore it after.
        if traceback_utils.is_traceback_filtering_enabled():
            self.addCleanup(traceback_utils.enable_traceback_filtering)
        super().setUp()

    @parameterized.named_parameters(*CASES)
    def test_keras_layer_contract(self, make, init_kwargs, input_shape, output_shape, trainable, call_kwargs):
        self.run_layer_test(
            make,
            init_kwargs=init_kwargs,
            input_shape=input_shape,
            call_kwargs=call_kwargs,
            expected_output_shape=output_shape,
            expected_num_trainable_weights=trainable,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=int(make is GaussianSampler),
            expected_num_losses=0,
            run_mixed_precision_check=True,
        )

    @parameterized.named_parameters(*CASES)
    def test_global_mixed_float16_policy_matches_float32(
        self, make, init_kwargs, input_shape, output_shape, trainable, call_kwargs
    ):
        x = case_inputs(input_shape, "float32")
        reference = make(**init_kwargs)
        expected = reference(x, **call_kwargs)
        self.dtype_policy("mixed_float16")
        layer = make(**init_kwargs)
        outputs = layer(x, **call_kwargs)
        self.assertDType(outputs, "float16")
        self.assertTrue(all(weight.dtype == "float32" for weight in layer.weights))
        if make is not GaussianSampler:  # a float16 draw is not the float32 draw
            layer.set_weights(reference.get_weights())
            self.assertAllClose(layer(x, **call_kwargs), expected, atol=1e-2, rtol=1e-2)

    @parameterized.named_parameters(*CASES)
    def test_float64_layer_matches_float32(
        self, make, init_kwargs, input_shape, output_shape, trainable, call_kwargs
    ):
        x = case_inputs(input_shape, "float64")
        reference = make(**init_kwargs)
        expected = reference(x, **call_kwargs)
        layer = make(**init_kwargs, dtype="float64")
        outputs = layer(x, **call_kwargs)
        self.assertDType(outputs, "float64")
        self.assertTrue(all(weight.dtype == "float64" for weight in layer.weights))
        if make is not GaussianSampler:
            layer.set_weights(reference.get_weights())
            self.assertAllClose(layer(x, **call_kwargs), expected, atol=1e-5, rtol=1e-5)
