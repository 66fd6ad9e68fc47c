"""Shared test set-up: two logical CPU devices (for MirroredStrategy tests),
a `.keras` round-trip fixture for the density-model protocol and the one
precision set-up (`dtype_policy`)."""

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
def dtype_policy(request):
    """Keras's global dtype policy for one test, the previous one restored after it.

    Parametrized indirectly with a policy name (``"float32"``, ``"float64"``,
    ``"mixed_float16"``), the test starts under that policy::

        @pytest.mark.parametrize("dtype_policy", ["mixed_float16"], indirect=True)
        def test_fit(dtype_policy): ...

    Either way it yields the setter, ``dtype_policy(name)``, for a test that
    changes policy midway; whatever it set, the policy in force before the
    test comes back after it, failed or not.
    """
    previous = keras.mixed_precision.global_policy()
    if hasattr(request, "param"):
        keras.mixed_precision.set_global_policy(request.param)
    yield keras.mixed_precision.set_global_policy
    keras.mixed_precision.set_global_policy(previous)


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
    """The name of a 28x28 data set that is on this machine: Fashion-MNIST (Debian's package or the Keras cache).

    `.ci/run` installs it (`apt-get install -y dataset-fashion-mnist`); elsewhere
    the tests that need 28x28 images are skipped with that command as the reason.
    """
    from tfdl import data

    if not data.available("fashion_mnist"):
        pytest.skip("28x28 data: apt-get install -y dataset-fashion-mnist")
    return "fashion_mnist"


@pytest.fixture
def moses_cache(tmp_path, monkeypatch):
    """An empty Keras cache folder (``KERAS_HOME`` points at it); the MOSES caches cleared around the test."""
    from tfdl import chem, data

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    data._moses_smiles.cache_clear()
    chem._alerts.cache_clear()
    yield tmp_path / "datasets"
    data._moses_smiles.cache_clear()
    chem._alerts.cache_clear()
