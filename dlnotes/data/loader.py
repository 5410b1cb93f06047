"""Fashion-MNIST 的张量与小批量迭代器（不依赖 torchvision）。

Tensors, :class:`TensorLoader` and :func:`load_data_fashion_mnist`. Which files are read is decided
by :mod:`dlnotes.data.source`; every load is labelled (``.info`` says 完整数据集 or 离线样本) and,
inside an IPython kernel, publishes a data-dependency report so that the execution engine re-runs the
page when the data change.
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np
import torch

from . import source
from .errors import DataError
from .idx import read_idx

__all__ = [
    "FashionMNIST",
    "TensorLoader",
    "load_fashion_mnist",
    "load_data_fashion_mnist",
    "clear_cache",
    "publish_dependency",
    "DEPENDENCY_MIME",
]

DEPENDENCY_MIME = "application/vnd.execbook.dependency+json"
RESOLVER = "dlnotes.data.source:current_identity"
SAMPLE_SPLIT_SEED = 0
# Resize up front only while the result stays below this size; above it, resize per batch.
RESIZE_MAX_BYTES = 2 * 1024**3


class FashionMNIST(tuple):
    """``(train_images, train_labels, test_images, test_labels)`` 四元组，附带来源信息。

    图像为 uint8 张量 (N, 28, 28)，标签为 int64 张量 (N,)。属性：``info``（中文说明）、
    ``is_sample``、``source``（所用目录）、``identity``（数据身份）。可以直接解包成四个张量。
    """

    def __new__(
        cls,
        train_images,
        train_labels,
        test_images,
        test_labels,
        *,
        info,
        is_sample,
        source,
        identity=None,
    ):
        obj = super().__new__(cls, (train_images, train_labels, test_images, test_labels))
        obj.info, obj.is_sample, obj.source, obj.identity = info, is_sample, source, identity
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


_CACHE: dict[str, FashionMNIST] = {}
_FLOAT_CACHE: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}


def clear_cache() -> None:
    """清空进程内缓存（已解码的张量）。"""
    _CACHE.clear()
    _FLOAT_CACHE.clear()


def publish_dependency(
    identity: dict, name: str = "fashion-mnist", resolver: str = RESOLVER
) -> None:
    """在 IPython 内核中运行时，发布「本页读了数据集 ``name``」的依赖报告（执行引擎接收，不显示）。

    ``resolver`` 是 ``"模块:函数"``：引擎取缓存时调用它，返回值与 ``identity`` 不同，读了它的块就重算。
    任何数据集都可以这样报告（默认是 Fashion-MNIST 与它的 resolver）。
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return
    shell = ipython.get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return
    from IPython.display import display

    report = {"name": name, "identity": identity, "resolver": resolver}
    display({DEPENDENCY_MIME: report}, raw=True)


def _to_tensors(images: np.ndarray, labels: np.ndarray, where) -> tuple[torch.Tensor, torch.Tensor]:
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise DataError(
            f"图像与标签不匹配（images {images.shape} and labels {labels.shape} do not match）：{where}"
        )
    if labels.size and int(labels.max()) > 9:
        raise DataError(f"标签超出 0..9（labels out of range）：{where}")
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


def _read(res: source.Resolved) -> FashionMNIST:
    specs, paths = res.specs, res.paths
    arrays = {key: read_idx(paths[key], spec.magic) for key, spec in specs.items()}
    identity = res.identity()
    if res.is_sample:
        x, y = _to_tensors(arrays["images"], arrays["labels"], res.directory)
        train_idx, test_idx = _split_sample(y, source.SAMPLE_TEST_FRACTION, SAMPLE_SPLIT_SEED)
        info = source.INFO_SAMPLE.format(n=len(y), n_train=len(train_idx), n_test=len(test_idx))
        parts = (x[train_idx], y[train_idx], x[test_idx], y[test_idx])
    else:
        tr_x, tr_y = _to_tensors(arrays["train_images"], arrays["train_labels"], res.directory)
        te_x, te_y = _to_tensors(arrays["test_images"], arrays["test_labels"], res.directory)
        info = source.INFO_FULL.format(n_train=len(tr_y), n_test=len(te_y))
        parts = (tr_x, tr_y, te_x, te_y)
    return FashionMNIST(
        *parts, info=info, is_sample=res.is_sample, source=res.directory, identity=identity
    )


def _load(root, download) -> FashionMNIST:
    res = source.resolve(root, download=download)
    key = repr(sorted(res.identity()["files"].items())) + res.kind
    if key not in _CACHE:
        _CACHE[key] = _read(res)
    return _CACHE[key]


def load_fashion_mnist(
    root: str | os.PathLike | None = None, *, download: bool | None = None
) -> FashionMNIST:
    """加载 Fashion-MNIST 原始张量，返回 :class:`FashionMNIST` 四元组（可解包）。

    数据从哪里来见 :mod:`dlnotes.data.source`（完整数据集：``$D2L_DATA_DIR`` → 系统目录 →
    下载；离线样本只在 ``DLNOTES_DATA=sample`` 时使用）。缺少或损坏时抛出
    :class:`~dlnotes.data.errors.DataError`。``download=False`` 不下载。结果在进程内缓存。
    """
    ds = _load(root, download)
    publish_dependency(ds.identity)
    return ds


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


# --8<-- [start:load_data_fashion_mnist]
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
    ds = _load(data_dir, download)
    key = repr(ds.identity)
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
    publish_dependency(ds.identity)
    return train_iter, test_iter


# --8<-- [end:load_data_fashion_mnist]
