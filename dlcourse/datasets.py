"""Datasets for the course: real digits offline, small synthetic sets, and optional MNIST.

Three kinds of data live here.

**Real handwritten digits, bundled and offline.** :func:`load_digits` returns the UCI
"Optical Recognition of Handwritten Digits" test set (1797 images of 8x8 pixels, values 0..16),
stored in the package as ``dlcourse/data/digits.csv.gz``. The file's SHA-256 is checked on the
first load; ``dlcourse/data/PROVENANCE.md`` records where it comes from and under which licence.
The train/test split is fixed and does not use a random number generator: sample ``i`` goes to
the test set when ``i % 5 == 0`` (360 test, 1437 train), so it is the same on every machine and
every numpy version.

**Small synthetic sets**, each seeded so that a lesson draws the same points every run:
:func:`noisy_line` (lesson 01), :func:`plane` (lesson 02), and the two-class toy problems
:func:`moons`, :func:`spirals` and :func:`blobs` for classification.

**Full MNIST, only on request.** :func:`load_mnist` downloads the four 28x28 MNIST files from a
public mirror, checks their SHA-256, caches them (``~/.cache/dlcourse/mnist`` by default) and
parses the IDX format with numpy. Nothing in this module touches the network at import time, and
nothing but :func:`load_mnist` ever does.

>>> from dlcourse import datasets
>>> (x_train, y_train), (x_test, y_test) = datasets.load_digits()
>>> x_train.shape, x_test.shape
((1437, 64), (360, 64))
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import numbers
import os
import struct
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from dlcourse.checks import finite_number, float_dtype, positive_number, whole_number
from dlcourse.seeding import generator

if TYPE_CHECKING:  # numpy.typing costs ~20 ms to import; annotations only need its name
    from numpy.typing import DTypeLike

__all__ = [
    "ChecksumError",
    "DownloadError",
    "DIGITS_SHA256",
    "MNIST_URL",
    "MNIST_SHA256",
    "load_digits",
    "load_mnist",
    "noisy_line",
    "plane",
    "moons",
    "spirals",
    "blobs",
]

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class ChecksumError(ValueError):
    """A data file's SHA-256 is not the one expected."""


class DownloadError(OSError):
    """A file could not be downloaded (network unreachable, HTTP error, timeout...)."""


# --------------------------------------------------------------------------------------------
# Bundled digits
# --------------------------------------------------------------------------------------------

_DATA_DIR = Path(__file__).resolve().parent / "data"
_DIGITS_PATH = _DATA_DIR / "digits.csv.gz"
#: SHA-256 of ``dlcourse/data/digits.csv.gz`` (see ``dlcourse/data/PROVENANCE.md``).
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
_DIGITS_TEST_EVERY = 5  # sample i is a test sample when i % 5 == 0


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Read, verify and parse the bundled file once per process (read-only arrays)."""
    raw = _DIGITS_PATH.read_bytes()
    actual = _sha256_bytes(raw)
    if actual != DIGITS_SHA256:
        raise ChecksumError(
            f"the bundled digits file {_DIGITS_PATH} is corrupt or was modified: "
            f"expected sha256 {DIGITS_SHA256}, got {actual}; reinstall dlcourse"
        )
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.uint8, ndmin=2)
    if table.shape != (1797, 65):
        raise ValueError(f"digits file should hold 1797 rows of 65 columns, got {table.shape}")
    pixels = table[:, :64].reshape(-1, 8, 8)
    labels = table[:, 64].astype(np.int64)
    pixels.flags.writeable = False
    labels.flags.writeable = False
    return pixels, labels


def _images_to_x(
    images: np.ndarray, scale: float, normalize: bool, flatten: bool, dtype: np.dtype
) -> np.ndarray:
    x = images.astype(dtype)  # always a fresh array
    if normalize:
        x /= dtype.type(scale)
    if flatten:
        x = x.reshape(len(x), -1)
    return x


def load_digits(
    normalize: bool = True, flatten: bool = True, dtype: DTypeLike = "float64"
) -> Split:
    """Load the bundled 8x8 handwritten digits with a fixed train/test split.

    Parameters
    ----------
    normalize : divide the pixel values (integers 0..16) by 16 so they lie in [0, 1].
    flatten : return images as rows of 64 values; if False, shape (n, 8, 8).
    dtype : floating dtype of the images ("float64" or "float32").

    Returns
    -------
    ((x_train, y_train), (x_test, y_test)) with 1437 training and 360 test samples; labels are
    int64 in 0..9. Sample ``i`` of the file is in the test set when ``i % 5 == 0``.

    The file is read and its SHA-256 checked once per process; every call returns new arrays,
    so changing them never affects later calls. Works offline.
    """
    resolved = float_dtype(dtype, "load_digits dtype")
    pixels, labels = _digits_arrays()
    is_test = np.arange(len(labels)) % _DIGITS_TEST_EVERY == 0
    x = _images_to_x(pixels, 16.0, normalize, flatten, resolved)
    return (x[~is_test], labels[~is_test]), (x[is_test], labels[is_test])


# --------------------------------------------------------------------------------------------
# Argument checks shared by the synthetic sets
# --------------------------------------------------------------------------------------------


def _rng(fn: str, seed: int | None) -> np.random.Generator:
    """A generator for ``seed``, or the library's shared one (``dl.manual_seed``) for None."""
    return generator(seed, f"{fn} seed")


