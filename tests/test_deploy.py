"""deploy/: the learners' environment is the tested one, and the hub settings hang together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def requirement_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_learners_get_what_the_tests_install():
    assert requirement_lines(DEPLOY / "requirements.txt") == [".[course,class]"]
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert {"course", "class"} <= set(extras)
    assert "dlcourse[course,class]" in extras["test"]
    assert any(r.startswith("jupyterhub") for r in extras["class"])
    assert any(r.startswith("nbgitpuller") for r in extras["class"])


def test_the_image_installs_the_requirements_and_runs_the_single_user_server():
    docker = (DEPLOY / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r deploy/requirements.txt" in docker
    assert 'CMD ["jupyterhub-singleuser"]' in docker
    for copied in re.findall(r"^COPY (.+) \S+$", docker, re.M):
        for name in copied.split():
            assert (ROOT / name).exists(), f"the Dockerfile copies {name}, which is missing"


def quantity(text: str) -> float:
    """A Kubernetes memory quantity (512M, 1G, 1Gi) in bytes."""
    number, unit = re.fullmatch(r"([\d.]+)\s*([KMGT]i?)?", str(text)).groups()
    powers = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30,
              "Ti": 2**40}
    return float(number) * powers.get(unit or "", 1)


def test_zero_to_jupyterhub_values_give_every_learner_a_bounded_share():
    yaml = pytest.importorskip("yaml")
    values = yaml.safe_load((DEPLOY / "config.yaml").read_text())
    user = values["singleuser"]
    assert 0 < quantity(user["memory"]["guarantee"]) <= quantity(user["memory"]["limit"])
    assert 0 < float(user["cpu"]["guarantee"]) <= float(user["cpu"]["limit"])
    assert user["image"]["name"] and user["defaultUrl"] == "/lab"
    assert values["cull"]["enabled"] is True


def test_the_readme_names_every_file_of_the_folder():
    readme = (DEPLOY / "README.md").read_text()
    for path in DEPLOY.iterdir():
        if path.name != "README.md" and not path.name.startswith("."):
            assert path.name in readme, f"deploy/README.md does not describe {path.name}"
