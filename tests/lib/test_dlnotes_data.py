"""dlnotes.data：IDX 读取、来源策略（查找顺序、内容校验、显式样本）、pooch 下载、数据身份、张量与迭代器。

完整数据集的测试用合成的小文件（并替换 catalogue.FULL_FILES 中的 md5）；离线样本的测试用真实样本
（仓库旁边的 ../shared/data/fashion-mnist-sample，CI 与项目机器上都有）。
"""

import gzip
import hashlib
import http.server
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import REPO, require
from dlnotes import data as D
from dlnotes.data import catalogue, download, loader, source

REAL_SAMPLE = REPO.parent / "shared" / "data" / source.SAMPLE_SUBDIR
DEBIAN_DIR = Path("/usr/share/datasets") / source.FULL_SUBDIR
N_TRAIN, N_TEST = 30, 20


def idx_bytes(arr, magic=None):
    arr = np.asarray(arr, dtype=np.uint8)
    magic = 0x0800 + arr.ndim if magic is None else magic
    return struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()


def gz(raw, *, name="", mtime=0):
    """gzip 压缩；``name``/``mtime`` 写进 gzip 头（官方文件带文件名，Debian 的不带）。"""
    import io

    buf = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=mtime) as f:
        f.write(raw)
    return buf.getvalue()


def write(path, payload):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def fake_set(n, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def synthetic_full():
    """四个小的「官方」文件的解压内容，以及相应的 FULL_FILES（md5 换成它们的）。"""
    sets = {"train": fake_set(N_TRAIN, 1), "test": fake_set(N_TEST, 2)}
    raws, specs = {}, {}
    for key, spec in catalogue.FULL_FILES.items():
        split, kind = key.split("_")
        raw = idx_bytes(sets[split][0 if kind == "images" else 1], spec.magic)
        official = gz(raw, name=spec.stem, mtime=1_500_000_000)
        raws[key] = raw
        specs[key] = source.IdxFile(
            spec.name, hashlib.md5(raw).hexdigest(), spec.magic, hashlib.md5(official).hexdigest()
        )
    return raws, specs


@pytest.fixture(autouse=True)
def clean(monkeypatch, tmp_path):
    """隔离：没有数据相关的环境变量、不查系统目录、校验备忘在临时目录、不走代理、不重试。"""
    for var in (
        "D2L_DATA_DIR",
        "DLNOTES_DATA",
        "DLNOTES_OFFLINE",
        "DLNOTES_FASHION_MNIST_MIRRORS",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DLNOTES_SYSTEM_DATA_DIRS", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("DLNOTES_DOWNLOAD_RETRIES", "0")
    monkeypatch.setenv("DLNOTES_DOWNLOAD_TIMEOUT", "5")
    monkeypatch.setattr(source, "_MEMO", None)
    loader.clear_cache()
    yield
    loader.clear_cache()


@pytest.fixture
def full(monkeypatch):
    """合成的完整数据集：返回一个函数 ``make(directory, **gzip_header)``，写四个 .gz 文件。"""
    raws, specs = synthetic_full()
    monkeypatch.setattr(catalogue, "FULL_FILES", specs)

    def make(directory, *, compress=True, name=True, mtime=1_500_000_000):
        for key, spec in specs.items():
            if compress:
                write(
                    Path(directory) / spec.name,
                    gz(raws[key], name=spec.stem if name else "", mtime=mtime),
                )
            else:
                write(Path(directory) / spec.stem, raws[key])
        return Path(directory)

    make.raws, make.specs = raws, specs
    return make


def require_sample() -> None:
    require(
        all((REAL_SAMPLE / spec.name).is_file() for spec in catalogue.SAMPLE_FILES.values()),
        f"离线样本不在 {REAL_SAMPLE}：项目机器与 CI 上它总在仓库旁边的 shared/data/ 中",
    )


@pytest.fixture
def sample_root(tmp_path):
    """只含真实离线样本的数据目录（链接到 ../shared/data/fashion-mnist-sample）。"""
    require_sample()
    root = tmp_path / "data"
    root.mkdir()
    (root / source.SAMPLE_SUBDIR).symlink_to(REAL_SAMPLE, target_is_directory=True)
    return root


@pytest.fixture
def use_sample(sample_root, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_DATA", "sample")
    return sample_root


@pytest.fixture
def server(tmp_path):
    """本地 HTTP 服务器（127.0.0.1，随机端口），以 tmp_path/www 为根。返回 (base_url, www, hits)。"""
    www = tmp_path / "www"
    www.mkdir()
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(www), **kw)

        def log_message(self, *args):
            pass

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


def one_line(exc_info):
    msg = str(exc_info.value)
    assert "\n" not in msg, msg
    return msg


# ---------------------------------------------------------------------------
# IDX reader


def test_read_idx_images_and_labels(tmp_path):
    images, labels = fake_set(7, 0)
    got = D.read_idx(write(tmp_path / "i.gz", gz(idx_bytes(images, 2051))), 2051)
    assert got.dtype == np.uint8 and got.shape == (7, 28, 28) and np.array_equal(got, images)
    got = D.read_idx(write(tmp_path / "l", idx_bytes(labels, 2049)), 2049)
    assert np.array_equal(got, labels)


def test_read_idx_wrong_magic_names_file(tmp_path):
    p = write(tmp_path / "labels-idx1-ubyte.gz", gz(idx_bytes(np.zeros(5), 2049)))
    with pytest.raises(D.DataError, match="labels-idx1-ubyte.gz") as info:
        D.read_idx(p, 2051)
    assert "2051" in one_line(info) and "2049" in str(info.value)


def test_read_idx_truncated_payload_names_file(tmp_path):
    p = write(tmp_path / "images.gz", gz(idx_bytes(np.zeros((3, 28, 28)), 2051)[:-10]))
    with pytest.raises(D.DataError, match="truncated") as info:
        D.read_idx(p, 2051)
    assert "images.gz" in one_line(info)


def corrupt_deflate(payload: bytes) -> bytes:
    """gzip 头完好，deflate 流中间被改坏。"""
    body = bytearray(payload)
    for i in range(12, min(len(body) - 8, 60)):
        body[i] ^= 0xFF
    return bytes(body)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated-gzip"),
        pytest.param(corrupt_deflate, id="corrupt-deflate"),
        pytest.param(lambda b: b"\x1f\x8bbroken", id="garbage"),
        pytest.param(lambda b: b"\x00\x00", id="tiny"),
    ],
)
def test_read_idx_damaged_file_is_a_data_error_not_zlib(tmp_path, damage):
    images, _ = fake_set(50, 0)
    p = write(tmp_path / "bad-idx3-ubyte.gz", damage(gz(idx_bytes(images, 2051))))
    with pytest.raises(D.DataError) as info:  # never zlib.error / EOFError
        D.read_idx(p, 2051)
    msg = one_line(info)
    assert "bad-idx3-ubyte.gz" in msg and "python -m dlnotes.data --download" in msg


