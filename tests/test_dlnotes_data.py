"""dlnotes.data：IDX 解析、下载（本地 HTTP 服务器）、离线样本回退、TensorLoader。"""

import gzip
import hashlib
import http.server
import os
import struct
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from dlnotes import data as D

N_TRAIN, N_TEST = 30, 20
# Read before the autouse fixture clears it (CI sets D2L_DATA_DIR=../shared/data, relative to cwd).
REAL_DATA_DIR = (
    Path(os.environ["D2L_DATA_DIR"]).resolve() if os.environ.get("D2L_DATA_DIR") else None
)


def write_idx(path, arr, magic=None, *, gz=True, cut=0):
    """写一个 IDX 文件（可选 gzip；``cut`` 截掉末尾若干字节）。返回路径。"""
    arr = np.asarray(arr, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 + arr.ndim
    raw = struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()
    if cut:
        raw = raw[:-cut]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def md5(path):
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def fake_set(n, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def write_full_files(directory):
    """写四个小的"官方"文件，返回 {key: (name, md5, magic)}（用来替换 D.FULL_FILES）。"""
    sets = {"train": fake_set(N_TRAIN, 1), "test": fake_set(N_TEST, 2)}
    files = {}
    for key, (name, _, magic) in D.FULL_FILES.items():
        split, kind = key.split("_")
        arr = sets[split][0 if kind == "images" else 1]
        p = write_idx(Path(directory) / name, arr, magic)
        files[key] = (name, md5(p), magic)
    return files


def write_sample(root, n=200):
    images, labels = fake_set(n, 3)
    d = Path(root) / D.SAMPLE_SUBDIR
    write_idx(d / D.SAMPLE_FILES["images"][0], images, 2051)
    write_idx(d / D.SAMPLE_FILES["labels"][0], labels, 2049)
    return d


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    D.clear_cache()
    for var in ("D2L_DATA_DIR", "DLNOTES_OFFLINE", "DLNOTES_FASHION_MNIST_MIRRORS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DLNOTES_DOWNLOAD_TIMEOUT", "5")
    yield
    D.clear_cache()


@pytest.fixture
def sample_root(tmp_path):
    """只含离线样本的数据目录：优先链接真实样本（$D2L_DATA_DIR），否则写一个合成样本。"""
    root = tmp_path / "data"
    root.mkdir()
    real = REAL_DATA_DIR / D.SAMPLE_SUBDIR if REAL_DATA_DIR else None
    if real is not None and (real / D.SAMPLE_FILES["images"][0]).is_file():
        (root / D.SAMPLE_SUBDIR).symlink_to(real, target_is_directory=True)
    else:
        write_sample(root)
    return root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """本地 HTTP 服务器（127.0.0.1，随机端口），以 tmp_path/www 为根目录。返回 (base_url, www, hits)。"""
    www = tmp_path / "www"
    www.mkdir()
    hits = []

    class Handler(_Quiet):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(www), **kw)

        def do_GET(self):
            hits.append(self.path)
            if self.path.startswith("/short/"):  # announces more bytes than it sends
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b"\x1f\x8b" + b"x" * 100)
                return
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", www, hits
    httpd.shutdown()
    httpd.server_close()


# ---------------------------------------------------------------------------
# IDX parser


def test_read_idx_images_and_labels(tmp_path):
    images, labels = fake_set(7, 0)
    got = D.read_idx(write_idx(tmp_path / "i.gz", images, 2051), 2051)
    assert got.dtype == np.uint8 and got.shape == (7, 28, 28) and np.array_equal(got, images)
    got = D.read_idx(write_idx(tmp_path / "l", labels, 2049, gz=False), 2049)
    assert np.array_equal(got, labels)


def test_read_idx_wrong_magic_names_file(tmp_path):
    p = write_idx(tmp_path / "labels-idx1-ubyte.gz", np.zeros(5), 2049)
    with pytest.raises(D.DataError, match="labels-idx1-ubyte.gz") as info:
        D.read_idx(p, 2051)
    assert "2051" in str(info.value) and "2049" in str(info.value)


def test_read_idx_truncated_names_file(tmp_path):
    p = write_idx(tmp_path / "images.gz", np.zeros((3, 28, 28)), 2051, cut=10)
    with pytest.raises(D.DataError, match="truncated") as info:
        D.read_idx(p, 2051)
    assert "images.gz" in str(info.value)


