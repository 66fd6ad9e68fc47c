"""Numbers for readers: Markdown tables and the one ``mean ± s.e.`` formatter.

Every spread tfdl prints is a standard error of the mean over seeds (never a
standard deviation), and every table that prints one says so in its header
(``se_header``).

Example:

>>> mean_se([1.0, 2.0, 3.0])
'2 ± 0.58'
>>> se_header("test NLL (nats)", 3)
'test NLL (nats), mean ± s.e. over 3 seeds'
"""

import math

import numpy as np


def mean_se(values, digits=4, n=False):
    """``"mean ± standard error"`` of per-seed values (the mean alone for one value).

    Args:
        values: numbers, one per seed.
        digits: significant digits of the mean (the error gets 2).
        n: append ``" (n=N)"``.
    """
    values = np.atleast_1d(np.asarray(values, dtype="float64"))
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"Expected a non-empty 1-D list of numbers. Received: values={values.tolist()!r}")
    text = f"{values.mean():.{digits}g}"
    if len(values) > 1:
        text += f" ± {values.std(ddof=1) / math.sqrt(len(values)):.2g}"
        if n:
            text += f" (n={len(values)})"
    return text


def se_header(measure, seeds):
    """A column header that says what ± is: ``"<measure>, mean ± s.e. over <seeds> seeds"``."""
    count = seeds if isinstance(seeds, int) else len(seeds)
    if count == 1:
        return f"{measure}, one seed"
    return f"{measure}, mean ± s.e. over {count} seeds"


def cell(value):
    """A table cell: floats with 4 significant digits, everything else as ``str``."""
    return f"{value:.4g}" if isinstance(value, (float, np.floating)) else str(value)


def markdown_table(headers, rows):
    """A Markdown table; floats get 4 significant digits."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
