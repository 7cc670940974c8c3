"""``dlcourse collect``: every learner's exercise notebooks, copied into the layout of grading.

Reads either the home folders of a hub (The Littlest JupyterHub names them ``jupyter-<name>`` and
nbgitpuller puts the course in ``<home>/<repo-dir>/``) or any folder holding one folder per
learner. Writes ``OUT/<learner>/<NN_name>.ipynb``. A learner's file is only ever read: its bytes
are read once, checked to be a notebook, and those same bytes are written to the copy. Missing,
unreadable or corrupt notebooks are reported and the rest collected.
"""

from __future__ import annotations

import json
import re
import stat
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

TLJH_PREFIX = "jupyter-"
EXERCISE_NAME = re.compile(r"^\d\d_[\w-]+\.ipynb$")


class CollectError(ValueError):
    """The source or destination cannot be used at all (nothing was collected)."""


@dataclass
class LearnerReport:
    """What was found for one learner: notebooks copied, missing, and set aside with the reason."""

    learner: str
    source: str
    collected: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)


def learner_folders(source: Path) -> dict[str, Path]:
    """``{learner: home}``: TLJH homes (``jupyter-<name>``) if there are any, else every folder."""
    if not source.is_dir():
        raise CollectError(f"expected a folder of learners' home folders, got {str(source)!r} "
                           f"({'not found' if not source.exists() else 'not a folder'})")
    folders = [p for p in sorted(source.iterdir())
               if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
    tljh = [p for p in folders if p.name.startswith(TLJH_PREFIX) and len(p.name) > len(TLJH_PREFIX)]
    if tljh:
        return {p.name[len(TLJH_PREFIX):]: p for p in tljh}
    if not folders:
        raise CollectError(f"{source} holds no learner folders (expected one folder per learner, "
                           f"or TLJH homes named {TLJH_PREFIX}<name>)")
    return {p.name: p for p in folders}


def exercises_folder(home: Path, repo_dir: str) -> Path | None:
    """The learner's exercise folder: ``<repo-dir>/exercises``, ``exercises`` or the home itself."""
    for candidate in (home / repo_dir / "exercises", home / "exercises"):
        if candidate.is_dir() and not candidate.is_symlink():
            return candidate
    if any(EXERCISE_NAME.match(p.name) for p in home.iterdir()):
        return home
    return None


def read_notebook(path: Path) -> bytes:
    """The file's bytes if they are a valid notebook; ``ValueError`` says why not."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        raise ValueError("is a symbolic link, not the learner's own file")
    if not stat.S_ISREG(mode):
        raise ValueError("is not a regular file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
        json.loads(text)  # for the line number of a truncated or hand-edited file
        nbformat.validate(nbformat.reads(text, as_version=4))
    except UnicodeDecodeError:
        raise ValueError("is not text (UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except Exception as exc:  # nbformat's NotJSONError, ValidationError, reader errors
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"is not a valid notebook ({first[:160]})") from None
    return data


def collect(source: Path, out: Path, repo_dir: str = "dlcourse",
            expected: list[str] | None = None) -> list[LearnerReport]:
    """Copy every learner's exercise notebooks to ``out/<learner>/``; one report per learner.

    ``expected`` names the course's exercise notebooks: those a learner lacks are listed as
    missing. ``out`` must not exist yet or be empty, so that no earlier copy is mixed in.
    """
    homes = learner_folders(Path(source))
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CollectError(f"output folder {str(out)!r} must be new or empty: it holds "
                           "an earlier collection (choose another folder)")
    if out.resolve().is_relative_to(Path(source).resolve()):
        raise CollectError(f"output folder {str(out)!r} must not be inside the learners' "
                           f"folder {str(source)!r}")
    reports = []
    for learner, home in homes.items():
        report = LearnerReport(learner, str(home))
        target = out / learner
        target.mkdir(parents=True, exist_ok=True)  # every learner gets a row in the gradebook
        try:
            folder = exercises_folder(home, repo_dir)
        except OSError as exc:
            folder, report.problems["(home)"] = None, f"cannot be read: {exc.strerror}"
        found = sorted(p for p in folder.iterdir() if EXERCISE_NAME.match(p.name)) if folder else []
        for path in found:
            try:
                data = read_notebook(path)
            except (OSError, ValueError) as exc:
                report.problems[path.name] = getattr(exc, "strerror", None) or str(exc)
                continue
            (target / path.name).write_bytes(data)
            report.collected.append(path.name)
        names = {p.name for p in found}
        report.missing = [name for name in (expected or []) if name not in names]
        if folder is None and not report.problems:
            report.problems["(home)"] = (f"no exercise notebooks (looked in {repo_dir}/exercises, "
                                         "exercises and the home folder)")
        reports.append(report)
    return reports


def course_exercises(course: Path) -> list[str]:
    """The exercise notebooks the course ships, from its ``exercises/`` folder."""
    return sorted(p.name for p in (course / "exercises").glob("*.ipynb")
                  if EXERCISE_NAME.match(p.name))


def format_reports(reports: list[LearnerReport], out: Path) -> str:
    lines = []
    width = max([len("learner")] + [len(r.learner) for r in reports])
    lines.append(f"{'learner':<{width}}  collected  notes")
    for r in reports:
        notes = [f"{name}: {why}" for name, why in r.problems.items()]
        if r.missing:
            notes.append("missing " + ", ".join(n.removesuffix(".ipynb") for n in r.missing))
        lines.append(f"{r.learner:<{width}}  {len(r.collected):>9}  {'; '.join(notes)}")
    total = sum(len(r.collected) for r in reports)
    bad = sum(len(r.problems) for r in reports)
    lines.append(f"\n{total} notebooks of {len(reports)} learners copied to {out}"
                 + (f"; {bad} set aside (see notes)" if bad else ""))
    return "\n".join(lines)


def run(source: str, out: str, repo_dir: str = "dlcourse", course_dir: str | None = None,
        as_json: bool = False) -> int:
    """Collect, print the report; 0 if every notebook found was copied, 1 if some were set
    aside, 2 if nothing could be collected."""
    from .link import default_course_dir

    expected = course_exercises(Path(course_dir) if course_dir else default_course_dir())
    try:
        reports = collect(Path(source), Path(out), repo_dir, expected)
    except CollectError as exc:
        print(f"dlcourse collect: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps({"out": str(out), "learners": [asdict(r) for r in reports]}, indent=2))
    else:
        print(format_reports(reports, Path(out)))
    return 1 if any(r.problems for r in reports) else 0
