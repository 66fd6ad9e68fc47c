"""Sections, and the builder that assembles them into ``report.md`` and ``metrics.json``.

A reproduction (``tfdl.reproductions.<article>``) is a title, an introduction
and a list of sections in the order the article tells its story. A section is
one experiment of the article and owns everything about it: its settings per
profile, its measurement, its claims and checks, its figures and its text.
Adding an experiment means adding one ``Section``; nothing else changes.

Example, a whole section:

>>> from tfdl import claims
>>> class Sum(Section):
...     name, title = "sum", "Adding two numbers"
...     def settings(self, run):
...         return {"terms": run.by_profile(smoke=2, default=3, full=4)}
...     def measure(self, run, s):
...         return {"total": float(sum(range(s["terms"])))}
...     def judge(self, run, s, m):
...         return [claims.check("total", "0 + 1 + ... is n(n-1)/2", "the sum",
...                              claims.bound(abs(m["total"] - s["terms"] * (s["terms"] - 1) / 2), 0.0,
...                                           "error"))]
...     def write(self, run, s, m, figures):
...         return f"The sum of the first {s['terms']} integers is {m['total']:g}."

The builder calls, per section, ``settings`` → ``measure`` (seeded with the
run's seed) → ``judge`` → ``draw`` (figures it saves and embeds) → ``write``,
and records the section's metrics (every key of ``measure``'s dict except
those starting with ``_``, which stay in memory for ``draw`` and ``write``).
"""

import dataclasses
import hashlib
import importlib

from tfdl import claims, plotting
from tfdl.results import ResultsFolder, strict_json
from tfdl.timing import Timer


class Section:
    """One experiment of an article. Subclasses set ``name`` (a stable id: ``--only``,
    resumed runs and claim ids use it) and ``title``, and override the steps they need."""

    name = None
    title = None

    def settings(self, run):
        """This section's sizes, epochs and seeds for ``run``'s profile (anything with a stable ``repr``)."""
        return {}

    def measure(self, run, s):
        """Trains and measures; returns a dict (keys starting with ``_`` are not recorded)."""
        return {}

    def judge(self, run, s, m):
        """The section's claims and checks: a list of ``tfdl.claims`` rows."""
        return []

    def draw(self, run, s, m):
        """The figures this section discusses: ``{file name: (matplotlib figure, caption)}``."""
        return {}

    def write(self, run, s, m, figures):
        """This section's text (Markdown, without its heading); ``figures`` maps each
        figure's name to the Markdown that embeds it."""
        return ""


@dataclasses.dataclass
class Outcome:
    """What one section left: its text, claims and checks, figures and metrics."""

    name: str
    title: str
    text: str
    rows: list
    figures: list
    metrics: dict
    seconds: float

    def as_dict(self):
        return {**dataclasses.asdict(self), "rows": [r.as_dict() for r in self.rows]}

    @classmethod
    def from_dict(cls, value):
        return cls(**{**value, "rows": [claims.Row(**r) for r in value["rows"]]})


def article_module(article):
    """The reproduction module ``tfdl.reproductions.<article>``."""
    return importlib.import_module(f"tfdl.reproductions.{article}")


def select(sections, only):
    """``sections`` whose names are in ``only`` (all when None); an unknown name is a ValueError."""
    names = [s.name for s in sections]
    if only is None:
        return list(sections)
    unknown = [name for name in only if name not in names]
    if unknown or not only:
        raise ValueError(f"Expected section names among {names}. Received: only={list(only)!r}")
    return [s for s in sections if s.name in only]


def section_key(run, section, settings):
    """A digest of everything that decides a section's result (resumed runs reuse equal keys)."""
    text = repr((run.identity(), section.name, section.title, settings))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _save_figures(folder, section, drawn):
    embeds, names = {}, []
    for name, (figure, caption) in drawn.items():
        figure.savefig(folder.path(f"{name}.png"), dpi=100, bbox_inches="tight")
        plotting.plt.close(figure)
        embeds[name] = f"![{caption}]({name}.png)"
        names.append(f"{name}.png")
    return embeds, names