# ---------------------------------------------------------------------------
# content verification


def test_decompressed_md5_ignores_the_gzip_header(tmp_path):
    raw = idx_bytes(fake_set(5, 0)[0], 2051)
    official = write(tmp_path / "a" / "x.gz", gz(raw, name="x", mtime=1_500_000_000))
    debian = write(tmp_path / "b" / "x.gz", gz(raw, name="", mtime=0))
    plain = write(tmp_path / "c" / "x", raw)
    assert official.read_bytes() != debian.read_bytes()
    expected = hashlib.md5(raw).hexdigest()
    assert {source.decompressed_md5(p) for p in (official, debian, plain)} == {expected}


def test_debian_style_normalised_gzip_is_accepted(tmp_path, monkeypatch):
    """真实样本换一种 gzip 头（不同的 mtime、文件名、压缩级别）后，仍按解压后内容通过校验。"""
    require_sample()
    d = tmp_path / "data" / source.SAMPLE_SUBDIR
    for spec in catalogue.SAMPLE_FILES.values():
        raw = gzip.decompress((REAL_SAMPLE / spec.name).read_bytes())
        again = gz(raw, name="renamed", mtime=1_234_567_890)
        assert again != (REAL_SAMPLE / spec.name).read_bytes()
        write(d / spec.name, again)
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DLNOTES_DATA", "sample")
    ds = D.load_fashion_mnist()
    assert ds.is_sample and ds.identity["files"] == {
        s.stem: s.md5 for s in catalogue.SAMPLE_FILES.values()
    }


