"""Shared test set-up: two logical CPU devices (for MirroredStrategy tests)
and a `.keras` round-trip fixture for the density-model protocol."""

import tfdl  # noqa: F401  (selects the TensorFlow backend first)

import keras
import pytest
import tensorflow as tf

_cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    _cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)


@pytest.fixture
def mirrored():
    """The process's one MirroredStrategy over the two logical CPUs."""
    from tfdl.runner import mirrored_strategy

    return mirrored_strategy()


@pytest.fixture
def roundtrip(tmp_path):
    """Saves a model to `.keras` and loads it back (custom objects registered)."""

    def save_and_load(model, name="model"):
        path = tmp_path / f"{name}.keras"
        model.save(path)
        return keras.saving.load_model(path)

    return save_and_load


@pytest.fixture
def fashion_mnist():
    """The name of a 28x28 data set that is on this machine: Debian's Fashion-MNIST.

    `.ci/run` installs it (`apt-get install -y dataset-fashion-mnist`); elsewhere
    the tests that need 28x28 images are skipped with that command as the reason.
    """
    from tfdl import data

    if not data.debian_fashion_mnist_installed():
        pytest.skip("28x28 data: apt-get install -y dataset-fashion-mnist")
    return "fashion_mnist"
