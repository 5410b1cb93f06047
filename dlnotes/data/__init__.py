"""Fashion-MNIST 数据（不依赖 torchvision）：来源策略、下载、IDX 读取、张量与小批量迭代器。

Fashion-MNIST without torchvision, as a small package:

- :mod:`~dlnotes.data.source` —— 数据从哪里来（``$D2L_DATA_DIR`` → 系统目录 ``/usr/share/datasets`` →
  下载；离线样本只在 ``DLNOTES_DATA=sample`` 时使用），按解压后内容校验，``current_identity()``；
  不导入 torch / numpy；
- :mod:`~dlnotes.data.download` —— 通过 pooch 从镜像下载（md5、重试、进度条）；
- :mod:`~dlnotes.data.idx` —— IDX 文件读取器；
- :mod:`~dlnotes.data.loader` —— 张量、:class:`TensorLoader`、:func:`load_data_fashion_mnist`。

公开名字按需（惰性）导入：``import dlnotes.data.source`` 不会导入 torch。
命令行：``python -m dlnotes.data [--download] [--data-dir D]``。
"""

from __future__ import annotations

import importlib

# name -> submodule (relative to this package)
_LAZY: dict[str, str] = {
    "DataError": "errors",
    "data_dir": "source",
    "current_identity": "source",
    "get_fashion_mnist_labels": "source",
    "FASHION_MNIST_LABELS": "source",
    "FASHION_MNIST_LABELS_ZH": "source",
    "read_idx": "idx",
    "download_files": "download",
    "FashionMNIST": "loader",
    "TensorLoader": "loader",
    "load_fashion_mnist": "loader",
    "load_data_fashion_mnist": "loader",
    "clear_cache": "loader",
    "main": "cli",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    """按需导入子模块并返回其中的名字（PEP 562）。"""
    try:
        module_name = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'dlnotes.data' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """列出模块属性，包括惰性导出的名字。"""
    return sorted(set(globals()) | set(_LAZY))
