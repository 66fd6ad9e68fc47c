"""tfdl: deep-learning tutorial articles reproduced end to end in Keras 3.

Importing tfdl selects the TensorFlow backend for Keras before Keras is
imported, so ``import tfdl`` must come before ``import keras`` when the
environment sets another backend.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
if os.environ["KERAS_BACKEND"] != "tensorflow":
    raise ImportError(
        "tfdl needs the TensorFlow backend of Keras; "
        f"KERAS_BACKEND={os.environ['KERAS_BACKEND']!r} is set."
    )
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tfdl import data, evaluate, layers, models, pretraining  # noqa: E402

__version__ = "0.1.0"
__all__ = ["data", "evaluate", "layers", "models", "pretraining"]
