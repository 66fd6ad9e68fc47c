"""The articles' code snippets, as written (each module says what, if anything, differs).

``run(name)`` executes a snippet afresh, as a reader running the article's
code would: a snippet that builds a model at import gives a new model each time.
"""

import importlib


def run(name):
    """Executes ``tfdl.reproductions.snippets.<name>`` anew and returns the module."""
    return importlib.reload(importlib.import_module(f"{__name__}.{name}"))


def source(name):
    """The snippet's code as the article prints it (the module without its docstring)."""
    module = importlib.import_module(f"{__name__}.{name}")
    with open(module.__file__, encoding="utf-8") as stream:
        text = stream.read()
    return text.split('"""', 2)[2].strip() if text.lstrip().startswith('"""') else text.strip()