def test_full_set_in_both_gzip_flavours_is_accepted(full, tmp_path, monkeypatch):
    full(tmp_path / "official" / source.FULL_SUBDIR, name=True, mtime=1_500_000_000)
    full(tmp_path / "debian" / source.FULL_SUBDIR, name=False, mtime=0)
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    a = source.resolve(tmp_path / "official")
    b = source.resolve(tmp_path / "debian")
    assert a.identity() == b.identity() and a.kind == "full"


def test_debian_package_is_accepted(monkeypatch):
    """项目机器与 CI 上安装了 dataset-fashion-mnist：它的文件（gzip 头与官方不同）按内容通过校验。"""
    require(
        DEBIAN_DIR.is_dir(),
        f"{DEBIAN_DIR} 不存在（没有安装 Debian 软件包 {source.DEBIAN_PACKAGE}；CI 会安装）",
    )
    monkeypatch.delenv("DLNOTES_SYSTEM_DATA_DIRS")
    monkeypatch.setenv("D2L_DATA_DIR", "/nonexistent-dlnotes-data")
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    res = source.resolve()
    assert (res.kind, res.origin, res.directory) == ("full", "system", DEBIAN_DIR)
    assert res.counts() == (60000, 10000)
    assert res.identity()["files"] == {
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    }


@pytest.mark.parametrize(
    "damage, words",
    [
        pytest.param(lambda b: b[: len(b) - 20], "损坏或不完整", id="truncated"),
        pytest.param(corrupt_deflate, "损坏或不完整", id="corrupt-deflate"),
        pytest.param(None, "内容不符", id="other-content"),
    ],
)
def test_damaged_file_is_rejected_with_file_and_fix(full, tmp_path, monkeypatch, damage, words):
    d = full(tmp_path / "data" / source.FULL_SUBDIR)
    victim = d / full.specs["train_images"].name
    if damage is None:  # a valid gzip of other pixels
        images, _ = fake_set(N_TRAIN, 99)
        victim.write_bytes(gz(idx_bytes(images, 2051)))
    else:
        victim.write_bytes(damage(victim.read_bytes()))
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.raises(D.DataError) as info:
        D.load_data_fashion_mnist(8)
    msg = one_line(info)
    assert str(victim) in msg and words in msg and "python -m dlnotes.data --download" in msg
    assert source.current_identity()["kind"] == "unavailable"


def test_damaged_file_in_the_system_dir_says_reinstall(full, tmp_path, monkeypatch):
    d = full(tmp_path / "system" / source.FULL_SUBDIR)
    victim = d / full.specs["test_labels"].name
    victim.write_bytes(victim.read_bytes()[:-30])
    monkeypatch.setenv("DLNOTES_SYSTEM_DATA_DIRS", str(tmp_path / "system"))
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(D.DataError) as info:
        source.resolve(download=False)
    msg = one_line(info)
    assert str(victim) in msg and "apt-get install --reinstall dataset-fashion-mnist" in msg


# ---------------------------------------------------------------------------
# the policy: search order, explicit sample, missing data


def test_search_order(full, tmp_path, monkeypatch):
    root = tmp_path / "data"
    sys1, sys2 = tmp_path / "sys1", tmp_path / "sys2"
    monkeypatch.setenv("D2L_DATA_DIR", str(root))
    monkeypatch.setenv("DLNOTES_SYSTEM_DATA_DIRS", os.pathsep.join([str(sys1), str(sys2)]))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    places = [
        (root / source.FULL_SUBDIR, "data-dir"),
        (root / "FashionMNIST" / "raw", "torchvision"),
        (sys1 / source.FULL_SUBDIR, "system"),
        (sys2 / source.FULL_SUBDIR, "system"),
    ]
    for directory, _ in places:
        full(directory)
    (places[0][0] / full.specs["test_labels"].name).unlink()  # incomplete: skipped
    for directory, origin in places[1:]:
        res = source.resolve()
        assert (res.directory, res.origin) == (directory, origin)
        for p in directory.iterdir():
            p.unlink()
    with pytest.raises(D.DataError, match="not found"):
        source.resolve()


