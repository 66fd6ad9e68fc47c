"""Evaluation shared by every density model: negative log-likelihood."""

import math

import numpy as np

from tfdl import validation


def nll(model, x, batch_size=256, context=None, **log_prob_kwargs):
    """Mean negative log-likelihood of ``x`` under ``model``.

    Calls ``model.log_prob`` batch by batch (extra keyword arguments, such as
    ``num_samples`` for a VAE, are passed on) and averages.

    Args:
        model: an object with ``log_prob(x) -> [batch]`` in nats.
        x: array ``[n, ...]``.
        batch_size: examples per ``log_prob`` call.
        context: for a conditional model (``MADE(conditional_dim=...)``), the
            context of each example, ``[n, ...]``, sliced with ``x``.

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
    batches = []
    for i in range(0, len(x), batch_size):
        if context is not None:
            log_prob_kwargs["context"] = context[i : i + batch_size]
        batches.append(np.asarray(model.log_prob(x[i : i + batch_size], **log_prob_kwargs)))
    log_probs = np.concatenate(batches).astype(np.float64)
    nats = float(-log_probs.mean())
    dims = int(np.prod(x.shape[1:]))
    return {
        "nats": nats,
        "bits_per_dim": nats / (dims * math.log(2)),
        "stderr_nats": float(log_probs.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else 0.0,
        "num_examples": int(len(x)),
    }
