"""Checks shared by the four reproductions' tests (not a test module)."""

import json
import re

from tfdl import runner

CLAIMS_HEADER = "| article (Hindi) | gloss | measured | criterion and numbers | verdict |"


def verdicts(report):
    """The verdict column of the report's claims table."""
    rows = report.split(CLAIMS_HEADER)[1].split("\n\n")[0].strip().splitlines()[1:]
    return [re.fullmatch(r".*\| \*\*([a-z ]+)\*\* \|", row).group(1) for row in rows]


def assert_nothing_judged_and_figures_embedded(out, results, report, min_claims=1):
    """Every claim is in the report's table, in metrics' order, and ``not judged``;
    every figure is saved and embedded (``![caption](file.png)``)."""
    found = verdicts(report)
    assert len(found) == len(results["claims"]) >= min_claims
    assert set(found) == {"not judged"}
    assert [row["verdict"] for row in results["claims"]] == found
    for figure in results["figures"]:
        assert (out / figure).stat().st_size > 1000
        assert re.search(rf"!\[[^\]]+\]\({re.escape(figure)}\)", report), figure


def run_full_cut_short(article, dataset, limit, out):
    """Runs ``article``'s full profile for one epoch under ``limit``; checks the run's
    context in metrics.json and returns ``(results, report)``."""
    runner.reproduce(article, dataset=dataset, profile="full", epochs=1, limit=limit, out=out)
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["profile"], metrics["epochs_override"], metrics["limit"], metrics["dataset"]) == (
        "full", 1, limit, dataset)
    report = (out / "report.md").read_text()
    assert f"(limit={limit}: a check of the code path, not a result)" in report
    return metrics["results"], report
