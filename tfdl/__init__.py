"""tfdl: deep-learning tutorial articles reproduced end to end in Keras 3.

Importing tfdl selects the TensorFlow backend for Keras before Keras is
imported, so ``import tfdl`` must come before ``import keras`` when the
environment sets another backend.

``import tfdl`` registers every tfdl layer and model with Keras, so that
``keras.saving.load_model`` reads a tfdl model in a fresh process (Keras only
imports its own modules when it reads a ``.keras`` file). It does so the same
way whoever imports it: ``tfdl.models`` (which imports ``tfdl.layers``) is
imported as soon as Keras is, at once if Keras is already imported, else
right after ``import keras`` runs. A process that never imports Keras (the
command line's ``--help``, ``--version`` and usage errors) never imports
TensorFlow, and answers in a fraction of a second. Submodules (``tfdl.data``,
``tfdl.evaluate``...) are imported on first use (PEP 562).
"""

import importlib
import importlib.abc
import importlib.util
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
__all__ = ["chem", "data", "evaluate", "layers", "models", "smiles"]
_SUBMODULES = (*__all__, "pretraining")  # tfdl.pretraining: deprecated, kept importable


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"tfdl.{name}")
    raise AttributeError(f"module 'tfdl' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _RegisterWithKeras(importlib.abc.MetaPathFinder):
    """Imports ``tfdl.models`` right after the ``keras`` package is executed.

    Consulted once, for ``keras``: it takes itself off ``sys.meta_path``, finds
    Keras's own spec with the other finders and returns it with the loader's
    ``exec_module`` followed by the import.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "keras":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            execute = spec.loader.exec_module

            def execute_then_register(module):
                execute(module)
                importlib.import_module("tfdl.models")

            spec.loader.exec_module = execute_then_register
        return spec


if "keras" in sys.modules:
    importlib.import_module("tfdl.models")
elif not any(isinstance(finder, _RegisterWithKeras) for finder in sys.meta_path):
    sys.meta_path.insert(0, _RegisterWithKeras())
