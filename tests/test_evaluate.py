import math

import numpy as np
import pytest

from tfdl import evaluate


class Independent:
    """Independent Bernoulli(p) pixels: log p(x) by hand."""

    def __init__(self, p):
        self.p = np.asarray(p, dtype=np.float64)
        self.calls = []

    def log_prob(self, x):
        self.calls.append(len(x))
        return (x * np.log(self.p) + (1 - x) * np.log1p(-self.p)).sum(axis=1)


def test_nll_matches_hand_computation_across_batches():
    x = np.array([[1, 0, 1, 1], [0, 0, 0, 1], [1, 1, 1, 1]], dtype=np.float32)
    model = Independent([0.5, 0.25, 0.75, 0.9])
    result = evaluate.nll(model, x, batch_size=2)
    by_hand = -np.mean(
        [
            math.log(0.5) + math.log(0.75) + math.log(0.75) + math.log(0.9),
            math.log(0.5) + math.log(0.75) + math.log(0.25) + math.log(0.9),
            math.log(0.5) + math.log(0.25) + math.log(0.75) + math.log(0.9),
        ]
    )
    assert model.calls == [2, 1]
    assert result["nats"] == pytest.approx(by_hand, rel=1e-12)
    assert result["bits_per_dim"] == pytest.approx(by_hand / 4 / math.log(2), rel=1e-12)
    assert result["num_examples"] == 3


def test_nll_passes_keyword_arguments_on():
    class Model:
        def log_prob(self, x, num_samples):
            return np.full(len(x), -float(num_samples))

    assert evaluate.nll(Model(), np.zeros((5, 2)), num_samples=7)["nats"] == 7.0


def test_nll_slices_the_context_with_x():
    from tfdl.models import MADE

    rng = np.random.default_rng(0)
    x = (rng.random((7, 5)) < 0.5).astype(np.float32)
    context = rng.normal(size=(7, 2)).astype(np.float32)
    made = MADE(5, (8,), conditional_dim=2, seed=0)
    whole = -made.log_prob(x, context=context).numpy().mean()
    assert evaluate.nll(made, x, batch_size=3, context=context)["nats"] == pytest.approx(whole, rel=1e-6)
    with pytest.raises(ValueError, match="context.shape"):
        evaluate.nll(made, x, context=context[:3])


def test_nll_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        evaluate.nll(Independent([0.5]), np.zeros((2, 1)), batch_size=0)
    with pytest.raises(ValueError, match="at least one example"):
        evaluate.nll(Independent([0.5]), np.zeros((0, 1)))
