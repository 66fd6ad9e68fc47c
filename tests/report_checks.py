"""Checks shared by the four reproductions' tests (not a test module)."""

import json
import re

from tfdl import runner


def read(out):
    """``(metrics, report)`` of a finished run in ``out``."""
    return json.loads((out / "metrics.json").read_text()), (out / "report.md").read_text()


def figures(metrics):
    """Every figure file the run's sections wrote."""
    return [name for section in metrics["sections"].values() for name in section["figures"]]


def assert_nothing_judged_and_figures_embedded(out, min_claims=1):
    """Every claim is ``not judged``, every implementation check passes, every claim and check
    appears in the report with its verdict, and every figure is saved and embedded
    (``![caption](file.png)``). Returns ``(metrics, report)``."""
    metrics, report = read(out)
    rows = metrics["claims"]
    found = [row for row in rows if row["kind"] == "claim"]
    assert len(found) >= min_claims
    assert {row["verdict"] for row in found} == {"not judged"}
    assert all(row["verdict"] == "pass" for row in rows if row["kind"] == "check"), [
        (row["id"], row["criterion"]) for row in rows if row["kind"] == "check" and row["verdict"] != "pass"]
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert f"**{row['verdict']}**" in report and row["gloss"].replace("|", "\\|") in report, row["id"]
    for figure in figures(metrics):
        assert (out / figure).stat().st_size > 1000
        assert re.search(rf"!\[[^\]]+\]\({re.escape(figure)}\)", report), figure
    return metrics, report


def run_full_cut_short(article, dataset, limit, out, min_claims=1):
    """Runs ``article``'s full profile for one epoch under ``limit``; checks the run's
    context, the verdicts and the figures, and returns ``(metrics, report)``."""
    runner.reproduce(article, dataset=dataset, profile="full", epochs=1, limit=limit, out=out)
    metrics, report = assert_nothing_judged_and_figures_embedded(out, min_claims)
    assert (metrics["profile"], metrics["epochs_override"], metrics["limit"], metrics["dataset"]) == (
        "full", 1, limit, dataset)
    assert f"(limit={limit}: a check of the code path, not a result)" in report
    return metrics, report