# --------------------------------------------------------------------------------------------
# Synthetic sets
# --------------------------------------------------------------------------------------------


def noisy_line(
    n: int = 50,
    slope: float = 3.0,
    intercept: float = 2.0,
    noise: float = 1.0,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around the line ``y = slope * x + intercept``.

    ``x`` is uniform in [-2, 2], shape (n,); ``y = slope * x + intercept + noise * N(0, 1)``,
    shape (n,). The same ``seed`` always gives the same points (``None``: fresh randomness).
    """
    fn = "noisy_line"
    n = whole_number(n, f"{fn} n", minimum=1)
    slope = finite_number(slope, f"{fn} slope")
    intercept = finite_number(intercept, f"{fn} intercept")
    noise = finite_number(noise, f"{fn} noise", minimum=0)
    rng = _rng(fn, seed)
    x = rng.uniform(-2.0, 2.0, size=n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    return x, y


def plane(
    n: int = 100,
    weights: Sequence[float] = (2.0, -1.0),
    bias: float = 0.5,
    noise: float = 0.3,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around the plane (or hyperplane) ``y = x @ weights + bias``.

    ``x`` is uniform in [-2, 2], shape (n, len(weights)); ``y`` has shape (n,). Two weights give a
    plane over two inputs; more weights give a hyperplane.
    """
    fn = "plane"
    n = whole_number(n, f"{fn} n", minimum=1)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)):
        raise ValueError(
            f"{fn} expects weights to be a non-empty sequence of finite numbers, got {weights!r}"
        )
    bias = finite_number(bias, f"{fn} bias")
    noise = finite_number(noise, f"{fn} noise", minimum=0)
    rng = _rng(fn, seed)
    x = rng.uniform(-2.0, 2.0, size=(n, w.size))
    y = x @ w + bias + noise * rng.standard_normal(n)
    return x, y


