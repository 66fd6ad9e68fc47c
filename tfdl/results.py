"""A results folder that never holds half a run.

A run writes into ``<out>.incomplete/`` beside ``<out>`` and renames it into
place only when complete (the previous complete run stays intact until
then); an interrupted run leaves that marked folder, never a mix of two runs.
Each finished section is saved there at once, keyed by the run's settings,
so ``resume=True`` continues an interrupted run from its completed sections
(a changed setting means no reuse). A second run on the same ``<out>`` is
refused while the first holds ``<out>.lock`` (with its process id). JSON is
strict: ``NaN`` and infinities are written as ``null``, and the path of each
is listed under ``non_finite`` with its value.

Example:

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "vae"
>>> with ResultsFolder(out) as folder:
...     folder.write_json("metrics.json", {"x": float("nan")})
...     folder.commit()
>>> (out / "metrics.json").read_text()
'{\\n  "x": null,\\n  "non_finite": {\\n    "x": "nan"\\n  }\\n}'
"""

import dataclasses
import json
import math
import os
import shutil
import time
import types
from pathlib import Path

import numpy as np

MARKER = ".tfdl-results"  # names a folder tfdl may replace
INCOMPLETE, LOCK = ".incomplete", ".lock"


def check_out(out, name="out"):
    """``out`` as a ``Path``, after checking a run could write its results there.

    Raises a ``ValueError`` naming ``name`` at once (before any training) for
    an empty path, a path naming a file, an existing folder that is neither
    empty nor a tfdl results folder (tfdl would replace it), or a parent
    folder that cannot be written.
    """
    if out is None or not str(out).strip():
        raise ValueError(f"Expected {name} to name a folder. Received: {name}={out!r}")
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ValueError(f"Expected {name} to be a folder; it is a file. Received: {name}={str(out)!r}")
    if path.is_dir() and any(path.iterdir()) and not (path / MARKER).exists():
        raise ValueError(
            f"Expected {name} to be a new folder, an empty one or an earlier tfdl results folder (tfdl "
            f"replaces it when the run completes); {str(out)!r} holds other files. Received: {name}={str(out)!r}"
        )
    parent = path.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"Expected {name} in a writable folder; {parent} is not writable. "
                         f"Received: {name}={str(out)!r}")
    return path


def _plain(value, path, non_finite):
    """``value`` as JSON-ready Python (NaN/inf -> None, recorded in ``non_finite`` by path)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    elif isinstance(value, types.SimpleNamespace):
        value = vars(value)
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{path}.{k}" if path else str(k), non_finite) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v, f"{path}[{i}]", non_finite) for i, v in enumerate(np.asarray(value, dtype=object)
                                                                            if isinstance(value, np.ndarray)
                                                                            else value)]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        if not math.isfinite(value):
            non_finite[path] = str(float(value))
            return None
        return float(value)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"Cannot write {type(value).__name__} at {path!r} to JSON")


def strict_json(value):
    """``value`` (dicts, lists, NumPy values, dataclasses) as strict JSON text.

    Non-finite floats become ``null``; a top-level dict then gains
    ``non_finite``: ``{path: "nan" | "inf" | "-inf"}``.
    """
    non_finite = {}
    plain = _plain(value, "", non_finite)
    if non_finite and isinstance(plain, dict):
        plain["non_finite"] = non_finite
    return json.dumps(plain, indent=2, allow_nan=False, ensure_ascii=False)


def write_atomically(path, text):
    """Writes ``text`` to ``path`` through a temporary file renamed into place."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ResultsBusyError(ValueError):
    """Another run holds the results folder's lock."""


class ResultsFolder:
    """The staging folder of one run; a context manager holding ``<out>.lock``.

    Args:
        out: the final results folder (checked by ``check_out``).
        resume: keep the sections saved by an interrupted run in
            ``<out>.incomplete`` (reused when their keys match); otherwise it
            is emptied.
    """

    def __init__(self, out, resume=False):
        self.out = check_out(out)
        self.staging = self.out.with_name(self.out.name + INCOMPLETE)
        self.lock = self.out.with_name(self.out.name + LOCK)
        self.resume = bool(resume)
        self.committed = False

    def __enter__(self):
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._acquire()
        try:
            if self.staging.exists() and not self.resume:
                shutil.rmtree(self.staging)
            (self.staging / "sections").mkdir(parents=True, exist_ok=True)
            (self.staging / MARKER).write_text("incomplete: a run is writing this folder or was interrupted\n")
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc):
        self._release()
        return False

    def _acquire(self):
        for _ in range(2):
            try:
                descriptor = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                try:
                    pid = int(self.lock.read_text().split()[0])
                except (OSError, ValueError, IndexError):
                    pid = None
                if pid is not None and pid != os.getpid() and _alive(pid):
                    raise ResultsBusyError(
                        f"Another tfdl run (process {pid}) is writing {self.out}; wait for it to finish, or "
                        f"remove {self.lock} if there is no such process.") from None
                self.lock.unlink(missing_ok=True)  # left by a run that died
                continue
            with os.fdopen(descriptor, "w") as stream:
                stream.write(f"{os.getpid()}\n")
            return
        raise ResultsBusyError(f"Could not take the lock {self.lock}")

    def _release(self):
        try:
            if int(self.lock.read_text().split()[0]) == os.getpid():
                self.lock.unlink()
        except (OSError, ValueError, IndexError):
            pass

    def path(self, name):
        """Where a file of this run goes while it runs (inside the staging folder)."""
        return self.staging / name

    def write_text(self, name, text):
        write_atomically(self.path(name), text)

    def write_json(self, name, value):
        write_atomically(self.path(name), strict_json(value) + "\n")

    def cached(self, section, key):
        """A section's saved outcome (a dict) when its key matches ``key``, else None."""
        path = self.staging / "sections" / f"{section}.json"
        if not self.resume or not path.exists():
            return None
        saved = json.loads(path.read_text())
        return saved["outcome"] if saved.get("key") == key else None

    def save_section(self, section, key, outcome):
        """Saves a finished section's outcome (a dict) under its key."""
        self.write_json(f"sections/{section}.json", {"key": key, "outcome": outcome})

    def commit(self):
        """Renames the staging folder to ``out``, replacing the previous complete run."""
        (self.staging / MARKER).write_text(f"complete: written by tfdl at {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        shutil.rmtree(self.staging / "sections")
        previous = None
        if self.out.exists():
            previous = self.out.with_name(f"{self.out.name}.replaced-{int(time.time())}-{os.getpid()}")
            os.replace(self.out, previous)
        os.replace(self.staging, self.out)
        if previous is not None:
            shutil.rmtree(previous)
        self.committed = True
