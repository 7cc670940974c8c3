"""``dlcourse link``: the nbgitpuller link that puts the course in every learner's home on a hub.

A learner who clicks the link logs in to the hub, nbgitpuller clones the course repository into
their home (or merges the newest version into the copy they already have, keeping their edits),
and JupyterLab opens the course home, ``START_HERE.ipynb``, or the lesson or exercise asked for.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

HOME_NOTEBOOK = "START_HERE.ipynb"
PATHS = ("targetpath", "urlpath")  # kept readable in the link; the rest fully encoded
HUB_SCHEMES = ("https", "http")
REPO_SCHEMES = ("https", "http", "git", "ssh", "file")
# git check-ref-format, in short: no spaces, control characters, "..", "@{", or any of ~^:?*[\
_BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|^[-/.]|[/.]$|\.lock$|^@$")


class LinkError(ValueError):
    """An input that cannot make a working link; the message says what was expected."""


def hub_base(url: str) -> str:
    """The hub's address without a trailing slash, e.g. ``https://hub.example.org``."""
    parts = _split(url, "hub URL", "https://hub.example.org")
    if parts.scheme not in HUB_SCHEMES:
        raise LinkError(f"hub URL must start with https:// (or http://), got {url!r}")
    if not parts.hostname:
        raise LinkError(f"hub URL must name a host, as in https://hub.example.org, got {url!r}")
    if parts.query or parts.fragment:
        raise LinkError(f"hub URL must be the hub's address alone, without ?... or #..., "
                        f"got {url!r}")
    path = parts.path.rstrip("/")
    hub_page = re.search(r"(^|/)(hub|user)(/|$)", path)
    if hub_page:
        base = f"{parts.scheme}://{parts.netloc}{path[:hub_page.start()]}"
        raise LinkError(f"hub URL must be the hub's address, not one of its pages: got {url!r}, "
                        f"did you mean {base!r}?")
    return f"{parts.scheme}://{parts.netloc}{path}"


def repo_dir(repo: str) -> str:
    """The folder the course lands in, in each learner's home: the repository's name."""
    name = repo.rstrip("/").rsplit("/", 1)[-1]
    return name[:-4] if name.endswith(".git") else name


def check_repo(repo: str) -> str:
    """``repo`` if git on the learners' servers can clone it without asking for credentials."""
    if re.match(r"^[\w.-]+@[\w.-]+:", repo):
        raise LinkError(f"repository URL {repo!r} is an SSH address, which needs a key that "
                        "learners' servers do not have: give its https:// address")
    parts = _split(repo, "repository URL", "https://github.com/ORG/dlcourse")
    if parts.scheme not in REPO_SCHEMES:
        raise LinkError(f"repository URL must start with https:// (or {', '.join(REPO_SCHEMES[1:])}"
                        f"), got {repo!r}")
    if parts.scheme != "file" and not parts.hostname:
        raise LinkError(f"repository URL must name a host, as in https://github.com/ORG/dlcourse, "
                        f"got {repo!r}")
    if parts.query or parts.fragment:
        raise LinkError(f"repository URL must not carry ?... or #... (give the branch with "
                        f"--branch), got {repo!r}")
    name = repo_dir(parts.path)
    if not name or name in (".", ".."):
        raise LinkError(f"repository URL must end with the repository's name, as in "
                        f"https://github.com/ORG/dlcourse, got {repo!r}")
    return repo


def check_branch(branch: str) -> str:
    """``branch`` if git accepts it as a branch name."""
    if not branch or _BAD_REF.search(branch):
        raise LinkError(f"branch must be a git branch name such as 'main', got {branch!r}")
    return branch


def course_notebook(course: Path, lesson: str | None = None, exercise: str | None = None) -> str:
    """The notebook to open, relative to the repository root: the course home by default.

    ``lesson``/``exercise`` is a number (``8``, ``08``), a name (``08_learning_rate``) or a file
    name; it must exist in ``course``'s ``lessons/`` or ``exercises/`` folder.
    """
    if lesson is not None and exercise is not None:
        raise LinkError("give --lesson or --exercise, not both")
    if lesson is None and exercise is None:
        return HOME_NOTEBOOK
    folder, wanted = ("lessons", lesson) if lesson is not None else ("exercises", exercise)
    available = sorted(p.name for p in (course / folder).glob("[0-9][0-9]_*.ipynb"))
    if not available:
        raise LinkError(f"no notebooks in {course / folder}: run from the course repository "
                        "or give it with --course-dir")
    key = wanted.strip().removesuffix(".ipynb").rsplit("/", 1)[-1]
    if key.isdigit():
        key = f"{int(key):02d}"
    matches = [n for n in available if n.removesuffix(".ipynb") == key or n[:2] == key]
    if not matches:
        kind = folder[:-1]
        raise LinkError(f"unknown {kind} {wanted!r}: the {folder} are "
                        + ", ".join(n.removesuffix(".ipynb") for n in available))
    return f"{folder}/{matches[0]}"


def nbgitpuller_link(hub: str, repo: str, branch: str = "main",
                     notebook: str = HOME_NOTEBOOK) -> str:
    """The link that clones ``repo`` (``branch``) into a learner's home and opens ``notebook``."""
    base = hub_base(hub)
    check_repo(repo)
    check_branch(branch)
    folder = repo_dir(urlsplit(repo).path)
    query = [("repo", repo), ("branch", branch)]
    if folder != repo.rstrip("/").rsplit("/", 1)[-1]:
        query.append(("targetpath", folder))  # "dlcourse.git" would otherwise clone as such
    query.append(("urlpath", f"lab/tree/{folder}/{notebook}"))
    encoded = "&".join(f"{key}={quote(value, safe='/' if key in PATHS else '')}"
                       for key, value in query)
    return f"{base}/hub/user-redirect/git-pull?{encoded}"


def default_course_dir() -> Path:
    """The course repository holding this package when it is a checkout, else the working folder."""
    checkout = Path(__file__).resolve().parents[2]
    return checkout if (checkout / "lessons").is_dir() else Path.cwd()


def _split(url: str, what: str, example: str):
    if not isinstance(url, str) or not url.strip() or url != url.strip():
        raise LinkError(f"{what} must be an address such as {example}, got {url!r}")
    if "://" not in url and url.startswith("/"):
        raise LinkError(f"{what} must be an address such as {example}, got the local path "
                        f"{url!r} (on the hub's own machine, write it file://{url})")
    if "://" not in url:
        raise LinkError(f"{what} must be an address such as {example}, got {url!r} "
                        "(no scheme: add https://)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError as exc:
        raise LinkError(f"{what} {url!r} is not a valid address: {exc}") from None
    return parts


def run(hub: str, repo: str, branch: str = "main", lesson: str | None = None,
        exercise: str | None = None, course_dir: str | None = None) -> int:
    """Print the link; on bad input print the reason and return 2."""
    import sys

    try:
        course = Path(course_dir) if course_dir else default_course_dir()
        notebook = course_notebook(course, lesson, exercise)
        print(nbgitpuller_link(hub, repo, branch, notebook))
    except LinkError as exc:
        print(f"dlcourse link: {exc}", file=sys.stderr)
        return 2
    return 0