def _shuffled(
    rng: np.random.Generator, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return x[order], y[order]


def moons(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: a classic problem a straight line cannot separate.

    Returns ``x`` of shape (n, 2) and ``y`` of shape (n,), int64 in {0, 1} (class 0: the upper
    arc centred on (0, 0); class 1: the lower arc centred on (1, 0.5)). ``noise`` is the
    standard deviation of Gaussian noise added to each coordinate. Samples are shuffled.
    """
    fn = "moons"
    n = whole_number(n, f"{fn} n", minimum=2)
    noise = finite_number(noise, f"{fn} noise", minimum=0)
    rng = _rng(fn, seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    x = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return _shuffled(rng, x, y)


def spirals(
    n: int = 200, turns: float = 1.5, noise: float = 0.1, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms, one per class: needs a network with hidden layers.

    Each arm winds ``turns`` times around the origin while its radius grows from 0.1 to 1; the
    second arm is the first rotated by half a turn. Returns ``x`` of shape (n, 2) and ``y`` of
    shape (n,), int64 in {0, 1}. Samples are shuffled.
    """
    fn = "spirals"
    n = whole_number(n, f"{fn} n", minimum=2)
    turns = positive_number(turns, f"{fn} turns")
    noise = finite_number(noise, f"{fn} noise", minimum=0)
    rng = _rng(fn, seed)
    counts = (n // 2, n - n // 2)
    arms = []
    for k, count in enumerate(counts):
        t = np.linspace(0.0, 1.0, count)
        radius = 0.1 + 0.9 * t
        angle = 2.0 * np.pi * turns * t + k * np.pi
        arms.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
    x = np.concatenate(arms) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.full(c, k, dtype=np.int64) for k, c in enumerate(counts)])
    return _shuffled(rng, x, y)


def blobs(
    n: int = 200,
    centers: int | Sequence[Sequence[float]] = 3,
    std: float = 0.5,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters, one class per cluster.

    ``centers`` is either a number of clusters (placed evenly on a circle of radius 2) or an
    array-like of shape (k, d) giving each centre. The n samples are shared out as evenly as
    possible. Returns ``x`` of shape (n, d) and ``y`` of shape (n,), int64 in 0..k-1, shuffled.
    """
    fn = "blobs"
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = whole_number(centers, f"{fn} centers", minimum=1)
        angles = 2.0 * np.pi * np.arange(k) / k
        means = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    else:
        try:
            means = np.asarray(centers, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"{fn} expects centers to be a positive integer or an array of shape "
                f"(k, d), got {centers!r}"
            ) from err
        if means.ndim != 2 or means.size == 0 or not np.all(np.isfinite(means)):
            raise ValueError(
                f"{fn} expects centers to be a positive integer or an array of "
                f"shape (k, d), got shape {means.shape}"
            )
    k = len(means)
    n = whole_number(n, f"{fn} n", minimum=k)
    std = finite_number(std, f"{fn} std", minimum=0)
    rng = _rng(fn, seed)
    y = np.arange(n, dtype=np.int64) % k
    x = means[y] + std * rng.standard_normal((n, means.shape[1]))
    return _shuffled(rng, x, y)


# --------------------------------------------------------------------------------------------
# MNIST (optional download)
# --------------------------------------------------------------------------------------------

#: Public mirror of the original MNIST files (the one torchvision uses).
MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
#: SHA-256 of the four original gzipped IDX files. (The MD5s published with them:
#: f68b3c2dcbeaaa9fbdd348bbdeb94873, d53e105ee54ea40749a09fcbcd1e9432,
#: 9fb629c4189551a2d022fa330f9573f3, ec29112dd5afa0611ce80d1b7f02629c, in this order.)
MNIST_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",  # noqa: E501
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",  # noqa: E501
}
_MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
_IDX_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
_IDX_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension


def _mnist_cache_dir(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    root = os.environ.get("DLCOURSE_DATA")
    if root:
        return Path(root).expanduser() / "mnist"
    return Path.home() / ".cache" / "dlcourse" / "mnist"


def _download(url: str, target: Path, expected: str, timeout: float) -> None:
    """Fetch url into target atomically; target only ever holds a verified file."""
    import http.client  # imported here: the network stack is only needed for MNIST
    import urllib.error
    import urllib.request

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    for block in iter(lambda: response.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
            except (OSError, http.client.HTTPException) as err:  # URLError is an OSError
                reason = err
                if isinstance(err, urllib.error.URLError) and not isinstance(
                    err, urllib.error.HTTPError
                ):
                    reason = err.reason
                raise DownloadError(
                    f"could not download {target.name} from {url}: {reason}; "
                    "load_digits() works offline"
                ) from err
        actual = digest.hexdigest()
        if actual != expected:
            raise ChecksumError(
                f"checksum mismatch for {target.name} downloaded from {url}: expected sha256 "
                f"{expected}, got {actual}; the file was not kept"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """Parse a gzipped IDX file of unsigned bytes, checking the magic number and size."""
    kind = "images" if magic == _IDX_IMAGES_MAGIC else "labels"
    try:
        with gzip.open(path, "rb") as stream:
            data = stream.read()
    except (OSError, EOFError) as err:
        raise ValueError(f"{path} is not a valid gzip file: {err}") from err
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path} is not a valid IDX file: only {len(data)} bytes")
    (found,) = struct.unpack(">I", data[:4])
    if found != magic:
        raise ValueError(
            f"{path} is not a valid IDX {kind} file: expected magic number 0x{magic:08x}, "
            f"got 0x{found:08x}"
        )
    shape = struct.unpack(f">{ndim}I", data[4:header])
    expected_size = header + int(np.prod(shape))
    if len(data) != expected_size:
        raise ValueError(
            f"{path} is not a valid IDX {kind} file: header says shape {shape} "
            f"({expected_size} bytes), file has {len(data)} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load_mnist(
    cache_dir: str | os.PathLike[str] | None = None,
    base_url: str = MNIST_URL,
    normalize: bool = True,
    flatten: bool = True,
    dtype: DTypeLike = "float64",
    checksums: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> Split:
    """Download (once) and load the full MNIST digits: 60000 train and 10000 test, 28x28.

    Parameters
    ----------
    cache_dir : where the four ``.gz`` files are kept. Default ``$DLCOURSE_DATA/mnist`` when the
        environment variable ``DLCOURSE_DATA`` is set, else ``~/.cache/dlcourse/mnist``.
    base_url : the mirror the file names are appended to.
    normalize : divide pixel values (0..255) by 255 so they lie in [0, 1].
    flatten : images as rows of 784 values; if False, shape (n, 28, 28).
    dtype : floating dtype of the images; "float32" halves the memory (about 190 MB).
    checksums : SHA-256 per file name; defaults to :data:`MNIST_SHA256`.
    timeout : seconds to wait for the server.

    Returns ``((x_train, y_train), (x_test, y_test))``, labels int64 in 0..9. Cached files are
    checked again on every call and downloaded afresh if their checksum does not match. Raises
    :class:`DownloadError` when the network is unreachable (:func:`load_digits` needs none),
    :class:`ChecksumError` when a download does not match, ``ValueError`` for a malformed file.
    """
    resolved = float_dtype(dtype, "load_mnist dtype")
    table = MNIST_SHA256 if checksums is None else checksums
    missing = [name for name in _MNIST_FILES if name not in table]
    if missing:
        raise ValueError(
            f"load_mnist has no checksum for {', '.join(missing)}; "
            f"checksums must name all of {', '.join(_MNIST_FILES)}"
        )
    folder = _mnist_cache_dir(cache_dir)
    base = base_url if base_url.endswith("/") else base_url + "/"

    paths = {}
    for name in _MNIST_FILES:
        expected = table[name].lower()
        path = folder / name
        if not (path.is_file() and _sha256_file(path) == expected):
            _download(base + name, path, expected, timeout)
        paths[name] = path

    def split(images_name: str, labels_name: str) -> tuple[np.ndarray, np.ndarray]:
        images = _read_idx(paths[images_name], _IDX_IMAGES_MAGIC)
        labels = _read_idx(paths[labels_name], _IDX_LABELS_MAGIC).astype(np.int64)
        if len(images) != len(labels):
            raise ValueError(
                f"{images_name} holds {len(images)} images but {labels_name} "
                f"holds {len(labels)} labels"
            )
        return _images_to_x(images, 255.0, normalize, flatten, resolved), labels

    return (
        split("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
        split("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    )
