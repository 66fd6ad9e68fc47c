"""tfdl: deep-learning tutorial articles reproduced end to end in Keras 3.

Importing tfdl selects the TensorFlow backend for Keras before Keras is
imported, so ``import tfdl`` must come before ``import keras`` when the
environment sets another backend.

``import tfdl`` registers every tfdl layer and model with Keras (it imports
``tfdl.models``, which imports ``tfdl.layers``), so
it must come before ``keras.saving.load_model`` of a tfdl model: Keras only
imports its own modules when it reads a ``.keras`` file. The command line
(``python -m tfdl``, the ``tfdl`` script) skips that import so that ``--help``
answers in a fraction of a second without TensorFlow; other submodules
(``tfdl.data``, ``tfdl.evaluate``...) are imported on first use (PEP 562).
"""

import importlib
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
if os.environ["KERAS_BACKEND"] != "tensorflow":
    raise ImportError(
        "tfdl needs the TensorFlow backend of Keras; "
        f"KERAS_BACKEND={os.environ['KERAS_BACKEND']!r} is set."
    )
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
__all__ = ["data", "evaluate", "layers", "models"]
_SUBMODULES = (*__all__, "pretraining")  # tfdl.pretraining: deprecated, kept importable


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"tfdl.{name}")
    raise AttributeError(f"module 'tfdl' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def _starting_the_command_line():
    """True while ``python -m tfdl`` or the ``tfdl`` script imports this package.

    ``python -m`` sets ``sys.argv[0]`` to ``"-m"`` while it locates the module
    (documented in the ``-m`` option of the Python command line).
    """
    return sys.argv[:1] == ["-m"] or os.path.basename(sys.argv[0] if sys.argv else "") == "tfdl"


if not _starting_the_command_line():
    importlib.import_module("tfdl.models")
