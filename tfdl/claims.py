"""Article claims and implementation checks, judged by measured numbers and
criteria fixed before the run.

A report row is one of two kinds:

- a **claim**: a statement of the article, judged against a baseline that
  could win (``claim``). Its verdict is one of ``held``, ``not held``,
  ``inconclusive``, ``inconclusive (not converged)`` (a compared model whose
  validation curve had not levelled off) or ``not judged`` (the run was not
  meant to decide, or the claim is not measured here: the reason is given).
- a **check**: a property the implementation must have whatever the data
  (normalisation, determinism, receptive fields, bound orderings, identities,
  weight copies) (``check``). It ``pass``es or ``fail``s. Checks are shown
  apart and never counted as held claims.

A verdict is never typed by hand: ``compare``, ``noninferior`` and ``bound`` compute it from
the numbers and print the criterion next to them.

Example:

>>> row = claim("vae.samples", quote="VAE ...", gloss="a VAE generates new data",
...             measured="test NLL (nats), 3 seeds",
...             verdict=compare([20.1, 20.3, 20.2], [22.0, 21.8, 22.1],
...                             names=("VAE", "AE"), better="lower", margin=0.5))
>>> row.verdict, row.baseline, round(row.baseline_value, 2)
('held', 'AE', 21.97)
"""

import dataclasses
import math

import numpy as np

from tfdl import tables

VERDICTS = ("held", "not held", "inconclusive", "inconclusive (not converged)", "not judged")
CHECK_VERDICTS = ("pass", "fail")
KINDS = ("claim", "check")
BETTER = ("higher", "lower")


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A state (held, not held, inconclusive) with the criterion and its numbers.

    Args:
        state: one of ``held``, ``not held``, ``inconclusive``.
        criterion: the criterion with the measured numbers, in words.
        ours: the measured number (a mean over seeds).
        baseline: the name of what it was compared with.
        baseline_value: the baseline's number (a mean over seeds, or the limit).
    """

    state: str
    criterion: str
    ours: float = None
    baseline: str = None
    baseline_value: float = None

    def __post_init__(self):
        if self.state not in ("held", "not held", "inconclusive"):
            raise ValueError(
                f"Expected state in ('held', 'not held', 'inconclusive'). Received: state={self.state!r}"
            )


def _values(values, name):
    values = np.atleast_1d(np.asarray(values, dtype="float64"))
    if values.ndim != 1 or len(values) == 0 or not np.all(np.isfinite(values)):
        raise ValueError(
            f"Expected {name} to be a finite number or a non-empty 1-D list of them. "
            f"Received: {name}={values.tolist()!r}"
        )
    return values


def compare(a, b, names, better="higher", margin=0.0, z=2.0, min_seeds=3):
    """Is ``a`` better than ``b`` by more than ``margin`` (and, across seeds, by more than noise)?

    Args:
        a, b: a measured number each, or one number per seed (lists).
        names: ``(name_a, name_b)`` printed in the criterion; ``name_b`` is the baseline.
        better: ``"higher"`` or ``"lower"``: which direction is better.
        margin: the difference (in the measured unit) the claim needs, >= 0.
        z: with several seeds on both sides, the difference of means must also
            exceed ``z`` standard errors (Welch's, unpooled).
        min_seeds: with several seeds on either side, fewer than this many on
            either side gives ``inconclusive``.

    Returns:
        A ``Verdict``: ``held`` when ``a`` is better by more than ``margin``
        (and ``z`` standard errors), ``not held`` when ``b`` is, else
        ``inconclusive``. Means over seeds are given as mean ± standard error (n).
    """
    a, b = _values(a, "a"), _values(b, "b")
    if better not in BETTER:
        raise ValueError(f"Expected better in {BETTER}. Received: better={better!r}")
    if not margin >= 0:
        raise ValueError(f"Expected margin >= 0. Received: margin={margin!r}")
    name_a, name_b = names
    sign = 1.0 if better == "higher" else -1.0
    gain = sign * (a.mean() - b.mean())
    numbers = dict(ours=float(a.mean()), baseline=name_b, baseline_value=float(b.mean()))
    text = (
        f"{name_a} {tables.mean_se(a, n=True)} vs {name_b} {tables.mean_se(b, n=True)}; "
        f"criterion: {name_a} {better} by more than {margin:.4g}"
    )
    seeded = len(a) > 1 or len(b) > 1
    if seeded:
        text += f" and {z:g} standard errors, with >= {min_seeds} seeds each"
        if min(len(a), len(b)) < min_seeds:
            return Verdict("inconclusive", f"{text}; too few seeds", **numbers)
        stderr = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        text += f" (difference {gain:.4g}, stderr {stderr:.2g})"
        clears = abs(gain) > margin and abs(gain) > z * stderr
    else:
        text += f" (difference {gain:.4g})"
        clears = abs(gain) > margin
    if not clears:
        return Verdict("inconclusive", f"{text}; within the margin or noise", **numbers)
    return Verdict("held" if gain > 0 else "not held", text, **numbers)


def noninferior(a, b, names, better="lower", margin=0.0, z=2.0, min_seeds=3):
    """Is ``a`` no worse than ``b`` by more than ``margin`` (a non-inferiority test)?

    "As good as b" cannot be shown by failing to find a difference: it holds
    when ``a`` beats ``b`` moved by ``margin`` in ``a``'s favour (by more than
    ``z`` standard errors across seeds). ``not held`` when ``a`` is worse than
    ``b`` by more than ``margin`` (beyond the noise), else ``inconclusive``.

    Args:
        a, b: as in ``compare``; ``names[1]`` is the baseline, its number the mean of ``b``.
        names, better, z, min_seeds: as in ``compare``.
        margin: how much worse than ``b`` still counts as as good, >= 0, fixed before the run.
    """
    b = _values(b, "b")
    if not margin >= 0:
        raise ValueError(f"Expected margin >= 0. Received: margin={margin!r}")
    shift = margin if better == "lower" else -margin
    tested = compare(a, b + shift, (names[0], f"{names[1]} {'+' if shift >= 0 else '−'} margin {margin:.4g}"),
                     better, 0.0, z, min_seeds)
    return dataclasses.replace(tested, criterion=f"non-inferiority: {tested.criterion}", baseline=names[1],
                               baseline_value=float(b.mean()))


def bound(value, limit, name, below=True, tolerance=0.0):
    """Is a measured number below (or above) a limit fixed before the run?

    Args:
        value: the measured number.
        limit: the limit (reported as the baseline).
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
    numbers = dict(ours=value, baseline="limit", baseline_value=float(limit))
    slack = (limit - value) if below else (value - limit)
    if abs(slack) <= tolerance and tolerance > 0:
        return Verdict("inconclusive", f"{text}; within tolerance", **numbers)
    return Verdict("held" if slack >= 0 else "not held", text, **numbers)


