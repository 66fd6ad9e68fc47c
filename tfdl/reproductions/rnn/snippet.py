"""Section 1: the article's snippet run verbatim, and its two equations computed by hand."""

import contextlib
import io
import warnings

import keras
import numpy as np

from tfdl import claims
from tfdl.layers import ElmanCell
from tfdl.models import deep_rnn
from tfdl.report import Section
from tfdl.reproductions import snippets
from tfdl.reproductions.rnn.tasks import snippet_task
from tfdl.reproductions.rnn.training import Recipe, accuracy, count, epochs, train

EXACT = 1e-5  # float32 round-off of a few matmuls: "the same computation"


def article_equations(seed):
    """The article's h_t and y_t computed by hand against ``RNN(ElmanCell(units, output_units))``.

    Returns the largest difference of ``ElmanCell`` from the hand computation
    and of ``SimpleRNN`` + ``Dense`` (same weights) from ``ElmanCell``.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, 7, 5)).astype("float32")
    keras.utils.set_random_seed(seed)
    elman = keras.layers.RNN(ElmanCell(6, output_units=4, output_activation="softmax"),
                             return_sequences=True)
    y = keras.ops.convert_to_numpy(elman(x))
    w_xh, w_hh, b_h, w_hy, b_y = elman.get_weights()
    h, by_hand = np.zeros((3, 6)), []
    for t in range(x.shape[1]):
        h = np.tanh(h @ w_hh + x[:, t] @ w_xh + b_h)  # h_t = f(W_hh h_{t-1} + W_xh x_t + b_h)
        logits = h @ w_hy + b_y  # y_t = f(W_hy h_t + b_y), f = softmax here
        by_hand.append(np.exp(logits) / np.exp(logits).sum(-1, keepdims=True))
    hand_difference = float(np.max(np.abs(y - np.stack(by_hand, axis=1))))
    keras_layers = keras.Sequential([keras.Input((7, 5)), keras.layers.SimpleRNN(6, return_sequences=True),
                                     keras.layers.Dense(4, activation="softmax")])
    keras_layers.set_weights(elman.get_weights())
    keras_difference = float(np.max(np.abs(keras.ops.convert_to_numpy(keras_layers(x)) - y)))
    return hand_difference, keras_difference


def summary(model):
    """``model.summary()`` as text."""
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream):
        model.summary(line_length=80)
    return stream.getvalue().strip()


def snippet_model():
    """The snippet's model, built afresh by running the article's code, and its UserWarnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = snippets.run("deep_rnn_snippet").model
    return model, sorted({str(w.message) for w in caught if issubclass(w.category, UserWarning)})


