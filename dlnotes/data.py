"""Fashion-MNIST 数据（不依赖 torchvision）：下载、校验、解析 IDX、离线样本回退。

Fashion-MNIST without torchvision.

数据目录 / data directory: ``$D2L_DATA_DIR``（相对路径相对当前工作目录解析），否则
platformdirs 的用户缓存目录（``~/.cache/dlnotes``）。

- 完整数据集 / full set: ``<dir>/fashion-mnist/`` 下的四个官方 ``.gz`` 文件
  （也接受 torchvision 的布局 ``<dir>/FashionMNIST/raw/``）。缺少时自动下载
  （官方地址，失败再试 GitHub 镜像；``$DLNOTES_FASHION_MNIST_MIRRORS`` 可用逗号分隔覆盖），
  校验 md5，原子写入（同目录临时文件 + ``os.replace``）。
- 离线样本 / offline sample: ``<dir>/fashion-mnist-sample/``（官方测试集前 2000 张）。
  完整数据集不可用时使用它并发出一行警告，按类别分层、用固定种子的生成器切分为
  训练集 1600 张 / 测试集 400 张（每个类别按比例分配，余数按最大余数法分配）。
- ``$DLNOTES_OFFLINE=1`` 跳过下载尝试；``$DLNOTES_DOWNLOAD_TIMEOUT`` 设置超时（秒，默认 10）。

命令行 / CLI: ``python -m dlnotes.data [--download] [--data-dir D]``。
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import os
import struct
import sys
import tempfile
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import numpy as np
import torch

__all__ = [
    "DataError",
    "SampleDataWarning",
    "FashionMNIST",
    "TensorLoader",
    "FASHION_MNIST_LABELS",
    "FASHION_MNIST_LABELS_ZH",
    "data_dir",
    "read_idx",
    "download_file",
    "load_fashion_mnist",
    "load_data_fashion_mnist",
    "get_fashion_mnist_labels",
    "clear_cache",
]

FASHION_MNIST_LABELS = (
    "t-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
)
FASHION_MNIST_LABELS_ZH = (
    "T恤",
    "裤子",
    "套衫",
    "连衣裙",
    "外套",
    "凉鞋",
    "衬衫",
    "运动鞋",
    "包",
    "短靴",
)

# key -> (file name, md5 of the .gz as published, IDX magic)
FULL_FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", 2051),
    "train_labels": ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe", 2049),
    "test_images": ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79", 2051),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310", 2049),
}
SAMPLE_FILES = {
    "images": ("t10k-images-first2000-idx3-ubyte.gz", 2051),
    "labels": ("t10k-labels-first2000-idx1-ubyte.gz", 2049),
}
FULL_SUBDIR = "fashion-mnist"
TORCHVISION_SUBDIR = os.path.join("FashionMNIST", "raw")
SAMPLE_SUBDIR = "fashion-mnist-sample"
DEFAULT_MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
)
SAMPLE_TEST_FRACTION = 0.2
SAMPLE_SPLIT_SEED = 0
INFO_FULL = "Fashion-MNIST 完整数据集（{n_train} 张训练 / {n_test} 张测试）"
INFO_SAMPLE = "Fashion-MNIST 离线样本（官方测试集前 {n} 张，{n_train} 张训练 / {n_test} 张测试）"
# Resize up front only while the result stays below this size; above it, resize per batch.
RESIZE_MAX_BYTES = 2 * 1024**3


class DataError(RuntimeError):
    """数据集缺失、损坏或下载失败。Data set missing, corrupt, or download failed."""


class SampleDataWarning(UserWarning):
    """使用了离线样本而不是完整数据集。The offline sample is used instead of the full set."""


# ---------------------------------------------------------------------------
# locations


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """返回数据根目录：``path``，否则 ``$D2L_DATA_DIR``，否则用户缓存目录。

    相对路径相对当前工作目录解析为绝对路径。
    """
    if path is None:
        path = os.environ.get("D2L_DATA_DIR") or None
    if path is None:
        try:
            import platformdirs

            path = platformdirs.user_cache_dir("dlnotes", appauthor=False)
        except ImportError:
            path = os.path.join(os.path.expanduser("~"), ".cache", "dlnotes")
    return Path(path).expanduser().resolve()


def _mirrors() -> list[str]:
    env = os.environ.get("DLNOTES_FASHION_MNIST_MIRRORS", "").strip()
    bases = [b.strip() for b in env.split(",") if b.strip()] if env else list(DEFAULT_MIRRORS)
    return [b if b.endswith("/") else b + "/" for b in bases]


def _offline() -> bool:
    return os.environ.get("DLNOTES_OFFLINE", "").strip().lower() not in ("", "0", "false", "no")


def _timeout() -> float:
    try:
        return float(os.environ.get("DLNOTES_DOWNLOAD_TIMEOUT", "10"))
    except ValueError:
        return 10.0


# ---------------------------------------------------------------------------
# IDX parsing

_IDX_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """读取一个（gzip 压缩或未压缩的）IDX 文件，返回 NumPy 数组。

    头部为大端序：magic（图像 2051，标签 2049），然后是每一维的大小。
    magic 不符、头部不完整或数据被截断时抛出 :class:`DataError`（错误信息包含文件名）。
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(f"无法读取 / cannot read {path}: {exc}") from exc
    if len(raw) < 4:
        raise DataError(f"IDX 文件头不完整 / truncated IDX header in {path}")
    (magic,) = struct.unpack(">I", raw[:4])
    if expected_magic is not None and magic != expected_magic:
        raise DataError(
            f"IDX magic 错误 / wrong IDX magic in {path}: expected {expected_magic}, got {magic}"
        )
    zero, code, ndim = magic >> 16, (magic >> 8) & 0xFF, magic & 0xFF
    if zero != 0 or code not in _IDX_DTYPES or ndim == 0:
        raise DataError(f"不是 IDX 文件 / not an IDX file: {path} (magic {magic})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"IDX 文件头不完整 / truncated IDX header in {path}")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_IDX_DTYPES[code])
    expected = math.prod(dims) * dtype.itemsize
    actual = len(raw) - header
    if actual < expected:
        raise DataError(
            f"IDX 数据被截断 / truncated IDX data in {path}: expected {expected} bytes for shape {dims}, got {actual}"
        )
    if actual > expected:
        raise DataError(
            f"IDX 文件尾部有多余数据 / trailing data in {path}: expected {expected} bytes, got {actual}"
        )
    arr = np.frombuffer(raw, dtype=dtype, count=math.prod(dims), offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=True)


# ---------------------------------------------------------------------------
# download


class _Progress:
    """极简进度条（写到 stderr；非终端时不显示）。"""

    def __init__(self, name: str, total: int | None):
        self.name, self.total, self.done = name, total, 0
        self.enabled = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        self.bar = None
        if self.enabled:
            try:
                from tqdm import tqdm

                self.bar = tqdm(
                    total=total, unit="B", unit_scale=True, desc=name, file=sys.stderr, leave=False
                )
            except ImportError:
                self.bar = None

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(n)
            return
        mb = self.done / 1e6
        if self.total:
            pct = 100 * self.done / self.total
            filled = int(pct / 5)
            sys.stderr.write(
                f"\r{self.name} [{'#' * filled}{'.' * (20 - filled)}] {pct:5.1f}% {mb:.1f} MB"
            )
        else:
            sys.stderr.write(f"\r{self.name} {mb:.1f} MB")
        sys.stderr.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.close()
        else:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _fetch(url: str, dest: Path, md5: str | None, timeout: float) -> None:
    """下载 ``url`` 到 ``dest``：同目录临时文件、校验 md5、``os.replace``。出错时不留下任何文件。"""
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        digest = hashlib.md5()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            progress = _Progress(dest.name, int(length) if length and length.isdigit() else None)
            try:
                while True:
                    chunk = resp.read(1 << 16)
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    progress.update(len(chunk))
            finally:
                progress.close()
        if progress.total is not None and progress.done != progress.total:
            raise DataError(
                f"下载不完整 / incomplete download of {dest.name} from {url}: "
                f"got {progress.done} of {progress.total} bytes"
            )
        actual = digest.hexdigest()
        if md5 is not None and actual != md5:
            raise DataError(
                f"md5 校验失败 / md5 mismatch for {dest.name} from {url}: expected {md5}, got {actual} "
                "(已删除 / discarded)"
            )
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def download_file(
    filename: str,
    dest_dir: str | os.PathLike,
    md5: str | None = None,
    mirrors: list[str] | None = None,
    timeout: float | None = None,
) -> Path:
    """依次从各镜像下载 ``filename`` 到 ``dest_dir``，返回文件路径。

    每个镜像只试一次（不重试）；md5 不符的文件会被删除并尝试下一个镜像。
    全部失败时抛出 :class:`DataError`（md5 错误优先报告）。
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / filename
    mirrors = _mirrors() if mirrors is None else mirrors
    timeout = _timeout() if timeout is None else timeout
    errors: list[str] = []
    md5_error: DataError | None = None
    for base in mirrors:
        url = base + filename
        try:
            _fetch(url, dest, md5, timeout)
            return dest
        except DataError as exc:
            md5_error = md5_error or exc
            errors.append(str(exc))
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            errors.append(f"{url}: {reason}")
    if md5_error is not None:
        raise md5_error
    raise DataError(f"{filename}: " + "; ".join(errors))


# ---------------------------------------------------------------------------
# loading


class FashionMNIST(tuple):
    """``(train_images, train_labels, test_images, test_labels)`` 四元组，附带来源信息。

    图像为 uint8 张量 (N, 28, 28)，标签为 int64 张量 (N,)。属性：``info``（中文说明）、
    ``is_sample``、``source``（所用目录）。可以直接解包成四个张量。
    """

    def __new__(
        cls, train_images, train_labels, test_images, test_labels, *, info, is_sample, source
    ):
        obj = super().__new__(cls, (train_images, train_labels, test_images, test_labels))
        obj.info, obj.is_sample, obj.source = info, is_sample, source
        return obj

    train_images = property(lambda self: self[0])
    train_labels = property(lambda self: self[1])
    test_images = property(lambda self: self[2])
    test_labels = property(lambda self: self[3])

    def __repr__(self) -> str:
        return (
            f"FashionMNIST(train={tuple(self[0].shape)}, test={tuple(self[2].shape)}, "
            f"is_sample={self.is_sample}, source={str(self.source)!r})"
        )


_CACHE: dict[tuple, FashionMNIST] = {}
_FLOAT_CACHE: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}
_DOWNLOAD_FAILED: dict[str, str] = {}


def clear_cache() -> None:
    """清空进程内缓存（已解码的张量、下载失败记录）。"""
    _CACHE.clear()
    _FLOAT_CACHE.clear()
    _DOWNLOAD_FAILED.clear()


def _full_dir(root: Path) -> Path | None:
    """返回存放完整数据集（四个文件齐全）的目录，没有则返回 ``None``。"""
    for sub in (FULL_SUBDIR, TORCHVISION_SUBDIR):
        d = root / sub
        if all((d / name).is_file() for name, _, _ in FULL_FILES.values()):
            return d
    return None


def _sample_dir(root: Path) -> Path | None:
    d = root / SAMPLE_SUBDIR
    return d if all((d / name).is_file() for name, _ in SAMPLE_FILES.values()) else None


def _download_full(root: Path) -> Path:
    """把缺少的完整数据集文件下载到 ``<root>/fashion-mnist/``。第一次失败即停止。"""
    d = root / FULL_SUBDIR
    try:
        for name, md5, _ in FULL_FILES.values():
            if not (d / name).is_file():
                download_file(name, d, md5)
    except BaseException:
        try:
            d.rmdir()  # only succeeds if we left it empty
        except OSError:
            pass
        raise
    return d


def _to_tensors(
    images: np.ndarray, labels: np.ndarray, where: Path
) -> tuple[torch.Tensor, torch.Tensor]:
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise DataError(
            f"图像与标签不匹配 / images {images.shape} and labels {labels.shape} do not match in {where}"
        )
    if labels.size and int(labels.max()) > 9:
        raise DataError(f"标签超出 0..9 / labels out of range 0..9 in {where}")
    return torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))


def _split_sample(
    labels: torch.Tensor, test_fraction: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """按类别分层切分：每类测试集名额按比例，余数用最大余数法分配；类内用固定种子打乱。

    返回 (train_idx, test_idx)，均按原始顺序排序。
    """
    n = labels.numel()
    n_test = round(n * test_fraction)
    classes = torch.unique(labels).tolist()
    counts = {c: int((labels == c).sum()) for c in classes}
    quotas = {c: counts[c] * n_test / n for c in classes}
    take = {c: math.floor(q) for c, q in quotas.items()}
    remaining = n_test - sum(take.values())
    for c in sorted(classes, key=lambda c: (-(quotas[c] - take[c]), c))[:remaining]:
        take[c] += 1
    gen = torch.Generator().manual_seed(seed)
    test_parts, train_parts = [], []
    for c in classes:
        idx = torch.nonzero(labels == c, as_tuple=True)[0]
        perm = idx[torch.randperm(idx.numel(), generator=gen)]
        test_parts.append(perm[: take[c]])
        train_parts.append(perm[take[c] :])
    train_idx = torch.sort(torch.cat(train_parts)).values
    test_idx = torch.sort(torch.cat(test_parts)).values
    return train_idx, test_idx


def _not_found(root: Path, why: str) -> DataError:
    files = ", ".join(name for name, _, _ in FULL_FILES.values())
    return DataError(
        f"找不到 Fashion-MNIST 数据集（Fashion-MNIST not found）：完整数据集目录 {root / FULL_SUBDIR} "
        f"缺少文件{why}，离线样本目录 {root / SAMPLE_SUBDIR} 也不存在。"
        f"解决：设置环境变量 D2L_DATA_DIR 指向含 {SAMPLE_SUBDIR}/ 的数据目录，"
        f"或把四个官方文件（{files}）下载到 {root / FULL_SUBDIR}/"
        f"（联网时可运行 python -m dlnotes.data --download）。"
    )


def load_fashion_mnist(
    root: str | os.PathLike | None = None, *, download: bool | None = None
) -> FashionMNIST:
    """加载 Fashion-MNIST 原始张量，返回 :class:`FashionMNIST` 四元组（可解包）。

    顺序：完整数据集（本地）→ 下载完整数据集（除非 ``download=False`` 或 ``$DLNOTES_OFFLINE=1``）
    → 离线样本（发出一行 :class:`SampleDataWarning`）→ 抛出 :class:`DataError`。
    ``root`` 缺省为 :func:`data_dir`（``$D2L_DATA_DIR`` 或用户缓存目录）。结果在进程内缓存。
    """
    root = data_dir(root)
    if download is None:
        download = not _offline()
    key = (str(root), bool(download))
    if key in _CACHE:
        return _CACHE[key]

    full = _full_dir(root)
    reason = None
    if full is None and download:
        if str(root) in _DOWNLOAD_FAILED:
            reason = _DOWNLOAD_FAILED[str(root)]
        else:
            try:
                full = _download_full(root)
            except (DataError, OSError) as exc:
                reason = str(exc)
                _DOWNLOAD_FAILED[str(root)] = reason

    if full is not None:
        parts = {}
        for key_, (name, _, magic) in FULL_FILES.items():
            parts[key_] = read_idx(full / name, magic)
        tr_x, tr_y = _to_tensors(parts["train_images"], parts["train_labels"], full)
        te_x, te_y = _to_tensors(parts["test_images"], parts["test_labels"], full)
        info = INFO_FULL.format(n_train=len(tr_y), n_test=len(te_y))
        result = FashionMNIST(tr_x, tr_y, te_x, te_y, info=info, is_sample=False, source=full)
    else:
        sample = _sample_dir(root)
        if sample is None:
            if download:
                why = f"（下载失败 / download failed: {reason}）"
            else:
                why = "（未尝试下载 / download not attempted: DLNOTES_OFFLINE=1 或 download=False）"
            raise _not_found(root, why)
        x, y = _to_tensors(
            read_idx(sample / SAMPLE_FILES["images"][0], SAMPLE_FILES["images"][1]),
            read_idx(sample / SAMPLE_FILES["labels"][0], SAMPLE_FILES["labels"][1]),
            sample,
        )
        train_idx, test_idx = _split_sample(y, SAMPLE_TEST_FRACTION, SAMPLE_SPLIT_SEED)
        info = INFO_SAMPLE.format(n=len(y), n_train=len(train_idx), n_test=len(test_idx))
        result = FashionMNIST(
            x[train_idx],
            y[train_idx],
            x[test_idx],
            y[test_idx],
            info=info,
            is_sample=True,
            source=sample,
        )
        warnings.warn_explicit(
            f"未找到完整的 Fashion-MNIST，改用{info}；联网时运行 python -m dlnotes.data --download "
            f"获取完整数据集 / full Fashion-MNIST not found, using the offline sample "
            f"({len(train_idx)} train / {len(test_idx)} test)",
            SampleDataWarning,
            filename="dlnotes.data",
            lineno=0,
            module="dlnotes.data",
        )
    _CACHE[key] = result
    return result


class TensorLoader:
    """在内存张量上按批次迭代的数据迭代器（替代 DataLoader，没有逐样本的 Python 开销）。

    每个 epoch（每次 ``iter()``）训练集用固定种子的 ``torch.Generator`` 重新打乱；
    测试集不打乱。属性：``info``、``is_sample``、``num_examples``、``batch_size``、
    ``dataset``（``TensorDataset``，兼容 ``len(loader.dataset)``）。
    """

    def __init__(
        self,
        X: torch.Tensor,
        y: torch.Tensor,
        batch_size: int,
        shuffle: bool = False,
        *,
        seed: int = 0,
        info: str = "",
        is_sample: bool = False,
        transform=None,
    ):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if len(X) != len(y):
            raise ValueError(f"X and y have different lengths: {len(X)} vs {len(y)}")
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(seed)
        self.info, self.is_sample = info, is_sample
        self.transform = transform

    @property
    def num_examples(self) -> int:
        """样本总数。Number of examples."""
        return len(self.y)

    @property
    def dataset(self):
        """等价的 ``TensorDataset``（只用于 ``len()`` 等兼容用途）。"""
        return torch.utils.data.TensorDataset(self.X, self.y)

    def __len__(self) -> int:
        return -(-self.num_examples // self.batch_size)

    def __iter__(self):
        n, b, X, y, tf = self.num_examples, self.batch_size, self.X, self.y, self.transform
        if self.shuffle:
            perm = torch.randperm(n, generator=self.generator)
            for i in range(0, n, b):
                idx = perm[i : i + b]
                xb = X[idx]
                yield (tf(xb) if tf is not None else xb), y[idx]
        else:
            for i in range(0, n, b):
                xb = X[i : i + b]
                yield (tf(xb) if tf is not None else xb), y[i : i + b]

    def __repr__(self) -> str:
        return (
            f"TensorLoader(num_examples={self.num_examples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, info={self.info!r})"
        )


def _size(resize) -> tuple[int, int]:
    if isinstance(resize, int):
        return (resize, resize)
    h, w = resize
    return (int(h), int(w))


def _resize(X: torch.Tensor, size: tuple[int, int], chunk: int = 1024) -> torch.Tensor:
    """用双线性插值（抗混叠）把 (N,1,H,W) 张量缩放到 ``size``，分块进行以限制峰值内存。"""
    if tuple(X.shape[-2:]) == size:
        return X
    out = torch.empty((X.shape[0], X.shape[1], *size), dtype=X.dtype)
    for i in range(0, X.shape[0], chunk):
        out[i : i + chunk] = torch.nn.functional.interpolate(
            X[i : i + chunk], size=size, mode="bilinear", align_corners=False, antialias=True
        )
    return out


def load_data_fashion_mnist(
    batch_size: int,
    resize=None,
    *,
    data_dir: str | os.PathLike | None = None,
    download: bool | None = None,
    seed: int = 0,
):
    """返回 Fashion-MNIST 的 ``(train_iter, test_iter)``（两个 :class:`TensorLoader`）。

    X 为 float32 张量 (batch, 1, 28, 28)，取值 [0, 1]；``resize``（int 或 (h, w)）时一次性
    用双线性插值缩放（结果超过 2 GiB 时改为逐批缩放）。``.info``/``.is_sample`` 说明用的是
    完整数据集还是离线样本。训练集每个 epoch 用种子 ``seed`` 的生成器打乱。
    """
    ds = load_fashion_mnist(data_dir, download=download)
    key = (str(ds.source), ds.is_sample)
    if key not in _FLOAT_CACHE:
        _FLOAT_CACHE.clear()  # keep at most one decoded float copy
        _FLOAT_CACHE[key] = (
            ds.train_images.unsqueeze(1).to(torch.float32).div_(255),
            ds.test_images.unsqueeze(1).to(torch.float32).div_(255),
        )
    train_x, test_x = _FLOAT_CACHE[key]
    transform = None
    if resize is not None:
        size = _size(resize)
        nbytes = (len(train_x) + len(test_x)) * size[0] * size[1] * 4
        if nbytes <= RESIZE_MAX_BYTES:
            train_x, test_x = _resize(train_x, size), _resize(test_x, size)
        else:

            def transform(xb, size=size):
                return _resize(xb, size)

    common = dict(info=ds.info, is_sample=ds.is_sample, transform=transform)
    train_iter = TensorLoader(
        train_x, ds.train_labels, batch_size, shuffle=True, seed=seed, **common
    )
    test_iter = TensorLoader(test_x, ds.test_labels, batch_size, shuffle=False, **common)
    return train_iter, test_iter


def get_fashion_mnist_labels(labels, lang: str = "en") -> list[str]:
    """把数字标签转换为类别名（默认英文，同 d2l；``lang='zh'`` 为中文）。"""
    names = FASHION_MNIST_LABELS_ZH if lang == "zh" else FASHION_MNIST_LABELS
    if hasattr(labels, "tolist"):
        labels = labels.tolist()
    if isinstance(labels, int):
        labels = [labels]
    return [names[int(i)] for i in labels]


# ---------------------------------------------------------------------------
# CLI


def main(argv: list[str] | None = None) -> int:
    """``python -m dlnotes.data``：报告找到的数据（完整/样本、数量）；出错时打印一行并返回 1。"""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m dlnotes.data",
        description="检查（并可下载）Fashion-MNIST / check or download Fashion-MNIST",
    )
    parser.add_argument(
        "--download", action="store_true", help="缺少完整数据集时下载 / download the full set"
    )
    parser.add_argument(
        "--data-dir", default=None, help="数据目录 (default: $D2L_DATA_DIR or user cache)"
    )
    args = parser.parse_args(argv)
    root = data_dir(args.data_dir)
    try:
        if args.download and _full_dir(root) is None:
            try:
                _download_full(root)
            except DataError as exc:
                raise DataError(f"下载 Fashion-MNIST 失败（download failed）：{exc}") from exc
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SampleDataWarning)
            ds = load_fashion_mnist(root, download=False)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    kind = "sample" if ds.is_sample else "full"
    print(f"{ds.info}")
    print(f"kind={kind} train={len(ds[1])} test={len(ds[3])} source={ds.source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