@pytest.mark.parametrize(
    "payload", [b"\x00\x00", b"\x00\x00\x08\x03\x00\x00\x00\x02", b"\x1f\x8bbroken"]
)
def test_read_idx_garbage(tmp_path, payload):
    p = tmp_path / "bad.gz"
    p.write_bytes(payload)
    with pytest.raises(D.DataError, match="bad.gz"):
        D.read_idx(p, 2051)


# ---------------------------------------------------------------------------
# download


def test_download_success(server, tmp_path, monkeypatch):
    base, www, hits = server
    monkeypatch.setattr(D, "FULL_FILES", write_full_files(www / "m"))
    root = tmp_path / "data"
    monkeypatch.setenv("D2L_DATA_DIR", str(root))
    monkeypatch.setenv("DLNOTES_FASHION_MNIST_MIRRORS", f"{base}/m")  # no trailing slash on purpose
    ds = D.load_fashion_mnist()
    assert not ds.is_sample and ds.info == "Fashion-MNIST 完整数据集（30 张训练 / 20 张测试）"
    X_tr, y_tr, X_te, y_te = ds
    assert X_tr.shape == (N_TRAIN, 28, 28) and X_tr.dtype == torch.uint8
    assert y_te.dtype == torch.int64 and y_te.tolist() == [i % 10 for i in range(N_TEST)]
    names = sorted(p.name for p in (root / D.FULL_SUBDIR).iterdir())
    assert names == sorted(n for n, _, _ in D.FULL_FILES.values())  # no .part left over
    assert len(hits) == 4
    # second call: in-process cache, no new request
    assert D.load_fashion_mnist() is ds and len(hits) == 4


def test_first_mirror_404_then_fallback(server, tmp_path, monkeypatch):
    base, www, hits = server
    monkeypatch.setattr(D, "FULL_FILES", write_full_files(www / "good"))
    monkeypatch.setenv("DLNOTES_FASHION_MNIST_MIRRORS", f"{base}/missing/, {base}/good/")
    name, digest, _ = D.FULL_FILES["test_labels"]
    path = D.download_file(name, tmp_path / "dl", digest)
    assert md5(path) == digest
    assert hits == [f"/missing/{name}", f"/good/{name}"]


def test_md5_mismatch_keeps_nothing(server, tmp_path):
    base, www, _ = server
    files = write_full_files(www)
    name = files["train_labels"][0]
    dest = tmp_path / "dl"
    with pytest.raises(D.DataError) as info:
        D.download_file(name, dest, "0" * 32, mirrors=[f"{base}/"])
    msg = str(info.value)
    assert name in msg and "0" * 32 in msg and files["train_labels"][1] in msg
    assert list(dest.iterdir()) == []


def test_truncated_transfer_keeps_nothing(server, tmp_path):
    base, _, _ = server
    dest = tmp_path / "dl"
    with pytest.raises(D.DataError, match="x.gz"):
        D.download_file("x.gz", dest, None, mirrors=[f"{base}/short/"])
    assert list(dest.iterdir()) == []


def test_interrupt_keeps_nothing(server, tmp_path, monkeypatch):
    base, www, _ = server
    files = write_full_files(www)
    name, digest, _ = files["train_images"]

    def boom(self, n):
        raise KeyboardInterrupt

    monkeypatch.setattr(D._Progress, "update", boom)
    dest = tmp_path / "dl"
    with pytest.raises(KeyboardInterrupt):
        D.download_file(name, dest, digest, mirrors=[f"{base}/"])
    assert list(dest.iterdir()) == []


def test_failed_download_falls_back_to_sample(server, sample_root, monkeypatch):
    base, _, hits = server
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_FASHION_MNIST_MIRRORS", f"{base}/nothing/")
    with pytest.warns(D.SampleDataWarning, match="离线样本"):
        ds = D.load_fashion_mnist()
    assert ds.is_sample
    assert hits == [f"/nothing/{D.FULL_FILES['train_images'][0]}"]  # stops at the first failure
    assert not (sample_root / D.FULL_SUBDIR).exists()  # no empty directory left behind
    D._CACHE.clear()
    with pytest.warns(D.SampleDataWarning):
        D.load_fashion_mnist()
    assert len(hits) == 1  # the failure is remembered in-process: no retry storm


