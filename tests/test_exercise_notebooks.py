"""The shipped exercises as a whole: one per lesson 01-10, generated from the solutions, and graded
by `dlcourse grade` as an instructor would: solutions 100%, untouched exercises 0%."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Every lesson but 00 (test_lessons.py checks the lessons themselves).
EXERCISES = sorted(p.stem for p in (ROOT / "lessons").glob("*.ipynb"))[1:]


@pytest.fixture(scope="module")
def graded() -> dict[str, list[dict]]:
    """Solutions and exercises graded in one parallel run, as an instructor would."""
    before = {folder: digests(folder) for folder in ("solutions", "exercises")}
    result = subprocess.run([sys.executable, "-m", "dlcourse.cli", "grade", "--json", "--quiet",
                             "solutions", "exercises"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    report = json.loads(result.stdout)
    assert result.returncode == 1  # the exercises are not passed
    assert {folder: digests(folder) for folder in before} == before
    by_folder: dict[str, list[dict]] = {"solutions": [], "exercises": []}
    for notebook in report["notebooks"]:
        by_folder[Path(notebook["path"]).parent.name].append(notebook)
    return by_folder


def digests(folder: str) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((ROOT / folder).glob("*.ipynb"))}


def test_one_exercise_per_lesson_from_01_on():
    for folder in ("solutions", "exercises"):
        assert sorted(p.stem for p in (ROOT / folder).glob("*.ipynb")) == EXERCISES


def test_exercises_are_generated_from_the_solutions():
    result = subprocess.run([sys.executable, "-m", "dlcourse.cli", "make-exercises", "--check"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_solutions_grade_full_marks_and_leave_the_files_alone(graded):
    assert len(graded["solutions"]) == len(EXERCISES)
    for notebook in graded["solutions"]:
        assert notebook["status"] == "ok" and notebook["passed"], notebook
        assert len(notebook["questions"]) >= 3, f"{notebook['path']}: at least three questions"
        assert notebook["points"] == notebook["max_points"] > 0
        assert notebook["flags"] == [] and notebook["notes"] == [], notebook
        assert Path(notebook["path"]).stem == notebook["exercise"]


@pytest.mark.slow
def test_shipped_exercises_grade_zero_with_every_question_not_attempted(graded):
    assert len(graded["exercises"]) == len(EXERCISES)
    for notebook in graded["exercises"]:
        assert notebook["status"] == "ok", notebook  # they run top to bottom without error
        assert notebook["points"] == 0 and notebook["max_points"] > 0
        assert {q["outcome"] for q in notebook["questions"]} == {"not attempted"}, notebook
        assert notebook["flags"] == [] and notebook["notes"] == [], notebook
