"""Training throughput of the article's deep RNN: deep_rnn vs the snippet, ElmanCell vs SimpleRNN.

Inputs are random (seeded) 100 x 50 sequences with random labels: the
snippet's shapes, not a data set, since only the speed of a training step is
measured. Batch 64, Adam, sparse categorical cross-entropy, ``train_on_batch``;
the four models are timed in alternation, each keeping its best round.
"""

import keras
import numpy as np

from tfdl.bench import Result
from tfdl.timing import throughput
from tfdl.models import deep_rnn
from tfdl.reproductions import snippets

NEEDS_FASHION_MNIST = False
BATCH = 64


def _snippet_model():
    return snippets.run("deep_rnn_snippet").model


def _interleaved_throughputs(models, x, y, rounds=3, min_seconds=1.5):
    """Best examples/s of each model over ``rounds`` alternating measurements.

    Alternating the models and keeping each one's best round makes the
    comparison fair on a machine whose load changes during the run.
    """
    steps = {}
    for name, model in models.items():
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        steps[name] = lambda model=model: model.train_on_batch(x, y)
    best = dict.fromkeys(models, 0.0)
    for _ in range(rounds):
        for name, step in steps.items():
            best[name] = max(best[name], throughput(step, BATCH, min_seconds=min_seconds))
    return best


def _flops_per_example(units=(128, 64), timesteps=100, features=50, classes=10):
    """Forward + backward (3x forward) matmul FLOPs of the stacked SimpleRNN."""
    forward, inputs = 0, features
    for size in units:
        forward += 2 * timesteps * size * (inputs + size)
        inputs = size
    forward += 2 * inputs * classes
    return 3 * forward


def run(quick=False):
    """Quick: one round of 0.5 s per model instead of three of 1.5 s."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, 100, 50)).astype("float32")
    y = rng.integers(0, 10, size=BATCH)
    keras.utils.set_random_seed(0)
    speeds = _interleaved_throughputs(
        {
            "deep_rnn": deep_rnn((100, 50)),
            "snippet": _snippet_model(),
            "elman": deep_rnn((100, 50), cell="elman"),
            "simple": deep_rnn((100, 50), cell="simple"),
        },
        x,
        y,
        rounds=1 if quick else 3,
        min_seconds=0.5 if quick else 1.5,
    )
    task = "SimpleRNN 128-64 + Dense 10 train step, batch 64, 100x50"
    flops = _flops_per_example()
    common = dict(article="rnn", unit="examples/s", flops_per_example=flops,
                  data="synthetic 100x50")
    return [
        Result(key="rnn/deep_rnn_vs_article_sequential", task=task, ours="tfdl deep_rnn", peer="article Sequential",
               ours_value=speeds["deep_rnn"], peer_value=speeds["snippet"], **common),
        Result(key="rnn/elman_cell_vs_simple_rnn", task=task.replace("SimpleRNN", "recurrent"), ours="RNN(ElmanCell)",
               peer="keras SimpleRNN", ours_value=speeds["elman"],
               peer_value=speeds["simple"], **common),
    ]