def levelled(curve, better="lower", tail=0.1, tolerance=0.0):
    """Has a validation curve levelled off?

    True when the last ``tail`` fraction of the epochs (at least one epoch)
    improved the best value by no more than ``tolerance`` (in the curve's unit).

    Args:
        curve: the validation metric per epoch (at least two epochs).
        better: ``"lower"`` (a loss) or ``"higher"`` (an accuracy).
        tail: the fraction of the epochs, in (0, 1).
        tolerance: the improvement still called level, >= 0.
    """
    curve = _values(curve, "curve")
    if len(curve) < 2:
        return False
    if better not in BETTER:
        raise ValueError(f"Expected better in {BETTER}. Received: better={better!r}")
    sign = 1.0 if better == "higher" else -1.0
    last = max(1, int(math.ceil(tail * len(curve))))
    before, after = sign * curve[:-last], sign * curve
    return float(after.max() - before.max()) <= tolerance


@dataclasses.dataclass
class Row:
    """One row of a report's verdict tables (a claim or a check); ``as_dict`` goes to metrics.json.

    ``id`` is stable across runs (``<section>.<name>``), so two runs' verdicts can be diffed.
    """

    id: str
    kind: str
    verdict: str
    criterion: str
    gloss: str
    measured: str
    quote: str = ""
    ours: float = None
    baseline: str = None
    baseline_value: float = None
    converged: bool = None

    def as_dict(self):
        return dataclasses.asdict(self)

    def not_judged(self, reason):
        """This claim as ``not judged`` for ``reason`` (checks are always judged)."""
        if self.kind == "check" or self.verdict == "not judged":
            return self
        return dataclasses.replace(self, verdict="not judged", criterion=f"{reason} ({self.criterion})")


