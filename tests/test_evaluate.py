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


def test_nll_progress_bar_counts_examples_and_leaves_the_result_unchanged(capsys):
    x = np.array([[1, 0], [0, 0], [1, 1], [0, 1], [1, 0]], dtype=np.float32)
    quiet = evaluate.nll(Independent([0.5, 0.25]), x, batch_size=2)
    capsys.readouterr()
    shown = evaluate.nll(Independent([0.5, 0.25]), x, batch_size=2, verbose=1)
    assert "5/5" in capsys.readouterr().out
    assert shown == quiet
    with pytest.raises(ValueError, match="Received: verbose=3"):
        evaluate.nll(Independent([0.5]), np.zeros((2, 1)), verbose=3)


def test_frechet_distance_matches_scipy_and_the_one_dimensional_closed_form():
    rng = np.random.default_rng(0)
    # Full covariances against scipy's matrix square root.
    from scipy.linalg import sqrtm

    a = rng.normal(size=(200, 4)) @ rng.normal(size=(4, 4))
    b = rng.normal(size=(250, 4)) @ rng.normal(size=(4, 4)) + 1.0
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    expected = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(ca + cb - 2 * sqrtm(ca @ cb).real)
    assert evaluate.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
    # One dimension: (mean gap)^2 + (std gap)^2 exactly; a set against itself: 0.
    x, y = rng.normal(size=(50, 1)), 2.0 + 3.0 * rng.normal(size=(60, 1))
    one_d = (x.mean() - y.mean()) ** 2 + (x.std(ddof=1) - y.std(ddof=1)) ** 2
    assert evaluate.frechet_distance(x, y) == pytest.approx(one_d, rel=1e-9)
    assert evaluate.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)


def test_frechet_distance_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"Received: a.shape=\(1, 3\)"):
        evaluate.frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="same number of features"):
        evaluate.frechet_distance(np.zeros((4, 3)), np.zeros((5, 2)))


def test_independent_pixels_nll_by_hand():
    from tfdl.evaluate import independent_pixels_nll

    train = np.array([[1, 0, 1], [1, 0, 0], [1, 1, 0]], dtype="float32")
    test = np.array([[1, 0, 0], [0, 1, 1]], dtype="float32")
    p = (train.sum(0) + 1.0) / (3 + 2.0)  # Laplace: (4/5, 2/5, 2/5)
    by_hand = -np.mean([np.sum(np.where(row == 1, np.log(p), np.log(1 - p))) for row in test])
    result = independent_pixels_nll(train, test)
    assert np.isclose(result["nats"], by_hand) and result["num_examples"] == 2
    assert np.isclose(result["bits_per_dim"], by_hand / (3 * np.log(2)))
    with pytest.raises(ValueError, match="binary"):
        independent_pixels_nll(train * 0.5, test)
    with pytest.raises(ValueError, match="same dimensions"):
        independent_pixels_nll(train, test[:, :2])