def test_offline_env_skips_network(server, sample_root, monkeypatch):
    base, _, hits = server
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_FASHION_MNIST_MIRRORS", f"{base}/")
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.warns(D.SampleDataWarning):
        assert D.load_fashion_mnist().is_sample
    assert hits == []


def test_neither_present_names_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.raises(D.DataError) as info:
        D.load_fashion_mnist()
    msg = str(info.value)
    assert "\n" not in msg
    assert str(tmp_path / "empty" / D.FULL_SUBDIR) in msg
    assert str(tmp_path / "empty" / D.SAMPLE_SUBDIR) in msg
    assert "D2L_DATA_DIR" in msg and "t10k-labels-idx1-ubyte.gz" in msg


def test_relative_data_dir_resolved_against_cwd(sample_root, monkeypatch):
    monkeypatch.chdir(sample_root.parent)
    monkeypatch.setenv("D2L_DATA_DIR", "data")
    assert D.data_dir() == sample_root.resolve()


def test_cli(sample_root, tmp_path, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the CLI must not emit the sample warning
        assert D.main(["--data-dir", str(sample_root)]) == 0
    out = capsys.readouterr().out
    assert "kind=sample" in out and "离线样本" in out
    assert D.main(["--data-dir", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err


def test_torchvision_layout_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setattr(D, "FULL_FILES", write_full_files(tmp_path / "FashionMNIST" / "raw"))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    ds = D.load_fashion_mnist(tmp_path)
    assert not ds.is_sample and len(ds.train_labels) == N_TRAIN


# ---------------------------------------------------------------------------
# sample split and loaders


def test_sample_split_is_stratified_and_deterministic(sample_root, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.warns(D.SampleDataWarning):
        ds = D.load_fashion_mnist()
    n = len(ds.train_labels) + len(ds.test_labels)
    assert len(ds.test_labels) == round(n * D.SAMPLE_TEST_FRACTION)
    assert ds.info == (
        f"Fashion-MNIST 离线样本（官方测试集前 {n} 张，{len(ds.train_labels)} 张训练 / "
        f"{len(ds.test_labels)} 张测试）"
    )
    all_labels = torch.cat([ds.train_labels, ds.test_labels])
    for c in range(10):
        n_c = int((all_labels == c).sum())
        t_c = int((ds.test_labels == c).sum())
        assert abs(t_c - n_c * D.SAMPLE_TEST_FRACTION) < 1
    D.clear_cache()
    with pytest.warns(D.SampleDataWarning):
        again = D.load_fashion_mnist()
    assert all(torch.equal(a, b) for a, b in zip(ds, again, strict=True))


def test_split_indices_partition():
    labels = torch.tensor([i % 3 for i in range(50)])
    tr, te = D._split_sample(labels, 0.2, seed=0)
    assert len(te) == 10 and len(tr) == 40
    assert sorted(torch.cat([tr, te]).tolist()) == list(range(50))
    tr2, te2 = D._split_sample(labels, 0.2, seed=0)
    assert torch.equal(te, te2)
    _, te3 = D._split_sample(labels, 0.2, seed=1)
    assert not torch.equal(te, te3)


def test_real_sample_split_sizes(sample_root, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.warns(D.SampleDataWarning):
        ds = D.load_fashion_mnist()
    if len(ds.train_labels) + len(ds.test_labels) != 2000:
        pytest.skip(
            "the real 2000-image sample is not available ($D2L_DATA_DIR); synthetic one used"
        )
    assert (len(ds.train_labels), len(ds.test_labels)) == (1600, 400)
    assert ds.info == "Fashion-MNIST 离线样本（官方测试集前 2000 张，1600 张训练 / 400 张测试）"
    assert D.get_fashion_mnist_labels(ds.train_labels[:1]) in (
        [name] for name in D.FASHION_MNIST_LABELS
    )


def test_load_data_batches(sample_root, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.warns(D.SampleDataWarning):
        train_iter, test_iter = D.load_data_fashion_mnist(64)
    assert train_iter.is_sample and test_iter.is_sample and "离线样本" in train_iter.info
    n = train_iter.num_examples
    assert len(train_iter) == -(-n // 64)
    batches = list(train_iter)
    X, y = batches[0]
    assert X.shape == (64, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= float(X.min()) and float(X.max()) <= 1
    assert sum(len(b[1]) for b in batches) == n
    assert len(batches[-1][1]) == n - 64 * (len(batches) - 1)
    # test set: unshuffled, in order
    raw = D.load_fashion_mnist()
    tx, ty = next(iter(test_iter))
    assert torch.equal(ty, raw.test_labels[:64])
    assert torch.allclose(tx[:, 0], raw.test_images[:64].float() / 255)
    assert len(train_iter.dataset) == n


def test_shuffle_is_seeded_and_changes_per_epoch(sample_root, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.warns(D.SampleDataWarning):
        a, _ = D.load_data_fashion_mnist(32)
    b, _ = D.load_data_fashion_mnist(32)
    epoch1_a = torch.cat([y for _, y in a])
    epoch1_b = torch.cat([y for _, y in b])
    assert torch.equal(epoch1_a, epoch1_b)  # same seed, same order
    epoch2_a = torch.cat([y for _, y in a])
    assert not torch.equal(epoch1_a, epoch2_a)  # reshuffled every epoch
    assert torch.equal(epoch1_a.sort().values, epoch2_a.sort().values)
    c, _ = D.load_data_fashion_mnist(32, seed=1)
    assert not torch.equal(epoch1_a, torch.cat([y for _, y in c]))


@pytest.mark.parametrize("resize, shape", [(32, (32, 32)), ((20, 24), (20, 24))])
def test_resize(sample_root, monkeypatch, resize, shape):
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.warns(D.SampleDataWarning):
        train_iter, test_iter = D.load_data_fashion_mnist(16, resize=resize)
    X, _ = next(iter(test_iter))
    assert X.shape == (16, 1, *shape)
    assert float(X.min()) >= 0 and float(X.max()) <= 1.0 + 1e-6
    assert next(iter(train_iter))[0].shape == (16, 1, *shape)


def test_lazy_resize_above_memory_limit(sample_root, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    monkeypatch.setattr(D, "RESIZE_MAX_BYTES", 0)
    with pytest.warns(D.SampleDataWarning):
        _, lazy = D.load_data_fashion_mnist(16, resize=32)
    monkeypatch.setattr(D, "RESIZE_MAX_BYTES", 2**40)
    _, eager = D.load_data_fashion_mnist(16, resize=32)
    assert lazy.X.shape[-1] == 28 and eager.X.shape[-1] == 32
    assert torch.allclose(next(iter(lazy))[0], next(iter(eager))[0])


def test_labels():
    assert D.get_fashion_mnist_labels(torch.tensor([0, 9])) == ["t-shirt", "ankle boot"]
    assert D.get_fashion_mnist_labels([1], lang="zh") == ["裤子"]
    assert len(D.FASHION_MNIST_LABELS_ZH) == 10


def test_full_set_md5s_are_the_official_ones():
    assert {n: m for n, m, _ in D.FULL_FILES.values()} == {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }


def test_sample_files_match_published_raw_md5():
    d = REAL_DATA_DIR / D.SAMPLE_SUBDIR if REAL_DATA_DIR else None
    if d is None or not d.is_dir():
        pytest.skip("real sample not available: $D2L_DATA_DIR has no fashion-mnist-sample/")
    raw = {
        D.SAMPLE_FILES["images"][0]: "c02bf5be7718b1153b1992308017dc29",
        D.SAMPLE_FILES["labels"][0]: "a4b1ac51fa4de730f5b7e05c501b832a",
    }
    for name, digest in raw.items():
        assert hashlib.md5(gzip.decompress((d / name).read_bytes())).hexdigest() == digest


def test_tensor_loader_validation():
    with pytest.raises(ValueError):
        D.TensorLoader(torch.zeros(3, 1), torch.zeros(2), 2)
    with pytest.raises(ValueError):
        D.TensorLoader(torch.zeros(3, 1), torch.zeros(3), 0)


def test_simple_progress_bar_on_a_terminal(monkeypatch):
    import io
    import sys

    class Tty(io.StringIO):
        def isatty(self):
            return True

    fake = Tty()
    monkeypatch.setattr(sys, "stderr", fake)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # force the built-in bar
    bar = D._Progress("f.gz", 200)
    bar.update(100)
    bar.update(100)
    bar.close()
    out = fake.getvalue()
    assert " 50.0%" in out and "100.0%" in out and out.endswith("\n")
    quiet = D._Progress("f.gz", 10)  # not a terminal -> silent
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert D._Progress("g.gz", 10).enabled is False and quiet.enabled is True
