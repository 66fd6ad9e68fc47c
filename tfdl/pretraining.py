"""Deprecated: the pre-training models live in ``tfdl.models``.

``LayerwiseStack``, ``greedy_layerwise`` and ``to_classifier`` are in
``tfdl.models.layerwise``; ``AutoencoderLayer`` and ``StackedAutoencoder`` in
``tfdl.models.stacked_autoencoder``; all five are exported by ``tfdl.models``.
Importing this module still works and warns once (``DeprecationWarning``).
"""

import warnings

from tfdl.models.layerwise import LayerwiseStack, greedy_layerwise, to_classifier
from tfdl.models.stacked_autoencoder import ACTIVATIONS, RECONSTRUCTIONS, AutoencoderLayer, StackedAutoencoder

__all__ = [
    "ACTIVATIONS", "RECONSTRUCTIONS", "AutoencoderLayer", "LayerwiseStack", "StackedAutoencoder",
    "greedy_layerwise", "to_classifier",
]

warnings.warn(
    "tfdl.pretraining is deprecated; import AutoencoderLayer, StackedAutoencoder, LayerwiseStack, "
    "greedy_layerwise and to_classifier from tfdl.models",
    DeprecationWarning,
    stacklevel=2,
)