class Snippet(Section):
    """The snippet verbatim, ``deep_rnn((100, 50))`` with its weights, the equations by hand,
    masking, and the snippet trained on a 100 x 50 task."""

    name = "snippet"
    title = "The snippet, verbatim, and the two equations"

    def settings(self, run):
        return {"sequences": count(run, 64, 2000, 20_000), "epochs": epochs(run, 5, 20)}

    def measure(self, run, s):
        snippet, snippet_warnings = snippet_model()
        ours = deep_rnn((100, 50))
        ours.set_weights(snippet.get_weights())
        x, _ = snippet_task(8, run.seed)
        difference = float(np.max(np.abs(ours(x) - snippet(x))))
        hand_difference, keras_difference = article_equations(run.seed)

        padded = np.concatenate([x[:1, :20], np.zeros((1, 10, 50), "float32")], axis=1)
        masked = deep_rnn((None, 50), units=(16, 8), mask_value=0.0)
        mask_difference = float(np.max(np.abs(masked(padded) - masked(x[:1, :20]))))

        n = s["sequences"]
        x, y = snippet_task(n + n // 4, run.seed + 100)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the input_shape warning, reported above
            trained = train(run, lambda: snippets.run("deep_rnn_snippet").model, (x[:n], y[:n]),
                            Recipe("sparse_categorical_crossentropy", s["epochs"], learning_rate=1e-3), run.seed).model
        return {
            "snippet_params": snippet.count_params(),
            "deep_rnn_params": ours.count_params(),
            "max_abs_output_difference": difference,
            "equations_elman_vs_by_hand": hand_difference,
            "equations_simple_rnn_dense_vs_elman": keras_difference,
            "masked_padding_max_abs_difference": mask_difference,
            "snippet_warnings": snippet_warnings,
            "snippet_task_accuracy": accuracy(trained, x[n:], y[n:]),
            "_summaries": (summary(snippet), summary(ours)),
        }

    def judge(self, run, s, m):
        return [
            claims.check(
                "equations", "ElmanCell computes the article's h_t and y_t",
                "ElmanCell(6, output_units=4) against the equations by hand; SimpleRNN + Dense against it",
                claims.bound(max(m["equations_elman_vs_by_hand"], m["equations_simple_rnn_dense_vs_elman"]),
                             EXACT, "largest absolute difference")),
            claims.check(
                "snippet_copy", "deep_rnn((100, 50)) is the article's stacked snippet",
                "the article's snippet (verbatim) against deep_rnn((100, 50)) with its weights",
                claims.bound(m["max_abs_output_difference"], EXACT, "largest absolute output difference")),
            claims.check(
                "masking", "a masked, zero-padded sequence gives the unpadded output (variable-length inputs)",
                "a sequence padded with zero steps and masked, against the unpadded one",
                claims.bound(m["masked_padding_max_abs_difference"], EXACT, "largest absolute output difference")),
        ]

    def write(self, run, s, m, figures):
        warnings_found = m["snippet_warnings"]
        warning_text = (
            "this warning (`input_shape=` still works on Keras 3, which recommends `keras.Input`):\n\n"
            + "".join(f"> UserWarning: {w}\n\n" for w in warnings_found)
            if warnings_found else "no warning.\n\n"
        )
        code = snippets.source("deep_rnn_snippet")
        n = s["sequences"]
        return (
            "The article's code, unchanged (`tfdl/reproductions/snippets/deep_rnn_snippet.py`):\n\n"
            f"```python\n{code}\n```\n\n"
            f"On Keras {keras.__version__} it runs as written; building it gives {warning_text}"
            "```\n" + m["_summaries"][0] + "\n```\n\n"
            "`tfdl.models.deep_rnn((100, 50))`:\n\n```\n" + m["_summaries"][1] + "\n```\n\n"
            f"Parameters: {m['snippet_params']:,} vs {m['deep_rnn_params']:,}; with the snippet's "
            f"weights copied, the outputs on 8 inputs differ by at most {m['max_abs_output_difference']:.2g}. "
            "The first layer returns its whole hidden sequence `(None, 100, 128)`, which the second reads: "
            "each layer's hidden state goes to the next.\n\n"
            "The article's equations, h_t = f(W_hh h_{t-1} + W_xh x_t + b_h) and "
            "y_t = f(W_hy h_t + b_y), are `keras.layers.RNN(ElmanCell(units, output_units))`: "
            "computed by hand in NumPy with the cell's weights (6 units, 4 softmax outputs, 7 steps), "
            f"they match its output to {m['equations_elman_vs_by_hand']:.2g}; `SimpleRNN` followed by `Dense` "
            f"with the same weights matches it to {m['equations_simple_rnn_dense_vs_elman']:.2g}. The output "
            "equation is used to predict a time series in section 4.\n\n"
            f"Variable-length input: a 20-step sequence padded with 10 zero steps and masked gives the "
            f"unpadded output to {m['masked_padding_max_abs_difference']:.2g}.\n\n"
            f"Trained as written (Adam 1e-3, batch 64, {s['epochs']} epochs) on {n:,} sequences of "
            "the snippet task (100 x 50 Gaussian inputs, label = which of the first ten features has the "
            f"largest time average; chance 0.1), the snippet reaches {m['snippet_task_accuracy']:.3f} test "
            f"accuracy on {n // 4:,} sequences (one seed: a demonstration, not a claim). The label depends "
            "equally on all 100 steps, the long-range case that section 5 measures. These three "
            "properties hold by construction: they are implementation checks, not evidence for the article."
        )