def _row_id(id):
    if not isinstance(id, str) or not id or any(c.isspace() for c in id):
        raise ValueError(f"Expected id to be a non-empty string without spaces. Received: id={id!r}")
    return id


def claim(id, quote, gloss, measured, verdict, reason=None, converged=None):
    """A claim of the article, judged against a named baseline.

    Args:
        id: a stable identifier, e.g. ``"depth.two_layers_vs_one"``.
        quote: the article's sentence, in the original Hindi.
        gloss: an English gloss of it.
        measured: what was measured (words).
        verdict: a ``Verdict`` from ``compare`` or ``bound``, or ``None`` when
            the claim is not judged here (then ``reason`` says why).
        reason: why a claim is not judged (``verdict=None``).
        converged: for claims comparing trained models, whether every compared
            model's validation curve levelled off (``levelled``); ``False``
            makes the verdict ``inconclusive (not converged)``.
    """
    if verdict is not None and not isinstance(verdict, Verdict):
        raise ValueError(
            "Expected verdict to be a Verdict from tfdl.claims.compare or bound, or None. "
            f"Received: verdict={verdict!r}"
        )
    if verdict is None:
        if not reason:
            raise ValueError("Expected a reason when verdict=None. Received: reason=None")
        return Row(_row_id(id), "claim", "not judged", reason, gloss, measured, quote, converged=converged)
    state = verdict.state
    if converged is False:
        state = "inconclusive (not converged)"
    return Row(_row_id(id), "claim", state, verdict.criterion, gloss, measured, quote,
               verdict.ours, verdict.baseline, verdict.baseline_value, converged)


def check(id, what, measured, verdict):
    """An implementation check: ``pass`` when the ``Verdict`` is ``held``, else ``fail``.

    Args:
        id: a stable identifier.
        what: the property, in words (e.g. "probabilities over all 2^10 vectors sum to 1").
        measured: what was measured.
        verdict: a ``Verdict`` from ``bound`` or ``compare``.
    """
    if not isinstance(verdict, Verdict):
        raise ValueError(f"Expected verdict to be a Verdict from bound or compare. Received: verdict={verdict!r}")
    return Row(_row_id(id), "check", "pass" if verdict.state == "held" else "fail", verdict.criterion, what,
               measured, "", verdict.ours, verdict.baseline, verdict.baseline_value)


def counts(rows):
    """``{verdict: number}`` of the claims among ``rows`` (checks left out), every verdict listed."""
    return {state: sum(r.kind == "claim" and r.verdict == state for r in rows) for state in VERDICTS}


def _cells(values):
    return [str(v).replace("|", "\\|").replace("\n", " ") for v in values]


def claims_table(rows):
    """The claims among ``rows`` as a Markdown table (empty string if none)."""
    found = [r for r in rows if r.kind == "claim"]
    if not found:
        return ""
    return tables.markdown_table(
        ["article (Hindi)", "gloss", "measured", "criterion and numbers", "verdict"],
        [_cells((r.quote, r.gloss, r.measured, r.criterion)) + [f"**{r.verdict}**"] for r in found],
    )


def checks_table(rows):
    """The checks among ``rows`` as a Markdown table (empty string if none)."""
    found = [r for r in rows if r.kind == "check"]
    if not found:
        return ""
    return tables.markdown_table(
        ["implementation check", "measured", "criterion and numbers", "result"],
        [_cells((r.gloss, r.measured, r.criterion)) + [f"**{r.verdict}**"] for r in found],
    )


def totals(rows):
    """One line: the claims' verdict counts and how many checks pass."""
    found = ", ".join(f"{n} {state}" for state, n in counts(rows).items() if n) or "none"
    checks = [r for r in rows if r.kind == "check"]
    passed = sum(r.verdict == "pass" for r in checks)
    return f"Claims: {found}. Implementation checks: {passed} of {len(checks)} pass."
