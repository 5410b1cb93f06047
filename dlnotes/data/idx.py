"""IDX 文件读取器（MNIST / Fashion-MNIST 的格式），gzip 压缩或未压缩都可以。

IDX reader. Every problem — unreadable file, corrupt deflate stream, truncated gzip, wrong magic,
truncated or oversized payload — is a one-line :class:`~dlnotes.data.errors.DataError` that names
the file and the fix, never a bare ``zlib.error`` / ``EOFError``.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from .errors import DataError

__all__ = ["read_idx", "parse_idx"]

_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
FIX = "删除它并重新获取（Fashion-MNIST：python -m dlnotes.data --download）"


def read_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """读取一个 IDX 文件，返回 NumPy 数组（本机字节序的副本）。

    头部为大端序：magic（图像 2051，标签 2049），然后是每一维的大小。
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise DataError(
            f"无法读取 IDX 文件（cannot read, corrupt or truncated）：{path}"
            f"（{type(exc).__name__}: {exc}）。解决：{FIX}"
        ) from None
    return parse_idx(raw, path, expected_magic)


def parse_idx(
    raw: bytes, where: str | os.PathLike, expected_magic: int | None = None
) -> np.ndarray:
    """解析解压后的 IDX 内容；``where`` 只用于错误信息。"""
    if len(raw) < 4:
        raise DataError(f"IDX 文件头不完整（truncated IDX header）：{where}。解决：{FIX}")
    (magic,) = struct.unpack(">I", raw[:4])
    if expected_magic is not None and magic != expected_magic:
        raise DataError(
            f"IDX magic 错误（wrong IDX magic）：{where} 应为 {expected_magic}，实际是 {magic}。"
            f"解决：检查文件是否放错（图像 2051，标签 2049）"
        )
    zero, code, ndim = magic >> 16, (magic >> 8) & 0xFF, magic & 0xFF
    if zero != 0 or code not in _DTYPES or ndim == 0:
        raise DataError(f"不是 IDX 文件（not an IDX file）：{where}（magic {magic}）。解决：{FIX}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"IDX 文件头不完整（truncated IDX header）：{where}。解决：{FIX}")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_DTYPES[code])
    expected = math.prod(dims) * dtype.itemsize
    actual = len(raw) - header
    if actual < expected:
        raise DataError(
            f"IDX 数据被截断（truncated IDX data）：{where} 形状 {dims} 需要 {expected} 字节，"
            f"只有 {actual} 字节。解决：{FIX}"
        )
    if actual > expected:
        raise DataError(
            f"IDX 文件尾部有多余数据（trailing data）：{where} 需要 {expected} 字节，"
            f"实际 {actual} 字节。解决：{FIX}"
        )
    arr = np.frombuffer(raw, dtype=dtype, count=math.prod(dims), offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=True)
