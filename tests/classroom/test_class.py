"""A simulated class on a real JupyterHub: five learners, the nbgitpuller link, lesson 08 and
exercise 01 in each learner's own kernel, one learner in a real browser, then collect and grade.

The gradebook must give each learner exactly the points of the answers they gave.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from dlcourse.instructor.link import nbgitpuller_link

from . import answers
from .answers import NONE, RIGHT
from .answers import WRONG_ANSWER as WRONG
from .browser import click_link
from .grading import collect, gradebook, points_for
from .hub import REPO, REPO_DIR, Learner, course_repo, error_outputs, port_open

pytestmark = pytest.mark.classroom

LESSON = "lessons/08_learning_rate.ipynb"
EXERCISE = f"exercises/{answers.EXERCISE}"
# What each learner answers in exercise 01 (q1 before q2: q2's right answer uses q1's function).
CLASS = {
    "ada": dict(q1=RIGHT, q2=RIGHT, q3=RIGHT, q4=RIGHT, q5=RIGHT),
    "bob": dict(q1=WRONG, q2=WRONG, q3=WRONG, q4=WRONG, q5=WRONG),
    "cy": dict(q1=RIGHT, q2=RIGHT, q3=WRONG, q4=WRONG, q5=RIGHT),
    "dee": dict(q1=RIGHT, q2=NONE, q3=NONE, q4=NONE, q5=NONE),
    "eve": dict(q1=RIGHT, q2=RIGHT, q3=RIGHT, q4=RIGHT, q5=WRONG),
}
IN_BROWSER = "cy"  # clicks the link in Chromium before their server exists
SHOWN = {RIGHT: "Correct", WRONG: "Incorrect", NONE: "Not attempted"}


def lesson_heading() -> str:
    first = nbformat.read(REPO / LESSON, as_version=4).cells[0].source
    return first.splitlines()[0].lstrip("# ").strip()


def shown_outcomes(nb) -> dict[str, str]:
    """``{qid: "Correct" | "Incorrect" | "Not attempted"}`` as each check cell shows it."""
    shown = {}
    for cell in nb.cells:
        match = answers.CHECK.search(cell.source) if cell.cell_type == "code" else None
        if match:
            text = "\n".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            shown[match.group(1)] = next((t for t in SHOWN.values() if text.startswith(t)), text)
    return shown


def learner_session(learner: Learner, link: str) -> dict:
    """What one learner does: log in, open the link, run lesson 08, answer exercise 01, save."""
    learner.login()
    learner.follow_link(link)
    lesson = learner.run_notebook(f"{REPO_DIR}/{LESSON}", timeout=180)
    path = f"{REPO_DIR}/{EXERCISE}"
    mine = answers.answered(learner.read_notebook(path), CLASS[learner.name])
    done = learner.run_notebook(path, mine)
    learner.save_notebook(path, done)
    return {"lesson_errors": error_outputs(lesson), "shown": shown_outcomes(done)}


def test_a_class_of_five_on_a_real_hub(browser_parts, make_hub, tmp_path):
    begin = time.perf_counter()
    steps: dict[str, float] = {}  # seconds since the start at the end of each step (-rP shows)

    def step(name: str) -> None:
        steps[name] = round(time.perf_counter() - begin, 1)
        print(f"{steps[name]:7.1f} s  {name}")

    repo = course_repo(tmp_path / f"{REPO_DIR}.git")
    hub = make_hub()
    step("course repository built, hub started")
    learners = {name: Learner(hub, name) for name in CLASS}
    others = [name for name in CLASS if name != IN_BROWSER]
    for name in others:
        hub.api("POST", f"/users/{name}").raise_for_status()
        hub.spawn(name)

    link = nbgitpuller_link(hub.url, f"file://{repo}", notebook=LESSON)
    seconds = click_link(hub.url, IN_BROWSER, link, "08_learning_rate.ipynb", lesson_heading())
    assert seconds < 120
    assert (learners[IN_BROWSER].home / REPO_DIR / LESSON).is_file()
    hub.wait_ready(others)
    step(f"{IN_BROWSER} clicked the link in Chromium and saw lesson 08; the others' servers up")

    home_link = nbgitpuller_link(hub.url, f"file://{repo}")  # the course home, START_HERE
    with ThreadPoolExecutor(len(learners)) as pool:
        sessions = dict(zip(learners, pool.map(lambda n: learner_session(learners[n], home_link),
                                               learners)))
    step("every learner pulled the course, ran lesson 08 and answered exercise 01")
    for name, session in sessions.items():
        assert (learners[name].home / REPO_DIR / "START_HERE.ipynb").is_file()
        assert session["lesson_errors"] == [], f"{name}'s lesson 08: {session['lesson_errors']}"
        expected = {qid: SHOWN[kind] for qid, kind in CLASS[name].items()}
        assert session["shown"] == expected, f"{name}'s checks in the notebook"

    submissions = tmp_path / "submissions"
    collected = collect(hub.homes, submissions)
    report = {r["learner"]: r for r in json.loads(collected.stdout)["learners"]}
    assert sorted(report) == sorted(CLASS)
    for name in CLASS:
        assert answers.EXERCISE in report[name]["collected"]
        saved = learners[name].home / REPO_DIR / EXERCISE
        assert (submissions / name / answers.EXERCISE).read_bytes() == saved.read_bytes()

    step("collected")
    rows = gradebook(submissions, tmp_path / "gradebook.csv")
    got = points_for(rows, answers.EXERCISE.removesuffix(".ipynb"))
    worth = answers.points()
    expected = {name: float(sum(worth[q] for q, kind in given.items() if kind == RIGHT))
                for name, given in CLASS.items()}
    step("graded")
    assert got == expected

    ports = (hub.port, hub.hub_port, hub.api_port)
    assert hub.stop() == [], "processes left after the hub's own shutdown"
    assert hub.alive() == []
    assert not any(port_open(p) for p in ports)
