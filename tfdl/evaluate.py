"""Evaluation shared by the reproductions: negative log-likelihood, Fréchet distance."""

import math

import numpy as np

from tfdl import validation


def nll(model, x, batch_size=256, context=None, verbose=0, **log_prob_kwargs):
    """Mean negative log-likelihood of ``x`` under ``model``.

    Calls ``model.log_prob`` batch by batch (extra keyword arguments, such as
    ``num_samples`` for a VAE, are passed on) and averages.

    Args:
        model: an object with ``log_prob(x) -> [batch]`` in nats.
        x: array ``[n, ...]``.
        batch_size: examples per ``log_prob`` call.
        context: for a conditional model (``MADE(conditional_dim=...)``), the
            context of each example, ``[n, ...]``, sliced with ``x``.
        verbose: 1 shows a ``keras.utils.Progbar`` over the examples (for a
            long evaluation: a VAE with thousands of importance samples), 2
            one line at the end, 0 nothing.

    Returns:
        dict with ``nats`` (mean nats per example), ``bits_per_dim`` (nats
        divided by the number of dimensions per example and by ln 2),
        ``stderr_nats`` (standard error of the mean) and ``num_examples``.

    Example:

    >>> nll(model, x_test)["nats"]  # doctest: +SKIP
    """
    batch_size = validation.positive_int(batch_size, "batch_size")
    x = np.asarray(x)
    if len(x) == 0:
        raise ValueError(f"Expected at least one example. Received: x.shape={x.shape}")
    if context is not None:
        context = np.asarray(context)
        if len(context) != len(x):
            raise ValueError(
                f"Expected one context row per example ({len(x)}). Received: context.shape={context.shape}"
            )
    verbose = validation.one_of(verbose, (0, 1, 2), "verbose")
    progress = None
    if verbose:
        import keras

        progress = keras.utils.Progbar(len(x), verbose=verbose, unit_name="example")
    batches = []
    for i in range(0, len(x), batch_size):
        if context is not None:
            log_prob_kwargs["context"] = context[i : i + batch_size]
        batches.append(np.asarray(model.log_prob(x[i : i + batch_size], **log_prob_kwargs)))
        if progress is not None:
            progress.update(min(i + batch_size, len(x)))
    log_probs = np.concatenate(batches).astype(np.float64)
    nats = float(-log_probs.mean())
    dims = int(np.prod(x.shape[1:]))
    return {
        "nats": nats,
        "bits_per_dim": nats / (dims * math.log(2)),
        "stderr_nats": float(log_probs.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else 0.0,
        "num_examples": int(len(x)),
    }


def frechet_distance(a, b):
    """Fréchet distance between Gaussians fitted to two sets of feature vectors.

    ``||mean_a - mean_b||^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))``, the
    distance behind FID (Heusel et al., "GANs Trained by a Two Time-Scale
    Update Rule Converge to a Local Nash Equilibrium", 2017), in any feature
    space: FID uses Inception-v3 pool features, a reproduction on small
    images a classifier's hidden layer. ``tr((C_a C_b)^(1/2))`` is computed
    as the sum of the square roots of the eigenvalues of the symmetric
    ``C_a^(1/2) C_b C_a^(1/2)``, which stays real and finite for singular
    covariances (dead features).

    Args:
        a: features ``[n_a, d]``, ``n_a >= 2``.
        b: features ``[n_b, d]``, ``n_b >= 2``.

    Returns:
        The distance, a float >= 0 (0 for two sets with equal means and
        covariances).

    Example:

    >>> frechet_distance(features(generated), features(real))  # doctest: +SKIP
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    for name, value in (("a", a), ("b", b)):
        if value.ndim != 2 or len(value) < 2:
            raise ValueError(
                f"Expected {name} of shape [n >= 2, features]. Received: {name}.shape={value.shape}"
            )
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"Expected a and b with the same number of features. Received: a.shape={a.shape}, b.shape={b.shape}"
        )
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T  # eigenvalues < 0 are rounding
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0.0, None)).sum()
    distance = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * cross
    return float(max(distance, 0.0))


def independent_pixels_nll(x_train, x_test, pseudocount=1.0):
    """Test NLL of the factorised Bernoulli model: the baseline every density model must beat.

    Each dimension is an independent Bernoulli whose probability is its
    training mean with ``pseudocount`` added to both outcomes (Laplace
    smoothing keeps a dimension never on in training from giving log 0).

    Args:
        x_train: binary training data ``[n, ...]``.
        x_test: binary test data ``[m, ...]`` of the same dimensions.
        pseudocount: added to the counts of 0 and of 1, > 0.

    Returns:
        The same dict as ``nll``: ``nats``, ``bits_per_dim``, ``stderr_nats``,
        ``num_examples``.

    Example:

    >>> independent_pixels_nll(np.array([[0., 1.], [1., 1.]]), np.array([[1., 1.]]))["nats"]  # doctest: +ELLIPSIS
    0.69...
    """
    x_train, x_test = np.asarray(x_train, dtype=np.float64), np.asarray(x_test, dtype=np.float64)
    validation.binary(x_train, "x_train")
    validation.binary(x_test, "x_test")
    if x_train.shape[1:] != x_test.shape[1:] or len(x_train) == 0 or len(x_test) == 0:
        raise ValueError(f"Expected non-empty x_train and x_test with the same dimensions. "
                         f"Received: x_train.shape={x_train.shape}, x_test.shape={x_test.shape}")
    if not pseudocount > 0:
        raise ValueError(f"Expected pseudocount > 0. Received: pseudocount={pseudocount!r}")
    flat_train, flat_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    p = (flat_train.sum(0) + pseudocount) / (len(flat_train) + 2 * pseudocount)
    log_probs = flat_test @ np.log(p) + (1.0 - flat_test) @ np.log1p(-p)
    dims = flat_test.shape[1]
    nats = float(-log_probs.mean())
    return {"nats": nats, "bits_per_dim": nats / (dims * math.log(2)),
            "stderr_nats": float(log_probs.std(ddof=1) / math.sqrt(len(log_probs))) if len(log_probs) > 1 else 0.0,
            "num_examples": int(len(log_probs))}


def __getattr__(name):
    """``tfdl.evaluate.density_table``: the papers' table (``tfdl.density_table``), imported on first use."""
    if name == "density_table":
        from tfdl.density_table import density_table

        return density_table
    raise AttributeError(f"module 'tfdl.evaluate' has no attribute {name!r}")