def test_torchvision_layout_with_uncompressed_files(full, tmp_path, monkeypatch):
    full(tmp_path / "FashionMNIST" / "raw", compress=False)
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    ds = D.load_fashion_mnist(tmp_path)
    assert not ds.is_sample and len(ds.train_labels) == N_TRAIN
    assert ds.info == "Fashion-MNIST 完整数据集（30 张训练 / 20 张测试）"


def test_missing_data_set_lists_three_fixes(tmp_path, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("DLNOTES_SYSTEM_DATA_DIRS", str(tmp_path / "nosys"))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.raises(D.DataError) as info:
        D.load_data_fashion_mnist(8)
    msg = one_line(info)
    assert "Fashion-MNIST" in msg and str(tmp_path / "empty" / source.FULL_SUBDIR) in msg
    assert str(tmp_path / "nosys" / source.FULL_SUBDIR) in msg and "DLNOTES_OFFLINE=1" in msg
    assert "apt-get install -y dataset-fashion-mnist" in msg
    assert "python -m dlnotes.data --download" in msg
    assert "DLNOTES_DATA=sample" in msg
    assert not (tmp_path / "empty").exists()


def test_sample_is_never_used_without_asking(sample_root, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(sample_root))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.raises(D.DataError, match="DLNOTES_DATA=sample"):
        D.load_data_fashion_mnist(8)
    assert source.current_identity()["kind"] == "unavailable"


def test_explicit_sample_works_and_is_labelled(use_sample):
    train_iter, test_iter = D.load_data_fashion_mnist(64)
    assert train_iter.is_sample and test_iter.is_sample
    assert (
        train_iter.info
        == "Fashion-MNIST 离线样本（官方测试集前 2000 张，1600 张训练 / 400 张测试）"
    )
    assert (train_iter.num_examples, test_iter.num_examples) == (1600, 400)
    assert source.current_identity() == {
        "kind": "sample",
        "sample": True,
        "files": {s.stem: s.md5 for s in catalogue.SAMPLE_FILES.values()},
    }


def test_explicit_sample_missing_says_where(tmp_path, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DLNOTES_DATA", "sample")
    with pytest.raises(D.DataError) as info:
        D.load_fashion_mnist()
    assert str(tmp_path / source.SAMPLE_SUBDIR) in one_line(info)


def test_unknown_data_choice_is_an_error(monkeypatch):
    monkeypatch.setenv("DLNOTES_DATA", "tiny")
    with pytest.raises(D.DataError, match="DLNOTES_DATA"):
        source.resolve()


def test_relative_data_dir_resolved_against_cwd(sample_root, monkeypatch):
    monkeypatch.chdir(sample_root.parent)
    monkeypatch.setenv("D2L_DATA_DIR", "data")
    assert D.data_dir() == sample_root.resolve()


# ---------------------------------------------------------------------------
# download through pooch


def serve_full(full, www, sub):
    for key, spec in full.specs.items():
        write(www / sub / spec.name, gz(full.raws[key], name=spec.stem, mtime=1_500_000_000))


def test_download_bad_hash_mirror_then_good_one(full, server, tmp_path, monkeypatch):
    base, www, hits = server
    serve_full(full, www, "good")
    for spec in full.specs.values():  # same names, other bytes: md5 mismatch
        write(www / "bad" / spec.name, gz(b"not the file"))
    root = tmp_path / "data"
    monkeypatch.setenv("D2L_DATA_DIR", str(root))
    monkeypatch.setenv("DLNOTES_FASHION_MNIST_MIRRORS", f"{base}/bad, {base}/good/")
    ds = D.load_fashion_mnist()
    assert not ds.is_sample and ds.source == root / source.FULL_SUBDIR
    assert ds.train_images.shape == (N_TRAIN, 28, 28) and ds.train_labels.dtype == torch.int64
    names = [s.name for s in full.specs.values()]
    assert hits == [f"/{m}/{n}" for n in names for m in ("bad", "good")]
    assert sorted(p.name for p in root.iterdir()) == [source.FULL_SUBDIR]  # no staging left
    assert sorted(p.name for p in (root / source.FULL_SUBDIR).iterdir()) == sorted(names)
    loader.clear_cache()
    D.load_fashion_mnist()  # now local: no new request
    assert len(hits) == 8


def test_download_only_fetches_missing_files(full, server, tmp_path, monkeypatch):
    base, www, hits = server
    serve_full(full, www, "m")
    d = tmp_path / "data" / source.FULL_SUBDIR
    full(d)
    (d / full.specs["train_images"].name).unlink()
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DLNOTES_FASHION_MNIST_MIRRORS", f"{base}/m/")
    assert source.resolve().origin == "download"
    assert hits == [f"/m/{full.specs['train_images'].name}"]


@pytest.mark.parametrize("where", ["bad", "short", "missing"])
def test_failed_download_leaves_nothing(full, server, tmp_path, monkeypatch, where):
    base, www, hits = server
    serve_full(full, www, "good")
    for spec in full.specs.values():
        write(www / "bad" / spec.name, gz(b"not the file"))
    root = tmp_path / "new" / "data"  # neither exists yet
    monkeypatch.setenv("D2L_DATA_DIR", str(root))
    # the first file arrives, the second fails on every mirror
    second = list(full.specs.values())[1].name
    (www / "good" / second).unlink()
    monkeypatch.setenv("DLNOTES_FASHION_MNIST_MIRRORS", f"{base}/{where}/,{base}/good/")
    with pytest.raises(D.DataError) as info:
        D.load_fashion_mnist()
    msg = one_line(info)
    assert "下载失败" in msg and second in msg and "DLNOTES_DATA=sample" in msg
    assert not (tmp_path / "new").exists()
    assert hits[:2] == [
        f"/{where}/{list(full.specs.values())[0].name}",
        "/good/" + list(full.specs.values())[0].name,
    ]


def test_interrupted_download_leaves_nothing(full, server, tmp_path, monkeypatch):
    import pooch

    base, www, _ = server
    serve_full(full, www, "m")
    original = pooch.HTTPDownloader.__call__

    def interrupted(self, url, output_file, *args, **kwargs):
        original(self, url, output_file, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", interrupted)
    root = tmp_path / "data"
    root.mkdir()
    with pytest.raises(KeyboardInterrupt):
        download.download_full(root / source.FULL_SUBDIR, mirror_list=[f"{base}/m/"])
    assert list(root.iterdir()) == []


def test_offline_never_downloads(full, server, tmp_path, monkeypatch):
    base, www, hits = server
    serve_full(full, www, "m")
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DLNOTES_FASHION_MNIST_MIRRORS", f"{base}/m/")
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    with pytest.raises(D.DataError, match="DLNOTES_OFFLINE=1"):
        D.load_fashion_mnist()
    assert source.current_identity()["kind"] == "unavailable"  # never downloads either
    assert hits == []


def test_cli(use_sample, tmp_path, monkeypatch, capsys):
    assert D.main([]) == 0
    out = capsys.readouterr().out
    assert "kind=sample train=1600 test=400" in out and "离线样本" in out
    monkeypatch.delenv("DLNOTES_DATA")
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    assert D.main(["--data-dir", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err


def test_cli_download(full, server, tmp_path, capsys, monkeypatch):
    base, www, _ = server
    serve_full(full, www, "m")
    monkeypatch.setenv("DLNOTES_FASHION_MNIST_MIRRORS", f"{base}/m/")
    assert D.main(["--download", "--data-dir", str(tmp_path / "d")]) == 0
    assert "kind=full train=30 test=20 origin=download" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# identity (freshness) and the dependency report


def test_identity_changes_with_same_size_content_and_memo_is_used(full, tmp_path, monkeypatch):
    d = full(tmp_path / "data" / source.FULL_SUBDIR, compress=False)
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    before = source.current_identity()
    assert before["kind"] == "full" and before["sample"] is False

    calls = []
    real_md5 = hashlib.md5
    monkeypatch.setattr(source.hashlib, "md5", lambda *a: calls.append(1) or real_md5(*a))
    monkeypatch.setattr(source, "_MEMO", None)  # a new process: reads the memo file
    assert source.current_identity() == before and calls == []
    memo = source._memo_file()
    assert memo.is_file() and str(d / full.specs["train_labels"].stem) in memo.read_text()

    # same size, same inode, other content (and a later mtime, as any write gives)
    victim = d / full.specs["train_labels"].stem
    raw = bytearray(victim.read_bytes())
    raw[-1] = (raw[-1] + 1) % 10
    st = victim.stat()
    with open(victim, "r+b") as f:
        f.write(raw)
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert victim.stat().st_size == st.st_size and victim.stat().st_ino == st.st_ino
    assert source.current_identity()["kind"] == "unavailable"  # rejected: not the official content
    specs = dict(full.specs)
    specs["train_labels"] = source.IdxFile(
        specs["train_labels"].name, real_md5(bytes(raw)).hexdigest(), 2049
    )
    monkeypatch.setattr(catalogue, "FULL_FILES", specs)
    after = source.current_identity()
    assert after["kind"] == "full" and after != before
    assert [k for k in before["files"] if before["files"][k] != after["files"][k]] == [
        "train-labels-idx1-ubyte"
    ]


def test_identity_switches_between_sample_and_full(full, use_sample, monkeypatch):
    full(use_sample / source.FULL_SUBDIR)
    sample = source.current_identity()
    monkeypatch.delenv("DLNOTES_DATA")
    whole = source.current_identity()
    assert sample["sample"] is True and whole["sample"] is False
    assert sample["kind"] == "sample" and whole["kind"] == "full" and sample != whole


class _Shell:
    kernel = object()


def test_loader_publishes_the_dependency_report_in_a_kernel(use_sample, monkeypatch):
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **kw: shown.append((a, kw)))
    D.load_data_fashion_mnist(32)
    assert shown == []  # not in a kernel: nothing
    monkeypatch.setattr(IPython, "get_ipython", lambda: _Shell())
    D.load_data_fashion_mnist(32)
    D.load_fashion_mnist()
    assert len(shown) == 2  # once per load
    (payload,), kw = shown[0]
    assert kw == {"raw": True}
    assert payload == {
        "application/vnd.execbook.dependency+json": {
            "name": "fashion-mnist",
            "identity": source.current_identity(),
            "resolver": "dlnotes.data.source:current_identity",
        }
    }


def test_any_dataset_can_publish_its_dependency(monkeypatch):
    import IPython
    import IPython.display

    from dlnotes.data.loader import publish_dependency

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **kw: shown.append(a[0]))
    monkeypatch.setattr(IPython, "get_ipython", lambda: _Shell())
    publish_dependency({"md5": "abc"}, name="timemachine", resolver="mymod:identity")
    (report,) = shown[0].values()
    assert report == {
        "name": "timemachine",
        "identity": {"md5": "abc"},
        "resolver": "mymod:identity",
    }


def test_data_modules_do_not_import_each_other_in_a_cycle():
    import ast

    pkg = REPO / "dlnotes" / "data"
    imports = {}
    for path in pkg.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports[path.stem] = {
            (n.module or "").split(".")[0] or a.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.level == 1
            for a in n.names
        }
    for a, deps in imports.items():
        for b in deps:
            assert a not in imports.get(b, set()), f"{a} ↔ {b}"


def test_source_and_cli_are_torch_free(use_sample):
    """``import dlnotes.data.source``、``current_identity()`` 与 ``python -m dlnotes.data`` 都不导入 torch/numpy。"""
    code = (
        "import sys, dlnotes.data, dlnotes.data.source as s\n"
        "from dlnotes.data.cli import main\n"
        "assert s.current_identity()['kind'] == 'sample'\n"
        "assert main([]) == 0\n"
        "bad = [m for m in ('torch', 'numpy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "kind=sample train=1600 test=400" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "dlnotes.data"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and "离线样本" in proc.stdout, proc.stderr


# ---------------------------------------------------------------------------
# sample split, tensors and loaders


def test_sample_split_is_stratified_and_deterministic(use_sample):
    ds = D.load_fashion_mnist()
    assert (len(ds.train_labels), len(ds.test_labels)) == (1600, 400)
    all_labels = torch.cat([ds.train_labels, ds.test_labels])
    for c in range(10):
        n_c = int((all_labels == c).sum())
        t_c = int((ds.test_labels == c).sum())
        assert abs(t_c - n_c * source.SAMPLE_TEST_FRACTION) < 1
    loader.clear_cache()
    again = D.load_fashion_mnist()
    assert again is not ds and all(torch.equal(a, b) for a, b in zip(ds, again, strict=True))
    assert D.get_fashion_mnist_labels(ds.train_labels[:1])[0] in D.FASHION_MNIST_LABELS


def test_split_indices_partition():
    labels = torch.tensor([i % 3 for i in range(50)])
    tr, te = loader._split_sample(labels, 0.2, seed=0)
    assert len(te) == 10 and len(tr) == 40
    assert sorted(torch.cat([tr, te]).tolist()) == list(range(50))
    tr2, te2 = loader._split_sample(labels, 0.2, seed=0)
    assert torch.equal(te, te2)
    _, te3 = loader._split_sample(labels, 0.2, seed=1)
    assert not torch.equal(te, te3)


def test_load_data_batches(use_sample):
    train_iter, test_iter = D.load_data_fashion_mnist(64)
    n = train_iter.num_examples
    assert len(train_iter) == -(-n // 64)
    batches = list(train_iter)
    X, y = batches[0]
    assert X.shape == (64, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= float(X.min()) and float(X.max()) <= 1
    assert sum(len(b[1]) for b in batches) == n
    assert len(batches[-1][1]) == n - 64 * (len(batches) - 1)
    raw = D.load_fashion_mnist()  # test set: unshuffled, in order
    tx, ty = next(iter(test_iter))
    assert torch.equal(ty, raw.test_labels[:64])
    assert torch.allclose(tx[:, 0], raw.test_images[:64].float() / 255)
    assert len(train_iter.dataset) == n


def test_full_set_tensors(full, tmp_path, monkeypatch):
    full(tmp_path / source.FULL_SUBDIR)
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path))
    train_iter, test_iter = D.load_data_fashion_mnist(8)
    assert not train_iter.is_sample and "完整数据集" in train_iter.info
    assert test_iter.num_examples == N_TEST
    assert next(iter(test_iter))[1].tolist() == [i % 10 for i in range(8)]


def test_shuffle_is_seeded_and_changes_per_epoch(use_sample):
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
def test_resize(use_sample, resize, shape):
    train_iter, test_iter = D.load_data_fashion_mnist(16, resize=resize)
    X, _ = next(iter(test_iter))
    assert X.shape == (16, 1, *shape)
    assert float(X.min()) >= 0 and float(X.max()) <= 1.0 + 1e-6
    assert next(iter(train_iter))[0].shape == (16, 1, *shape)


def test_lazy_resize_above_memory_limit(use_sample, monkeypatch):
    monkeypatch.setattr(loader, "RESIZE_MAX_BYTES", 0)
    _, lazy = D.load_data_fashion_mnist(16, resize=32)
    monkeypatch.setattr(loader, "RESIZE_MAX_BYTES", 2**40)
    _, eager = D.load_data_fashion_mnist(16, resize=32)
    assert lazy.X.shape[-1] == 28 and eager.X.shape[-1] == 32
    assert torch.allclose(next(iter(lazy))[0], next(iter(eager))[0])


def test_labels():
    assert D.get_fashion_mnist_labels(torch.tensor([0, 9])) == ["t-shirt", "ankle boot"]
    assert D.get_fashion_mnist_labels([1], lang="zh") == ["裤子"]
    assert D.get_fashion_mnist_labels(3) == ["dress"]
    assert len(D.FASHION_MNIST_LABELS_ZH) == 10


def test_full_set_md5s_are_the_published_ones():
    """解压后内容的 md5（issue 9）与官方 .gz 的 md5（下载登记表）。"""
    assert {s.stem: (s.md5, s.gz_md5) for s in catalogue.FULL_FILES.values()} == {
        "train-images-idx3-ubyte": (
            "f4a8712d7a061bf5bd6d2ca38dc4d50a",
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        ),
        "train-labels-idx1-ubyte": (
            "9018921c3c673c538a1fc5bad174d6f9",
            "25c81989df183df01b3e8a0aad5dffbe",
        ),
        "t10k-images-idx3-ubyte": (
            "8181f5470baa50b63fa0f6fddb340f0a",
            "bef4ecab320f06d8554ea6380940ec79",
        ),
        "t10k-labels-idx1-ubyte": (
            "15d484375f8d13e6eb1aabb0c3f46965",
            "bb300cfdad3c16e7a12a480ee83cd310",
        ),
    }


def test_tensor_loader_validation():
    with pytest.raises(ValueError):
        D.TensorLoader(torch.zeros(3, 1), torch.zeros(2), 2)
    with pytest.raises(ValueError):
        D.TensorLoader(torch.zeros(3, 1), torch.zeros(3), 0)
