"""What a class costs on one machine: a real JupyterHub on 127.0.0.1, timed as a class uses it.

    .venv/bin/python benchmarks/classroom.py [--one-by-one 5] [--at-once 20] [--class-size 5]

Prints: the hub's start time; the spawn time of learners' servers one after another, then
``--at-once`` of them together; memory per learner (the server and a kernel that has run
lesson 08: RSS summed over the process tree, and PSS, which shares common pages fairly); the time
from clicking the nbgitpuller link to the lesson shown in Chromium (server already running, and
not yet started); and the time to collect and grade the class. Closes with what those figures
mean for 100 learners on one 16-core / 64 GB server. Everything runs in a temporary folder and is
stopped by process id at the end. The figures depend on the machine's load: note it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from classroom import answers  # noqa: E402
from classroom.browser import browser_missing, click_link  # noqa: E402
from classroom.grading import collect, gradebook  # noqa: E402
from classroom.hub import REPO_DIR, Hub, Learner, course_repo, missing_parts  # noqa: E402

from dlcourse.instructor.link import nbgitpuller_link  # noqa: E402

LESSON = "lessons/08_learning_rate.ipynb"
MB = 1024 * 1024


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return (f"median {statistics.median(values):.1f} s, min {min(values):.1f}, "
            f"max {max(values):.1f} (n={len(values)})")


def memory(learner: Learner) -> tuple[float, float]:
    """(RSS, PSS) in MB of the learner's server and its kernels."""
    rss = pss = 0
    for proc in learner.server_processes():
        info = proc.memory_full_info()
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss / MB, pss / MB


def wait_stopped(hub: Hub, names: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(not hub.api("GET", f"/users/{n}").json()["servers"] for n in names):
            return
        time.sleep(0.5)
    raise TimeoutError(f"servers of {names} still up after {timeout} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one-by-one", type=int, default=5, metavar="N")
    parser.add_argument("--at-once", type=int, default=20, metavar="N")
    parser.add_argument("--class-size", type=int, default=5, metavar="N",
                        help="learners who run lesson 08 and exercise 01 (memory, grading)")
    args = parser.parse_args()
    missing = missing_parts() or browser_missing()
    if missing:
        print(f"cannot run: {missing}", file=sys.stderr)
        return 2
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="dlcourse-classroom-") as tmp:
        work = Path(tmp)
        repo = course_repo(work / f"{REPO_DIR}.git")
        hub = Hub(work / "hub", spawn_timeout=300)
        try:
            results["hub start"] = hub.start(timeout=180)
            print(f"hub start: {results['hub start']:.1f} s")

            serial = []
            for i in range(args.one_by_one):
                name = f"serial{i}"
                hub.api("POST", f"/users/{name}").raise_for_status()
                hub.spawn(name)
                serial += list(hub.wait_ready([name]).values())
            print(f"spawn one after another: {spread(serial)}")
            names = [f"serial{i}" for i in range(args.one_by_one)]
            hub.stop_servers(names)
            wait_stopped(hub, names)

            crowd = [f"learner{i:02d}" for i in range(args.at_once)]
            for name in crowd:
                hub.api("POST", f"/users/{name}").raise_for_status()
            begin = time.perf_counter()
            for name in crowd:
                hub.spawn(name)
            together = hub.wait_ready(crowd)
            results["at once"] = time.perf_counter() - begin
            print(f"spawn {args.at_once} at once: all ready after {results['at once']:.1f} s; "
                  f"each {spread(list(together.values()))}")

            link = nbgitpuller_link(hub.url, f"file://{repo}", notebook=LESSON)
            heading = answers_heading()
            cold = click_link(hub.url, "browser-cold", link, "08_learning_rate.ipynb", heading)
            warm = click_link(hub.url, crowd[0], link, "08_learning_rate.ipynb", heading)
            print(f"link click to lesson 08 shown: {warm:.1f} s with the server running, "
                  f"{cold:.1f} s when the click also starts it")
            others = crowd[args.class_size:] + ["browser-cold"] + names
            hub.stop_servers(others)
            wait_stopped(hub, others)
            for name in others:  # only the class's homes are collected and graded
                shutil.rmtree(hub.homes / f"jupyter-{name}", ignore_errors=True)

            learners = [Learner(hub, name) for name in crowd[: args.class_size]]
            kinds = [answers.RIGHT, answers.WRONG_ANSWER, answers.NONE]

            def session(item: tuple[int, Learner]) -> tuple[float, float]:
                k, learner = item
                learner.login()
                learner.follow_link(link)
                learner.run_notebook(f"{REPO_DIR}/{LESSON}", timeout=300, keep=True)
                path = f"{REPO_DIR}/exercises/{answers.EXERCISE}"
                given = {q: kinds[(k + j) % 3] for j, q in enumerate(answers.answer_cells())}
                learner.save_notebook(path, answers.answered(learner.read_notebook(path), given))
                return memory(learner)

            with ThreadPoolExecutor(len(learners)) as pool:
                sizes = list(pool.map(session, enumerate(learners)))
            rss = [r for r, _ in sizes]
            pss = [p for _, p in sizes]
            results["rss"], results["pss"] = statistics.median(rss), statistics.median(pss)
            print(f"memory per learner after lesson 08 (server + kernel): RSS median "
                  f"{results['rss']:.0f} MB (max {max(rss):.0f}), PSS median "
                  f"{results['pss']:.0f} MB (max {max(pss):.0f})")

            begin = time.perf_counter()
            done = collect(hub.homes, work / "submissions")
            results["collect"] = time.perf_counter() - begin
            begin = time.perf_counter()
            gradebook(work / "submissions", work / "gradebook.csv")
            results["grade"] = time.perf_counter() - begin
            results["per notebook"] = results["grade"] / len(learners)
            print(f"collect {len(learners)} learners: {results['collect']:.1f} s "
                  f"(exit {done.returncode}); grade them (one exercise each): "
                  f"{results['grade']:.1f} s, {results['per notebook']:.1f} s per notebook")
        finally:
            left = hub.stop()
            if left:
                print(f"killed after the hub's shutdown: {left}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(projection(results, args.at_once))
    return 0


def answers_heading() -> str:
    import nbformat

    first = nbformat.read(ROOT / LESSON, as_version=4).cells[0].source
    return first.splitlines()[0].lstrip("# ").strip()


def projection(r: dict[str, float], at_once: int) -> str:
    """What the figures mean for 100 learners on one 16-core / 64 GB server (TLJH)."""
    cores, ram_gb, learners = 16, 64, 100
    per = r["pss"]
    hub_overhead_gb = 2  # hub, proxy, system: generous
    fits = int((ram_gb - hub_overhead_gb) * 1024 / per)
    storm = r["at once"] * (learners / at_once) * ((os.cpu_count() or 2) / cores)
    return (
        f"\nFor {learners} learners on one {cores}-core / {ram_gb} GB server (TLJH):\n"
        f"  memory: {learners} x {per:.0f} MB = {learners * per / 1024:.1f} GB with every "
        f"learner's lesson 08 kernel open; the machine holds about {fits} such learners\n"
        f"  a whole class clicking at once: about {storm:.0f} s until the last server is up "
        f"(scaled from {at_once} at once here, by learners and cores)\n"
        f"  grading a week's exercise for the class: {learners} notebooks x "
        f"{r['per notebook']:.1f} s / {cores} cores x {os.cpu_count() or 2} here = about "
        f"{learners * r['per notebook'] * (os.cpu_count() or 2) / cores / 60:.1f} min"
    )


if __name__ == "__main__":
    sys.exit(main())
