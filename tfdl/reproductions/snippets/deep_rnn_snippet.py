"""The article's deep RNN snippet, verbatim.

Running this file builds ``model``: SimpleRNN(128) -> SimpleRNN(64) ->
Dense(10, softmax) on ``(100, 50)`` inputs. It runs unchanged on Keras 3,
where ``tensorflow.keras`` is Keras 3 and ``input_shape=`` on a layer still
works but raises a ``UserWarning`` advising ``keras.Input(shape)`` as the
first entry of the ``Sequential``. ``tfdl.models.deep_rnn((100, 50))`` builds
the same network; ``tfdl.reproductions.snippets.run("deep_rnn_snippet").model`` is a fresh copy.
"""

from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import SimpleRNN, Dense
model = Sequential([
SimpleRNN(128, input_shape=(100, 50), return_sequences=True),
SimpleRNN(64),
Dense(10, activation='softmax')
])