def _recorded(measured):
    return {k: v for k, v in measured.items() if not str(k).startswith("_")}


def run_section(run, section, folder):
    """Runs one section (or reuses its saved outcome) and saves its outcome in ``folder``."""
    import keras

    s = section.settings(run)
    key = section_key(run, section, s)
    saved = folder.cached(section.name, key)
    if saved is not None:
        run.progress(f"{section.title}: reused from the interrupted run")
        return Outcome.from_dict(saved)
    run.progress(section.title)
    keras.utils.set_random_seed(run.seed)
    with Timer() as timer:
        measured = section.measure(run, s)
        rows = section.judge(run, s, measured)
        embeds, figure_names = _save_figures(folder, section, section.draw(run, s, measured))
        text = section.write(run, s, measured, embeds)
    if run.judged is not True:
        rows = [row.not_judged(run.judged) for row in rows]
    rows = [dataclasses.replace(row, id=f"{section.name}.{row.id}") for row in rows]
    outcome = Outcome(section.name, section.title, text.strip(), rows, figure_names,
                      _recorded(measured), round(timer.seconds, 2))
    plain = outcome.as_dict()
    strict_json(plain)  # fails here, naming the value, rather than at the end of the run
    folder.save_section(section.name, key, plain)
    return outcome


def _unique(values, what):
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"Expected unique {what}; {value!r} appears twice")
        seen.add(value)


def markdown(title, header, intro, numbered):
    """The report: title, run header, introduction, verdict totals, then each
    ``(number, outcome)`` with its text, claims and checks."""
    rows = [row for _, outcome in numbered for row in outcome.rows]
    parts = [f"# {title}", header, intro.strip(), f"**Verdicts.** {claims.totals(rows)}"]
    for number, outcome in numbered:
        parts.append(f"## {number}. {outcome.title}")
        parts += [p for p in (outcome.text, claims.claims_table(outcome.rows),
                              claims.checks_table(outcome.rows)) if p]
    return "\n\n".join(p for p in parts if p) + "\n"


def build(run, module, only=None, resume=False):
    """Runs the article's sections into ``run.out``: ``report.md``, ``metrics.json``, figures.

    Args:
        run: a ``tfdl.runner.Run``.
        module: the reproduction module (``TITLE``, ``INTRO``, ``SECTIONS``).
        only: section names to run (None: all), in the article's order.
        resume: reuse the sections an interrupted run on ``run.out`` finished.

    Returns:
        The list of ``Outcome``s.
    """
    sections = select(module.SECTIONS, only)
    _unique([s.name for s in module.SECTIONS], "section names")
    numbers = {s.name: i + 1 for i, s in enumerate(module.SECTIONS)}
    with ResultsFolder(run.out, resume=resume) as folder, Timer() as timer:
        outcomes = []
        for section in sections:
            outcomes.append(run_section(run, section, folder))
            run.progress(f"{section.title}: done ({outcomes[-1].seconds:.1f} s)")
        rows = [row for outcome in outcomes for row in outcome.rows]
        _unique([row.id for row in rows], "claim ids")
        _unique([name for outcome in outcomes for name in outcome.figures], "figure names")
        context = run.context(wall_time_s=round(timer.seconds, 2), sections=[o.name for o in outcomes])
        folder.write_json("metrics.json", {
            **context,
            "claims": [row.as_dict() for row in rows],
            "sections": {o.name: {"title": o.title, "seconds": o.seconds, "figures": o.figures,
                                  "metrics": o.metrics} for o in outcomes},
        })
        numbered = [(numbers[o.name], o) for o in outcomes]
        folder.write_text("report.md", markdown(module.TITLE, run.header(context), module.INTRO, numbered))
        folder.commit()
    run.progress(f"wrote {run.out}/report.md and metrics.json; {claims.totals(rows)}")
    return outcomes
