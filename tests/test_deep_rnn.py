"""deep_rnn and the four architecture builders."""

import keras
import numpy as np
import pytest

from tfdl.models import deep_rnn, encoder_decoder, one_to_many, one_to_one
from tfdl.reproductions import snippets


def _snippet_model():
    return snippets.run("deep_rnn_snippet").model


def test_reproduces_the_article_snippet():
    ours, snippet = deep_rnn((100, 50)), _snippet_model()
    # 128*(50+128+1) + 64*(128+64+1) + 10*(64+1), counted by hand
    assert ours.count_params() == snippet.count_params() == 22_912 + 12_352 + 650 == 35_914
    assert [type(l) for l in ours.layers] == [type(l) for l in snippet.layers]
    assert [l.output.shape for l in ours.layers] == [l.output.shape for l in snippet.layers]
    assert [l.count_params() for l in ours.layers] == [22_912, 12_352, 650]
    ours.set_weights(snippet.get_weights())
    x = np.random.default_rng(0).normal(size=(2, 100, 50)).astype("float32")
    np.testing.assert_allclose(ours(x), snippet(x), atol=1e-6)


@pytest.mark.parametrize("cell", ["simple", "lstm", "gru", "elman"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_return_sequences_plumbing(cell, return_sequences):
    for depth in range(1, 5):
        units = tuple(range(3, 3 + depth))
        model = deep_rnn((7, 2), units=units, cell=cell, output_units=4,
                         return_sequences=return_sequences)
        recurrent = [l for l in model.layers if isinstance(l, keras.layers.RNN)]
        assert len(recurrent) == depth
        assert [l.return_sequences for l in recurrent] == [True] * (depth - 1) + [return_sequences]
        assert [l.output.shape[-1] for l in recurrent] == list(units)
        assert model.output_shape == ((None, 7, 4) if return_sequences else (None, 4))


def test_bidirectional_dropout_and_no_head():
    model = deep_rnn((5, 3), units=(4, 2), cell="gru", output_units=None,
                     bidirectional=True, dropout=0.5)
    assert model.output_shape == (None, 4)  # 2 directions x 2 units
    assert sum(isinstance(l, keras.layers.Dropout) for l in model.layers) == 2


@pytest.mark.parametrize("cell", ["simple", "elman", "lstm"])
def test_masking_changes_nothing_for_unpadded_steps(cell):
    model = deep_rnn((None, 3), units=(4, 5), cell=cell, output_units=2,
                     return_sequences=True, mask_value=0.0)
    x = np.random.default_rng(0).normal(size=(1, 4, 3)).astype("float32")
    padded = np.concatenate([x, np.zeros((1, 3, 3), "float32")], axis=1)
    np.testing.assert_allclose(model(padded)[:, :4], model(x), atol=1e-6)
    many_to_one = deep_rnn((None, 3), units=(4,), cell=cell, mask_value=0.0)
    np.testing.assert_allclose(many_to_one(padded), many_to_one(x), atol=1e-6)


def test_keras_round_trip_with_elman_cell(roundtrip):
    model = deep_rnn((6, 3), units=(4, 3), cell="elman", output_units=2)
    x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    reloaded = roundtrip(model)
    np.testing.assert_allclose(reloaded(x), model(x), atol=1e-6)
    assert type(reloaded.layers[0].cell).__name__ == "ElmanCell"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"input_shape": (100,)}, "input_shape"),
        ({"input_shape": (4, 100, 50)}, "input_shape"),
        ({"input_shape": (100, 50), "units": ()}, "units"),
        ({"input_shape": (100, 50), "cell": "transformer"}, "cell"),
        ({"input_shape": (100, 50), "units": (8, 0)}, "units"),
        ({"input_shape": (100, 50), "dropout": 1.0}, "dropout"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        deep_rnn(**kwargs)


def test_architecture_builders_shapes_and_training_step():
    assert one_to_one(64, units=(8,)).output_shape == (None, 10)
    generator = one_to_many(10, timesteps=8, units=(6,))
    assert generator.output_shape == (None, 8, 8)
    seq2seq = encoder_decoder((5, 4), output_timesteps=3, units=6, output_units=4)
    assert seq2seq.output_shape == (None, 3, 4)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 5, 4)).astype("float32")
    y = rng.integers(0, 4, size=(16, 3))
    seq2seq.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    before = seq2seq.evaluate(x, y, verbose=0)
    for _ in range(5):
        seq2seq.train_on_batch(x, y)
    assert seq2seq.evaluate(x, y, verbose=0) < before
    with pytest.raises(ValueError, match="timesteps"):
        one_to_many(10, timesteps=0)
