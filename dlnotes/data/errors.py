"""数据相关的错误类型（不依赖 torch / numpy）。"""

from __future__ import annotations

__all__ = ["DataError"]


class DataError(RuntimeError):
    """数据集缺失、损坏或下载失败；信息是一行：哪个文件 / 目录、出了什么问题、怎样解决。

    Data set missing, corrupt, or download failed (one line: what, where, how to fix).
    """
