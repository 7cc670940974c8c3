"""The ``dlcourse`` command: a thin argparse dispatcher; each subcommand's work lives elsewhere."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _make_exercises(args) -> int:
    from .instructor.make_exercises import run

    return run(Path(args.solutions), Path(args.exercises), check=args.check)


def _grade(args) -> int:
    from .instructor.grade import run

    return run(args.paths, timeout=args.timeout, as_json=args.json, csv_path=args.csv,
               per_question=args.per_question, workers=args.workers,
               time_limit=args.time_limit, quiet=args.quiet)


def _progress(args) -> int:
    from .grading import progress

    path = Path(args.file) if args.file else progress.progress_path()
    try:
        from .grading import registry

        known = registry.declared()
    except Exception as exc:  # a broken course module must not hide the learner's progress
        print(f"dlcourse progress: could not list the course's exercises ({exc})",
              file=sys.stderr)
        known = {}
    data = progress.load(path) if path else progress.empty()
    rows = progress.summary(data, known)
    if args.json:
        print(json.dumps({"path": str(path) if path else None, "exercises": rows}, indent=2))
    elif path is None:
        print(f"Progress recording is switched off ({progress.ENV_VAR}=off).")
    else:
        print(progress.format_summary(rows, path))
    return 0


def _link(args) -> int:
    from .instructor.link import run

    return run(args.hub, args.repo, args.branch, args.lesson, args.exercise, args.course_dir)


def _collect(args) -> int:
    from .instructor.collect import run

    return run(args.source, args.out, args.repo_dir, args.course_dir, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlcourse",
        description="Deep learning from the linear unit to the full training loop: "
        "course tools for learners and instructors.",
        epilog="examples:\n"
        "  dlcourse progress                      what you have passed so far\n"
        "  dlcourse grade exercises/01_*.ipynb    grade notebooks (--json for machines)\n"
        "  dlcourse grade class/ --csv book.csv   grade a class, write a gradebook\n"
        "  dlcourse make-exercises --check        are exercises/ up to date with solutions/?\n"
        "\n'dlcourse COMMAND --help' describes each command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "make-exercises",
        help="write exercise notebooks from solution notebooks",
        description="Write exercises/ from solutions/: every block between '### BEGIN SOLUTION' "
        "and '### END SOLUTION' becomes a stub, outputs are cleared.",
    )
    p.add_argument("--solutions", default="solutions", metavar="DIR",
                   help="solution notebooks to read (default: %(default)s)")
    p.add_argument("--exercises", default="exercises", metavar="DIR",
                   help="where exercise notebooks go (default: %(default)s)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 and list the files that are out of date, "
                   "missing or extra")
    p.set_defaults(func=_make_exercises)

    p = sub.add_parser(
        "grade",
        help="grade notebooks, or a whole class, apart from the learners' code",
        description="Grade notebooks as an instructor can trust: each runs in a fresh kernel "
        "of its own, from a copy, where exercise checks only record answers; the course's own "
        "questions are then checked by a judge in a separate process (nothing a notebook "
        "prints or patches counts). Files are never modified. Exit status: 0 if every question "
        "of every notebook is correct, 1 otherwise, 2 for usage errors.",
        epilog="layouts: notebooks NN_name.ipynb; a folder of them; files named "
        "LEARNER__NN_name.ipynb; or a class folder with one sub-folder per learner.\n"
        "gradebook (--csv): columns learner, one per exercise (or exercise:question with "
        "--per-question), total; one row per learner; points as numbers.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="notebooks, folders of notebooks, or a class folder")
    p.add_argument("--timeout", type=float, default=60, metavar="SECONDS",
                   help="time limit per cell (default: %(default)s)")
    p.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                   help="wall-clock limit per check (default: each question's own)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="notebooks graded at once (default: the number of cores)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--csv", metavar="FILE", help="also write a gradebook CSV for an LMS")
    p.add_argument("--per-question", action="store_true",
                   help="gradebook columns per question instead of per exercise")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_grade)

    p = sub.add_parser(
        "progress",
        help="show which exercise questions you have passed so far",
        description="Show, per exercise, the questions passed so far, from the record every "
        "check keeps (DLCOURSE_PROGRESS names the file; default "
        "~/.local/share/dlcourse/progress.json).",
    )
    p.add_argument("--file", metavar="PATH", help="read this progress file instead")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=_progress)
    _add_class_commands(sub)
    return parser


def _add_class_commands(sub) -> None:
    """``link`` and ``collect``: running the course for a class on a JupyterHub (deploy/)."""
    p = sub.add_parser(
        "link",
        help="print the link that puts the course in every learner's home on a JupyterHub",
        description="Print the nbgitpuller link for a hub: a learner who opens it gets the "
        "course cloned (or updated, keeping their edits) in their home and opened at "
        "START_HERE.ipynb, or at the lesson or exercise given.",
    )
    p.add_argument("hub", metavar="HUB_URL", help="the hub's address, e.g. https://hub.example.org")
    p.add_argument("repo", metavar="REPO_URL",
                   help="the course repository, e.g. https://github.com/ORG/dlcourse")
    p.add_argument("--branch", default="main", help="branch to pull (default: %(default)s)")
    p.add_argument("--lesson", metavar="N", help="open this lesson, e.g. 08 or 08_learning_rate")
    p.add_argument("--exercise", metavar="N", help="open this exercise notebook, e.g. 03")
    p.add_argument("--course-dir", metavar="DIR",
                   help="the course repository checkout whose lessons/ and exercises/ are "
                   "checked (default: this package's checkout, else the working folder)")
    p.set_defaults(func=_link)

    p = sub.add_parser(
        "collect",
        help="copy every learner's exercise notebooks into one folder per learner, for grading",
        description="Copy the exercise notebooks from learners' home folders (TLJH homes "
        "jupyter-<name>, or any folder with one folder per learner) to OUT/<learner>/, the "
        "layout 'dlcourse grade' takes. Learners' files are only read. Exit status: 0 if every "
        "notebook found was copied, 1 if some were set aside (corrupt, unreadable), 2 on usage "
        "errors.",
    )
    p.add_argument("source", metavar="HOMES", help="folder of learners' folders, e.g. /home")
    p.add_argument("out", metavar="OUT", help="new or empty folder to copy into")
    p.add_argument("--repo-dir", default="dlcourse", metavar="NAME",
                   help="the course's folder in each home (default: %(default)s)")
    p.add_argument("--course-dir", metavar="DIR",
                   help="course checkout whose exercises/ lists what each learner should have")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=_collect)


def main(argv: list[str] | None = None) -> int:
    """Run the ``dlcourse`` command; returns the exit status (2 for usage errors)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return exc.code if isinstance(exc.code, int) else 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
