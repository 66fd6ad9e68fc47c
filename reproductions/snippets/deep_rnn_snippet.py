"""The article's deep RNN snippet, as written, in Keras 3.

One change: Keras 3 no longer accepts ``input_shape=(100, 50)`` on a layer,
so the shape is given by ``keras.Input((100, 50))`` as the first entry of the
``Sequential``; layers, sizes and activations are the article's.
``tfdl.models.deep_rnn((100, 50))`` builds the same network.
"""

import tfdl  # noqa: F401  (selects the TensorFlow backend first)

import keras
from keras.layers import Dense, SimpleRNN
from keras.models import Sequential


def build():
    """The snippet's model: SimpleRNN(128) -> SimpleRNN(64) -> Dense(10, softmax)."""
    model = Sequential([
        keras.Input((100, 50)),  # article: SimpleRNN(128, input_shape=(100, 50), ...)
        SimpleRNN(128, return_sequences=True),
        SimpleRNN(64),
        Dense(10, activation='softmax')
    ])
    return model
