"""``dlcourse collect``: notebooks copied byte for byte; missing and corrupt ones reported."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dlcourse.cli import main
from dlcourse.instructor.collect import CollectError, collect

EXPECTED = ["01_linear_unit.ipynb", "02_multiple_inputs.ipynb"]


def notebook_bytes(text: str) -> bytes:
    return nbformat.writes(new_notebook(cells=[new_code_cell(text)])).encode()


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``root``: its digest and modification time (to prove nothing changed)."""
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                       p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def tljh_homes(tmp_path):
    """Three TLJH homes: complete, one corrupt plus one missing, and one without the course."""
    homes = tmp_path / "home"
    ada = homes / "jupyter-ada" / "dlcourse" / "exercises"
    ada.mkdir(parents=True)
    for name in EXPECTED:
        (ada / name).write_bytes(notebook_bytes(f"# ada {name}"))
    (ada / ".ipynb_checkpoints").mkdir()
    (ada / ".ipynb_checkpoints" / "01_linear_unit-checkpoint.ipynb").write_bytes(b"{}")
    bob = homes / "jupyter-bob" / "dlcourse" / "exercises"
    bob.mkdir(parents=True)
    (bob / "01_linear_unit.ipynb").write_bytes(b'{"cells": [ truncated')
    (homes / "jupyter-cy").mkdir()
    (homes / "jupyter-cy" / "notes.txt").write_text("no course here")
    (homes / "admin").mkdir()  # not a learner's home on TLJH
    return homes


def test_tljh_homes_collected_with_missing_and_corrupt_reported(tljh_homes, tmp_path):
    before = snapshot(tljh_homes)
    out = tmp_path / "submissions"
    reports = {r.learner: r for r in collect(tljh_homes, out, expected=EXPECTED)}

    assert sorted(reports) == ["ada", "bob", "cy"]
    assert reports["ada"].collected == EXPECTED and not reports["ada"].problems
    assert reports["bob"].collected == []
    assert "not valid JSON" in reports["bob"].problems["01_linear_unit.ipynb"]
    assert reports["bob"].missing == ["02_multiple_inputs.ipynb"]
    assert "no exercise notebooks" in reports["cy"].problems["(home)"]
    assert reports["cy"].missing == EXPECTED

    assert sorted(p.name for p in out.iterdir()) == ["ada", "bob", "cy"]
    for name in EXPECTED:
        assert (out / "ada" / name).read_bytes() == (
            tljh_homes / "jupyter-ada" / "dlcourse" / "exercises" / name).read_bytes()
    assert not any((out / "bob").iterdir()) and not any((out / "cy").iterdir())
    assert snapshot(tljh_homes) == before  # nothing moved or changed


def test_any_folder_per_learner(tmp_path):
    root = tmp_path / "class"
    (root / "dana" / "exercises").mkdir(parents=True)
    (root / "dana" / "exercises" / "01_linear_unit.ipynb").write_bytes(notebook_bytes("1"))
    (root / "eli").mkdir(parents=True)
    (root / "eli" / "02_multiple_inputs.ipynb").write_bytes(notebook_bytes("2"))
    (root / "eli" / "03_layers.ipynb").write_bytes(b"\xff\xfe not text")
    (root / "eli" / "04_activation_functions.ipynb").write_text(json.dumps({"cells": 3}))
    reports = {r.learner: r for r in collect(root, tmp_path / "out", expected=EXPECTED)}
    assert reports["dana"].collected == ["01_linear_unit.ipynb"]
    assert reports["eli"].collected == ["02_multiple_inputs.ipynb"]
    assert "not text" in reports["eli"].problems["03_layers.ipynb"]
    assert "not a valid notebook" in reports["eli"].problems["04_activation_functions.ipynb"]


def test_symbolic_links_and_folders_in_place_of_notebooks_are_set_aside(tmp_path):
    root = tmp_path / "class"
    ex = root / "fay" / "dlcourse" / "exercises"
    ex.mkdir(parents=True)
    other = tmp_path / "someone_else.ipynb"
    other.write_bytes(notebook_bytes("not fay's"))
    os.symlink(other, ex / "01_linear_unit.ipynb")
    (ex / "02_multiple_inputs.ipynb").mkdir()
    (report,) = collect(root, tmp_path / "out", expected=EXPECTED)
    assert report.collected == []
    assert "symbolic link" in report.problems["01_linear_unit.ipynb"]
    assert "not a regular file" in report.problems["02_multiple_inputs.ipynb"]


@pytest.mark.parametrize("case", ["missing source", "source is a file", "no learners",
                                  "out not empty", "out inside source"])
def test_unusable_folders_are_refused(tmp_path, case):
    source, out = tmp_path / "homes", tmp_path / "out"
    source.mkdir()
    (source / "ada").mkdir()
    if case == "missing source":
        source = tmp_path / "nowhere"
    elif case == "source is a file":
        source = tmp_path / "file"
        source.write_text("x")
    elif case == "no learners":
        source = tmp_path / "empty"
        source.mkdir()
    elif case == "out not empty":
        out.mkdir()
        (out / "old").mkdir()
    else:
        out = source / "ada" / "collected"
    with pytest.raises(CollectError):
        collect(source, out)


def test_cli_reports_and_exit_status(tljh_homes, tmp_path, capsys):
    assert main(["collect", str(tljh_homes), str(tmp_path / "a")]) == 1  # bob's is corrupt
    out = capsys.readouterr().out
    assert "bob" in out and "not valid JSON" in out and "2 notebooks of 3 learners" in out
    assert main(["collect", str(tljh_homes), str(tmp_path / "b"), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [r["learner"] for r in data["learners"]] == ["ada", "bob", "cy"]
    assert main(["collect", str(tmp_path / "nowhere"), str(tmp_path / "c")]) == 2
    assert "not found" in capsys.readouterr().err
