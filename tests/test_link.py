"""``dlcourse link``: the nbgitpuller link, and clear errors for addresses that cannot work."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from dlcourse.cli import main
from dlcourse.instructor.link import LinkError, course_notebook, nbgitpuller_link

ROOT = Path(__file__).resolve().parents[1]
HUB = "https://hub.example.org"
REPO = "https://github.com/example/dlcourse"


def query(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


def test_link_opens_the_course_home_by_default():
    link = nbgitpuller_link(HUB + "/", REPO)
    assert link.startswith(f"{HUB}/hub/user-redirect/git-pull?")
    assert query(link) == {"repo": REPO, "branch": "main",
                           "urlpath": "lab/tree/dlcourse/START_HERE.ipynb"}


def test_link_to_a_repository_ending_in_git_clones_into_its_plain_name():
    link = nbgitpuller_link(HUB, REPO + ".git", branch="spring-2027")
    assert query(link) == {"repo": REPO + ".git", "branch": "spring-2027",
                           "targetpath": "dlcourse",
                           "urlpath": "lab/tree/dlcourse/START_HERE.ipynb"}


def test_hub_under_a_path_keeps_it():
    link = nbgitpuller_link("https://example.org/jupyter/", REPO)
    assert link.startswith("https://example.org/jupyter/hub/user-redirect/git-pull?")


@pytest.mark.parametrize("given", ["8", "08", "08_learning_rate", "08_learning_rate.ipynb",
                                   "lessons/08_learning_rate.ipynb"])
def test_lesson_by_number_or_name(given):
    assert course_notebook(ROOT, lesson=given) == "lessons/08_learning_rate.ipynb"


def test_exercise_by_number():
    assert course_notebook(ROOT, exercise="3") == "exercises/03_layers.ipynb"


@pytest.mark.parametrize("hub, repo, message", [
    ("hub.example.org", REPO, "no scheme: add https://"),
    ("ftp://hub.example.org", REPO, "hub URL must start with https://"),
    ("https://", REPO, "must name a host"),
    ("https://hub.example.org/hub/home", REPO, "did you mean 'https://hub.example.org'"),
    ("https://hub.example.org/user/ada/lab", REPO, "not one of its pages"),
    ("https://hub.example.org?next=x", REPO, "without ?"),
    ("https://hub.example.org:port", REPO, "is not a valid address"),
    ("", REPO, "hub URL must be an address"),
    (HUB, "github.com/example/dlcourse", "repository URL must be an address"),
    (HUB, "git@github.com:example/dlcourse.git", "SSH address"),
    (HUB, "ftp://example.org/dlcourse", "repository URL must start with https://"),
    (HUB, "https://github.com/", "must end with the repository's name"),
    (HUB, "https:///dlcourse", "must name a host"),
    (HUB, REPO + "#main", "--branch"),
    (HUB, " " + REPO, "repository URL must be an address"),
    (HUB, "/srv/dlcourse.git", "write it file:///srv/dlcourse.git"),
])
def test_bad_addresses_are_refused_with_the_reason(hub, repo, message):
    with pytest.raises(LinkError, match=None) as caught:
        nbgitpuller_link(hub, repo)
    assert message in str(caught.value)


@pytest.mark.parametrize("branch", ["", "a b", "-x", "a..b", "a~1", "main/", "x.lock"])
def test_bad_branch_names_are_refused(branch):
    with pytest.raises(LinkError, match="git branch name"):
        nbgitpuller_link(HUB, REPO, branch=branch)


def test_unknown_lesson_lists_the_lessons():
    with pytest.raises(LinkError, match="unknown lesson '42'.*08_learning_rate"):
        course_notebook(ROOT, lesson="42")


def test_lesson_and_exercise_together_are_refused():
    with pytest.raises(LinkError, match="not both"):
        course_notebook(ROOT, lesson="1", exercise="1")


def test_cli_prints_the_link(capsys):
    assert main(["link", HUB, REPO, "--lesson", "8", "--course-dir", str(ROOT)]) == 0
    out = capsys.readouterr().out.strip()
    assert query(out)["urlpath"] == "lab/tree/dlcourse/lessons/08_learning_rate.ipynb"


def test_cli_bad_input_exits_2_with_the_reason(capsys):
    assert main(["link", "hub.example.org", REPO]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "dlcourse link: hub URL must be an address" in captured.err
