"""Article claims judged by measured numbers and criteria fixed before the run.

A reproduction states each claim of its article as a ``Claim``: the article's
sentence (the Hindi original and an English gloss), what is measured, and a
``Verdict`` returned by one of the criteria below. A verdict is never typed by
hand: ``compare`` and ``bound`` compute it from the numbers and print the
criterion next to them, and a run that is too small to decide (the ``smoke``
profile, or a budget the reproduction names) gets ``not judged``.

The four verdicts:

- ``held``: the measured difference clears the margin (and, across seeds,
  the difference of means exceeds ``z`` standard errors).
- ``not held``: it clears the margin in the other direction.
- ``inconclusive``: within the margin or within noise, or too few seeds.
- ``not judged``: the run was not meant to decide (reason given).

Example:

>>> claims = Claims(judged=True)
>>> claims.add(
...     quote="VAE ...", gloss="a VAE generates new data",
...     measured="test NLL (nats), 3 seeds",
...     verdict=compare([20.1, 20.3, 20.2], [22.0, 21.8, 22.1],
...                     names=("VAE", "AE"), better="lower", margin=0.5))
>>> claims.rows[0]["verdict"]
'held'
"""

import dataclasses
import math

import numpy as np

VERDICTS = ("held", "not held", "inconclusive", "not judged")
BETTER = ("higher", "lower")


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A verdict (one of ``VERDICTS``) and the criterion with its numbers."""

    state: str
    criterion: str

    def __post_init__(self):
        if self.state not in VERDICTS:
            raise ValueError(f"Expected state in {VERDICTS}. Received: state={self.state!r}")


def _values(values, name):
    values = np.atleast_1d(np.asarray(values, dtype="float64"))
    if values.ndim != 1 or len(values) == 0 or not np.all(np.isfinite(values)):
        raise ValueError(
            f"Expected {name} to be a finite number or a non-empty 1-D list of them. "
            f"Received: {name}={values.tolist()!r}"
        )
    return values


def _summary(values):
    if len(values) == 1:
        return f"{values[0]:.4g}"
    return f"{values.mean():.4g} ± {values.std(ddof=1) / math.sqrt(len(values)):.2g} (n={len(values)})"


def compare(a, b, names, better="higher", margin=0.0, z=2.0, min_seeds=3):
    """Is ``a`` better than ``b`` by more than ``margin`` (and, across seeds, by more than noise)?

    Args:
        a, b: a measured number each, or one number per seed (lists).
        names: ``(name_a, name_b)`` printed in the criterion.
        better: ``"higher"`` or ``"lower"``: which direction is better.
        margin: the difference (in the measured unit) the claim needs, >= 0.
        z: with several seeds on both sides, the difference of means must also
            exceed ``z`` standard errors (Welch's, unpooled).
        min_seeds: with several seeds on either side, fewer than this many on
            either side gives ``inconclusive``.

    Returns:
        A ``Verdict``: ``held`` when ``a`` is better by more than ``margin``
        (and ``z`` standard errors), ``not held`` when ``b`` is, else
        ``inconclusive``.
    """
    a, b = _values(a, "a"), _values(b, "b")
    if better not in BETTER:
        raise ValueError(f"Expected better in {BETTER}. Received: better={better!r}")
    if not margin >= 0:
        raise ValueError(f"Expected margin >= 0. Received: margin={margin!r}")
    name_a, name_b = names
    sign = 1.0 if better == "higher" else -1.0
    gain = sign * (a.mean() - b.mean())
    text = (
        f"{name_a} {_summary(a)} vs {name_b} {_summary(b)}; criterion: {name_a} {better} "
        f"by more than {margin:.4g}"
    )
    seeded = len(a) > 1 or len(b) > 1
    if seeded:
        text += f" and {z:g} standard errors, with >= {min_seeds} seeds each"
        if min(len(a), len(b)) < min_seeds:
            return Verdict("inconclusive", f"{text}; too few seeds")
        stderr = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        text += f" (difference {gain:.4g}, stderr {stderr:.2g})"
        clears = abs(gain) > margin and abs(gain) > z * stderr
    else:
        text += f" (difference {gain:.4g})"
        clears = abs(gain) > margin
    if not clears:
        return Verdict("inconclusive", f"{text}; within the margin or noise")
    return Verdict("held" if gain > 0 else "not held", text)


def bound(value, limit, name, below=True, tolerance=0.0):
    """Is a measured number below (or above) a limit fixed before the run?

    Args:
        value: the measured number.
        limit: the limit.
        name: what ``value`` is, printed in the criterion.
        below: ``True`` when the claim needs ``value <= limit``, ``False`` for
            ``value >= limit``.
        tolerance: values within ``tolerance`` of the limit on either side are
            ``inconclusive`` (measurement noise), >= 0.

    Returns:
        A ``Verdict``.
    """
    value = float(_values(value, "value")[0])
    if not tolerance >= 0:
        raise ValueError(f"Expected tolerance >= 0. Received: tolerance={tolerance!r}")
    relation = "<=" if below else ">="
    text = f"{name} = {value:.4g}; criterion: {relation} {limit:.4g}"
    if tolerance:
        text += f" (± {tolerance:.2g} inconclusive)"
    slack = (limit - value) if below else (value - limit)
    if abs(slack) <= tolerance and tolerance > 0:
        return Verdict("inconclusive", f"{text}; within tolerance")
    return Verdict("held" if slack >= 0 else "not held", text)


class Claims:
    """The claims of one report.

    Args:
        judged: ``True`` when the run may decide claims; ``False`` or a
            string (the reason) turns every verdict into ``not judged``.
    """

    def __init__(self, judged=True):
        self.reason = None if judged is True else (judged or "this run is too small to decide")
        self.rows = []

    def add(self, quote, gloss, measured, verdict, reason=None):
        """Adds a claim.

        Args:
            quote: the article's sentence, in the original Hindi.
            gloss: an English gloss of it.
            measured: what was measured (words).
            verdict: a ``Verdict`` from ``compare`` or ``bound``, or ``None``
                when the claim is not judged here (then ``reason`` says why).
            reason: why a claim is not judged (``verdict=None``), e.g. "no GAN
                trained here".
        """
        if verdict is not None and not isinstance(verdict, Verdict):
            raise ValueError(
                "Expected verdict to be a Verdict from tfdl.claims.compare or bound, or None. "
                f"Received: verdict={verdict!r}"
            )
        if verdict is None and not reason:
            raise ValueError("Expected a reason when verdict=None. Received: reason=None")
        if verdict is None:
            state, criterion = "not judged", reason
        elif self.reason is not None:
            state, criterion = "not judged", f"{self.reason} ({verdict.criterion})"
        else:
            state, criterion = verdict.state, verdict.criterion
        self.rows.append(
            {"quote": quote, "gloss": gloss, "measured": measured, "verdict": state, "criterion": criterion}
        )

    def counts(self):
        """``{verdict: number of claims}`` over ``VERDICTS``."""
        return {state: sum(row["verdict"] == state for row in self.rows) for state in VERDICTS}

    def table(self):
        """The claims as a Markdown table: claim, measured, criterion, verdict."""
        lines = [
            "| article (Hindi) | gloss | measured | criterion and numbers | verdict |",
            "|---|---|---|---|---|",
        ]
        for row in self.rows:
            cells = (row["quote"], row["gloss"], row["measured"], row["criterion"], f"**{row['verdict']}**")
            lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
        counts = ", ".join(f"{n} {state}" for state, n in self.counts().items() if n)
        return "\n".join(lines) + f"\n\nVerdicts: {counts}."
