"""Which notebooks make up a batch, whose they are, and which exercise each one is.

``dlcourse grade`` accepts, in any mix:

- notebook files: ``NN_name.ipynb`` (no learner), or ``LEARNER__NN_name.ipynb``;
- a folder of notebooks named either way;
- a class folder with one sub-folder per learner (the sub-folder's name is the learner's id),
  each holding that learner's ``NN_name.ipynb`` files (as ``dlcourse collect`` lays them out).

Every file is read once, here, before any learner code runs; grading works from these bytes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

SEPARATOR = "__"
_EXERCISE_NAME = re.compile(r"(\d\d_[A-Za-z0-9_]+)$")


@dataclass
class Submission:
    """One notebook to grade: where it came from, whose it is, and its bytes."""

    path: Path
    learner: str
    data: bytes | None = None
    error: str = ""
    digest: str = field(default="", repr=False)

    @property
    def name_hint(self) -> str | None:
        """The exercise its file name names (``01_linear_unit``), if any."""
        stem = self.path.stem.split(SEPARATOR, 1)[-1]
        match = _EXERCISE_NAME.search(stem)
        return match.group(1) if match else None


def read(path: Path, learner: str) -> Submission:
    sub = Submission(path, learner)
    try:
        sub.data = path.read_bytes()
        sub.digest = hashlib.sha256(sub.data).hexdigest()
    except OSError as exc:
        sub.error = f"could not read the file: {exc.strerror or exc}"
    return sub


def _learner_of(path: Path, folder_learner: str = "") -> str:
    if SEPARATOR in path.stem:
        return path.stem.split(SEPARATOR, 1)[0]
    return folder_learner


def discover(paths: list[str]) -> list[Submission]:
    """The batch, in a stable order; raises FileNotFoundError for a missing path."""
    found: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            notebooks = sorted(q for q in p.glob("*.ipynb") if not q.is_dir())
            found += [(q, _learner_of(q)) for q in notebooks]
            for sub in sorted(d for d in p.iterdir() if d.is_dir() and not d.name.startswith(".")):
                found += [(q, _learner_of(q, sub.name))
                          for q in sorted(sub.glob("*.ipynb")) if not q.is_dir()]
        elif p.exists():
            found.append((p, _learner_of(p)))
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")
    return [read(path, learner) for path, learner in found]
