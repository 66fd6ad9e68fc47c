"""The article's "PixelRNN-like model" snippet, as written, in Keras 3.

One change: the article gives no input shape, so ``build`` puts a
``keras.Input(input_shape)`` first (default: 32x32 RGB, matching its 3-channel
sigmoid output). Layers, sizes, padding, activations, optimizer and loss are
the article's. Every output pixel sees a 7x7 neighbourhood of the input, later
pixels included, so the model is not autoregressive: it can neither give
p(x) nor generate pixels one by one (see ``tests/test_pixelcnn.py``).
"""

import tfdl  # noqa: F401  (selects the TensorFlow backend first)

from tensorflow.keras import Input, layers, models


def build(input_shape=(32, 32, 3)):
    """The snippet's model, compiled with adam / mse as in the article."""
    model = models.Sequential([
        Input(input_shape),  # not in the article
        layers.Conv2D(64, (3,3), padding='same', activation='relu'),
        layers.Conv2D(128, (3,3), padding='same', activation='relu'),
        layers.Conv2D(256, (3,3), padding='same', activation='relu'),
        layers.Conv2D(3, (1,1), activation='sigmoid')  # RGB Output
    ])
    model.compile(optimizer='adam', loss='mse')
    return model
