"""A three-section toy article for the results-folder tests (not a test module).

``python tests/toy_article.py OUT [--resume]`` runs it through ``tfdl.cli.main``
as ``reproduce vae --profile smoke``; with ``TOY_PAUSE`` set, the second
section prints ``PAUSED`` and waits so that a test can interrupt the run.
"""

import os
import sys
import time
import types

from tfdl import claims, plotting, report

CALLS = []


class Step(report.Section):
    def __init__(self, name):
        self.name, self.title = name, f"Step {name}"

    def measure(self, run, s):
        CALLS.append(self.name)
        print(f"MEASURE {self.name}", flush=True)
        if self.name == "second" and os.environ.get("TOY_PAUSE"):
            print("PAUSED", flush=True)
            time.sleep(600)
        return {"value": float(len(self.name)), "nan": float("nan")}

    def judge(self, run, s, m):
        return [claims.check("length", "the name has letters", "its length", claims.bound(m["value"], 1.0,
                                                                                          "length", below=False))]

    def draw(self, run, s, m):
        figure, axis = plotting.figure()
        axis.plot([0, m["value"]])
        return {f"{self.name}_plot": (figure, f"{self.name} plot")}

    def write(self, run, s, m, figures):
        return f"{self.name} has {m['value']:g} letters.\n\n{figures[f'{self.name}_plot']}"


ARTICLE = types.SimpleNamespace(TITLE="Toy", INTRO="Three steps.", SECTIONS=[Step("first"), Step("second"),
                                                                             Step("third")])

if __name__ == "__main__":
    from tfdl import cli

    report.article_module = lambda article: ARTICLE
    sys.exit(cli.main(["reproduce", "vae", "--profile", "smoke", "--out", sys.argv[1]] + sys.argv[2:]))
