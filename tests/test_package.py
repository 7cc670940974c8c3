"""The package as a whole: light import, the public API of DESIGN.md, lint."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PUBLIC_API = """Tensor dot relu sigmoid softmax exp log mse mae binary_crossentropy
categorical_crossentropy sparse_categorical_crossentropy LinearUnit Dense ReLU Sigmoid Softmax
Sequential SGD fit gradcheck datasets no_grad evaluate predict accuracy History""".split()


def test_public_api_is_all_there():
    import dlcourse as dl

    missing = [name for name in PUBLIC_API if not hasattr(dl, name)]
    assert not missing
    assert callable(dl.datasets.load_digits)


def test_import_is_light():
    code = ("import sys, dlcourse; heavy = [m for m in ('matplotlib', 'ipywidgets', 'IPython', "
            "'tqdm', 'urllib.request') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed")
    result = subprocess.run([ruff, "check", "dlcourse", "tests", "benchmarks", "tools"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
