"""Tests for dlcourse.datasets: bundled digits, synthetic sets, MNIST against a loopback server."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from dlcourse import datasets

DIGITS_FILE = Path(datasets.__file__).parent / "data" / "digits.csv.gz"


@pytest.fixture
def fresh_digits_cache() -> Iterator[None]:
    """Empty the in-process digits cache before and after a test that tampers with it."""
    datasets._digits_arrays.cache_clear()
    yield
    datasets._digits_arrays.cache_clear()


def _raw_digits() -> np.ndarray:
    """Parse the bundled file independently of the module under test."""
    with gzip.open(DIGITS_FILE, "rt") as stream:
        return np.loadtxt(stream, delimiter=",", dtype=np.int64)


# --------------------------------------------------------------------------------------------
# load_digits
# --------------------------------------------------------------------------------------------


def test_bundled_file_matches_documented_checksum() -> None:
    actual = hashlib.sha256(DIGITS_FILE.read_bytes()).hexdigest()
    assert actual == datasets.DIGITS_SHA256
    provenance = (DIGITS_FILE.parent / "PROVENANCE.md").read_text()
    assert datasets.DIGITS_SHA256 in provenance
    assert "i % 5 == 0" in provenance


def test_load_digits_shapes_dtypes_and_ranges() -> None:
    (x_train, y_train), (x_test, y_test) = datasets.load_digits()
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.dtype == np.float64 and x_test.dtype == np.float64
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    for x in (x_train, x_test):
        assert x.min() == 0.0 and x.max() == 1.0
    for y in (y_train, y_test):
        assert set(np.unique(y)) == set(range(10))


def test_load_digits_options() -> None:
    (x_train, _), (x_test, _) = datasets.load_digits(flatten=False)
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    (x_train, _), _ = datasets.load_digits(normalize=False)
    assert x_train.max() == 16.0 and np.array_equal(x_train, np.round(x_train))
    (x32, _), _ = datasets.load_digits(dtype="float32")
    assert x32.dtype == np.float32 and x32.max() == np.float32(1.0)
    with pytest.raises(TypeError, match="load_digits dtype must be a floating dtype.*got int32"):
        datasets.load_digits(dtype="int32")


def test_load_digits_split_is_by_index_and_matches_the_file() -> None:
    raw = _raw_digits()
    index = np.arange(len(raw))
    test_idx, train_idx = index[index % 5 == 0], index[index % 5 != 0]
    assert len(test_idx) == 360 and len(train_idx) == 1437
    assert not set(test_idx) & set(train_idx)
    assert len(set(test_idx) | set(train_idx)) == 1797

    (x_train, y_train), (x_test, y_test) = datasets.load_digits(normalize=False)
    np.testing.assert_array_equal(x_test, raw[test_idx, :64])
    np.testing.assert_array_equal(y_test, raw[test_idx, 64])
    np.testing.assert_array_equal(x_train, raw[train_idx, :64])
    np.testing.assert_array_equal(y_train, raw[train_idx, 64])
    (x_norm, _), _ = datasets.load_digits()
    np.testing.assert_array_equal(x_norm, raw[train_idx, :64] / 16.0)
    (x_img, _), _ = datasets.load_digits(normalize=False, flatten=False)
    np.testing.assert_array_equal(x_img[0], raw[train_idx[0], :64].reshape(8, 8))


def test_load_digits_is_deterministic() -> None:
    first, second = datasets.load_digits(), datasets.load_digits()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


def test_load_digits_returns_copies() -> None:
    (x_train, y_train), (x_test, y_test) = datasets.load_digits(normalize=False)
    snapshot = x_train.copy(), y_train.copy(), x_test.copy(), y_test.copy()
    for array in (x_train, y_train, x_test, y_test):
        assert array.flags.writeable
        array[...] = 99
    (x_train, y_train), (x_test, y_test) = datasets.load_digits(normalize=False)
    for got, expected in zip((x_train, y_train, x_test, y_test), snapshot, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_load_digits_is_fast_once_cached() -> None:
    datasets.load_digits()
    best = min(_timed(datasets.load_digits) for _ in range(3))
    assert best < 0.05, f"cached load_digits took {best * 1000:.1f} ms"


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def test_load_digits_rejects_wrong_checksum(
    monkeypatch: pytest.MonkeyPatch, fresh_digits_cache: None
) -> None:
    wrong = "0" * 64
    monkeypatch.setattr(datasets, "DIGITS_SHA256", wrong)
    with pytest.raises(datasets.ChecksumError) as info:
        datasets.load_digits()
    message = str(info.value)
    assert f"expected sha256 {wrong}" in message
    assert hashlib.sha256(DIGITS_FILE.read_bytes()).hexdigest() in message


def test_load_digits_rejects_modified_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh_digits_cache: None
) -> None:
    raw = DIGITS_FILE.read_bytes()
    tampered = tmp_path / "digits.csv.gz"
    tampered.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    monkeypatch.setattr(datasets, "_DIGITS_PATH", tampered)
    with pytest.raises(datasets.ChecksumError, match="corrupt or was modified"):
        datasets.load_digits()


# --------------------------------------------------------------------------------------------
# Synthetic sets
# --------------------------------------------------------------------------------------------

SYNTHETIC = [
    (datasets.noisy_line, {}),
    (datasets.plane, {}),
    (datasets.moons, {}),
    (datasets.spirals, {}),
    (datasets.blobs, {}),
]


@pytest.mark.parametrize(("fn", "kwargs"), SYNTHETIC, ids=lambda v: getattr(v, "__name__", ""))
def test_synthetic_sets_are_seeded(fn, kwargs) -> None:
    x1, y1 = fn(**kwargs)
    x2, y2 = fn(**kwargs, seed=0)
    x3, y3 = fn(**kwargs, seed=1)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)
    assert isinstance(x1, np.ndarray) and isinstance(y1, np.ndarray)


def test_noisy_line() -> None:
    x, y = datasets.noisy_line()
    assert x.shape == (50,) and y.shape == (50,)
    assert x.min() >= -2.0 and x.max() <= 2.0
    x, y = datasets.noisy_line(n=20, slope=-1.5, intercept=4.0, noise=0.0)
    np.testing.assert_allclose(y, -1.5 * x + 4.0)
    x, y = datasets.noisy_line(n=4000, noise=0.5)
    residual = y - (3.0 * x + 2.0)
    assert abs(residual.std() - 0.5) < 0.05 and abs(residual.mean()) < 0.05


def test_plane() -> None:
    x, y = datasets.plane()
    assert x.shape == (100, 2) and y.shape == (100,)
    x, y = datasets.plane(n=30, weights=(1.0, 2.0, -3.0), bias=-1.0, noise=0.0)
    assert x.shape == (30, 3)
    np.testing.assert_allclose(y, x @ np.array([1.0, 2.0, -3.0]) - 1.0)


def test_moons() -> None:
    x, y = datasets.moons(n=201)
    assert x.shape == (201, 2) and y.shape == (201,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [100, 101]
    x, y = datasets.moons(n=100, noise=0.0)
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12


def test_spirals() -> None:
    x, y = datasets.spirals()
    assert x.shape == (200, 2) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [100, 100]
    x, y = datasets.spirals(n=50, turns=2.0, noise=0.0)
    radius = np.hypot(*x.T)
    assert radius.min() >= 0.1 - 1e-12 and radius.max() <= 1.0 + 1e-12
    # with no noise the second arm is the first rotated by half a turn
    np.testing.assert_allclose(np.sort(radius[y == 0]), np.sort(radius[y == 1]))


def test_blobs() -> None:
    x, y = datasets.blobs(n=90, centers=3, std=0.1)
    assert x.shape == (90, 2) and np.bincount(y).tolist() == [30, 30, 30]
    means = np.array([x[y == k].mean(axis=0) for k in range(3)])
    np.testing.assert_allclose(np.hypot(*means.T), 2.0, atol=0.1)
    centers = [[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]]
    x, y = datasets.blobs(n=10, centers=centers, std=0.0)
    np.testing.assert_array_equal(x, np.array(centers)[y])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: datasets.noisy_line(n=-3),
            ValueError,
            "noisy_line n must be a positive integer, got -3",
        ),
        (lambda: datasets.noisy_line(n=0), ValueError, "got 0"),
        (lambda: datasets.noisy_line(n=2.5), TypeError,
         r"positive integer \(an int\), got float 2.5"),
        (lambda: datasets.noisy_line(n=True), TypeError,
         r"positive integer \(an int\), got bool True"),
        (
            lambda: datasets.noisy_line(noise=-1.0),
            ValueError,
            "noisy_line noise must be a non-negative number, got -1.0",
        ),
        (lambda: datasets.noisy_line(slope="3"), TypeError, "slope must be a finite number"),
        (lambda: datasets.noisy_line(seed=-1), ValueError, "seed must be an integer of at least 0"),
        (lambda: datasets.noisy_line(seed=1.5), TypeError,
         "seed must be an integer of at least 0 .an int., got float"),
        (lambda: datasets.plane(weights=()), ValueError, "plane expects weights"),
        (lambda: datasets.plane(noise=float("nan")), ValueError, "non-negative number, got nan"),
        (lambda: datasets.moons(n=1), ValueError, "moons n must be an integer of at least 2"),
        (lambda: datasets.moons(noise=-0.1), ValueError, "moons noise must be"),
        (
            lambda: datasets.spirals(turns=0),
            ValueError,
            "spirals turns must be a positive, finite number, got 0$",
        ),
        (lambda: datasets.spirals(n="200"), TypeError, "spirals n must be"),
        (lambda: datasets.blobs(centers=0), ValueError, "blobs centers must be a positive"),
        (lambda: datasets.blobs(n=2, centers=3), ValueError, "n must be an integer of at least 3"),
        (lambda: datasets.blobs(centers=[1.0, 2.0]), ValueError, "array of shape \\(k, d\\)"),
        (lambda: datasets.blobs(std=-1), ValueError, "blobs std must be"),
    ],
)
def test_argument_validation(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------------------------
# load_mnist, against a server on loopback
# --------------------------------------------------------------------------------------------

N_TRAIN, N_TEST = 20, 10


def _idx(magic: int, array: np.ndarray) -> bytes:
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


class FakeMnist:
    """Small IDX files in a folder, served by a ThreadingHTTPServer on 127.0.0.1."""

    def __init__(self, folder: Path) -> None:
        rng = np.random.default_rng(123)
        self.train_images = rng.integers(0, 256, size=(N_TRAIN, 28, 28), dtype=np.uint8)
        self.test_images = rng.integers(0, 256, size=(N_TEST, 28, 28), dtype=np.uint8)
        self.train_labels = np.arange(N_TRAIN) % 10
        self.test_labels = (np.arange(N_TEST) * 3) % 10
        self.folder = folder
        self.files = {
            "train-images-idx3-ubyte.gz": _idx(0x803, self.train_images),
            "train-labels-idx1-ubyte.gz": _idx(0x801, self.train_labels),
            "t10k-images-idx3-ubyte.gz": _idx(0x803, self.test_images),
            "t10k-labels-idx1-ubyte.gz": _idx(0x801, self.test_labels),
        }
        self.requests: list[str] = []
        self._server: http.server.ThreadingHTTPServer | None = None
        self.write()

    def write(self) -> None:
        for name, data in self.files.items():
            (self.folder / name).write_bytes(data)

    @property
    def checksums(self) -> dict[str, str]:
        return {name: hashlib.sha256(data).hexdigest() for name, data in self.files.items()}

    def start(self) -> str:
        requests, folder = self.requests, str(self.folder)

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, directory=folder, **kwargs)

            def do_GET(self) -> None:
                requests.append(self.path)
                super().do_GET()

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def fake_mnist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMnist]:
    # Never route loopback requests through a proxy, whatever the environment says.
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    served = tmp_path / "served"
    served.mkdir()
    fake = FakeMnist(served)
    yield fake
    fake.stop()


def _cache_contents(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_mnist_default_checksums_cover_the_four_files(fake_mnist: FakeMnist) -> None:
    assert sorted(datasets.MNIST_SHA256) == sorted(fake_mnist.files)
    assert all(re.fullmatch("[0-9a-f]{64}", v) for v in datasets.MNIST_SHA256.values())
    assert datasets.MNIST_URL.startswith("https://")


def test_load_mnist_downloads_verifies_and_caches(fake_mnist: FakeMnist, tmp_path: Path) -> None:
    url = fake_mnist.start()
    cache = tmp_path / "cache"
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist(
        cache_dir=cache, base_url=url, checksums=fake_mnist.checksums
    )
    assert x_train.shape == (N_TRAIN, 784) and x_test.shape == (N_TEST, 784)
    assert x_train.dtype == np.float64 and y_train.dtype == np.int64
    np.testing.assert_allclose(x_train, fake_mnist.train_images.reshape(N_TRAIN, -1) / 255.0)
    np.testing.assert_allclose(x_test, fake_mnist.test_images.reshape(N_TEST, -1) / 255.0)
    np.testing.assert_array_equal(y_train, fake_mnist.train_labels)
    np.testing.assert_array_equal(y_test, fake_mnist.test_labels)
    assert len(fake_mnist.requests) == 4
    assert _cache_contents(cache) == sorted(fake_mnist.files)

    # Second call: served from the cache, even with the server gone.
    fake_mnist.stop()
    (x_train, _), (x_test, _) = datasets.load_mnist(
        cache_dir=cache,
        base_url=url,
        checksums=fake_mnist.checksums,
        normalize=False,
        flatten=False,
        dtype="float32",
    )
    assert len(fake_mnist.requests) == 4
    assert x_train.shape == (N_TRAIN, 28, 28) and x_train.dtype == np.float32
    np.testing.assert_array_equal(x_test, fake_mnist.test_images)


def test_load_mnist_redownloads_a_corrupt_cached_file(
    fake_mnist: FakeMnist, tmp_path: Path
) -> None:
    url = fake_mnist.start()
    cache = tmp_path / "cache"
    datasets.load_mnist(cache_dir=cache, base_url=url, checksums=fake_mnist.checksums)
    (cache / "t10k-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    _, (_, y_test) = datasets.load_mnist(
        cache_dir=cache, base_url=url, checksums=fake_mnist.checksums
    )
    assert fake_mnist.requests[4:] == ["/t10k-labels-idx1-ubyte.gz"]
    np.testing.assert_array_equal(y_test, fake_mnist.test_labels)


def test_load_mnist_uses_dlcourse_data_env(
    fake_mnist: FakeMnist, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLCOURSE_DATA", str(tmp_path / "data-root"))
    url = fake_mnist.start()
    datasets.load_mnist(base_url=url.rstrip("/"), checksums=fake_mnist.checksums)
    assert _cache_contents(tmp_path / "data-root" / "mnist") == sorted(fake_mnist.files)


def test_load_mnist_wrong_checksum_keeps_nothing(fake_mnist: FakeMnist, tmp_path: Path) -> None:
    url = fake_mnist.start()
    cache = tmp_path / "cache"
    checksums = fake_mnist.checksums
    actual = checksums["train-images-idx3-ubyte.gz"]
    checksums["train-images-idx3-ubyte.gz"] = "f" * 64
    with pytest.raises(datasets.ChecksumError) as info:
        datasets.load_mnist(cache_dir=cache, base_url=url, checksums=checksums)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and url in message
    assert f"expected sha256 {'f' * 64}" in message and f"got {actual}" in message
    assert _cache_contents(cache) == []  # no corrupt file and no leftover temporary file


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (
            lambda data: data[:3] + b"\x04" + data[4:],
            "expected magic number 0x00000803, got 0x00000804",
        ),
        (lambda data: data[:-5], "header says shape"),
        (lambda data: b"", "only 0 bytes"),
    ],
    ids=["magic", "truncated", "empty"],
)
def test_load_mnist_rejects_a_bad_idx_file(
    fake_mnist: FakeMnist, tmp_path: Path, corrupt, message: str
) -> None:
    raw = gzip.decompress(fake_mnist.files["train-images-idx3-ubyte.gz"])
    fake_mnist.files["train-images-idx3-ubyte.gz"] = gzip.compress(corrupt(raw), mtime=0)
    fake_mnist.write()
    url = fake_mnist.start()
    with pytest.raises(ValueError, match="not a valid IDX") as info:
        datasets.load_mnist(cache_dir=tmp_path / "c", base_url=url, checksums=fake_mnist.checksums)
    assert message in str(info.value)


def test_load_mnist_rejects_a_file_that_is_not_gzip(fake_mnist: FakeMnist, tmp_path: Path) -> None:
    fake_mnist.files["t10k-labels-idx1-ubyte.gz"] = b"not gzip at all"
    fake_mnist.write()
    url = fake_mnist.start()
    with pytest.raises(ValueError, match="not a valid gzip file"):
        datasets.load_mnist(cache_dir=tmp_path / "c", base_url=url, checksums=fake_mnist.checksums)


def test_load_mnist_http_error_is_clear(fake_mnist: FakeMnist, tmp_path: Path) -> None:
    (fake_mnist.folder / "t10k-images-idx3-ubyte.gz").unlink()
    url = fake_mnist.start()
    cache = tmp_path / "cache"
    with pytest.raises(datasets.DownloadError) as info:
        datasets.load_mnist(cache_dir=cache, base_url=url, checksums=fake_mnist.checksums)
    message = str(info.value)
    assert message.startswith(f"could not download t10k-images-idx3-ubyte.gz from {url}")
    assert "404" in message and "load_digits() works offline" in message
    assert "t10k-images-idx3-ubyte.gz" not in _cache_contents(cache)
    assert not any(name.endswith(".part") for name in _cache_contents(cache))


def test_load_mnist_unreachable_server_is_clear(fake_mnist: FakeMnist, tmp_path: Path) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(datasets.DownloadError, match="load_digits\\(\\) works offline") as info:
        datasets.load_mnist(
            cache_dir=tmp_path / "c", base_url=url, checksums=fake_mnist.checksums, timeout=5
        )
    assert f"could not download train-images-idx3-ubyte.gz from {url}train-images" in str(
        info.value
    )
    assert _cache_contents(tmp_path / "c") == []


def test_load_mnist_needs_a_checksum_for_every_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no checksum for train-labels-idx1-ubyte.gz, t10k"):
        datasets.load_mnist(
            cache_dir=tmp_path,
            base_url="http://127.0.0.1:9/",
            checksums={"train-images-idx3-ubyte.gz": "0" * 64},
        )
