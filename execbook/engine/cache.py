"""执行缓存：每个块一个 JSON 文件（``<缓存目录>/exec/<键前两位>/<键>.json``）。

条目的格式只在这里定义：``{"checksum": sha256(payload), "payload": {...}}``；payload 含 ``key``、``page``、
``lineno``、``outputs``（nbformat 输出字典，原样）、``dependencies``（依赖报告，见 dependencies.py）与
``provenance``。写入是原子的；损坏、截断、被篡改或不是文件的条目会被发现（发出 CacheWarning，写明页面:行号）
并重新执行。读、遍历、核对与合并都经过这里（``execbook merge`` 与 ``execbook diff`` 用同一套）。
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

from ..paths import cache_dir
from .dependencies import CacheWarning
from .files import atomic_write, clean_stale_temp_files
from .protocol import EXEC_DIR


def checksum(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def make_entry(key: str, payload: dict) -> dict:
    payload = dict(payload, key=key)
    return {"checksum": checksum(payload), "payload": payload}


def read_entry(path: Path, key: str | None = None) -> dict:
    """读一个条目文件并核对校验和与键（键默认取文件名）；坏了抛出 ValueError。"""
    path = Path(path)
    try:
        if not path.is_file():
            raise ValueError("不是文件")
        entry = json.loads(path.read_text(encoding="utf-8"))
        payload = entry["payload"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}：读不出缓存条目（{exc}）") from None
    if entry.get("checksum") != checksum(payload):
        raise ValueError(f"{path}：校验和不符")
    if payload.get("key") != (key or path.stem):
        raise ValueError(f"{path}：条目的键与文件名不符")
    return entry


class Cache:
    def __init__(self, root: Path | None = None):
        self.base = Path(root) if root is not None else cache_dir()
        self.root = self.base / EXEC_DIR

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def files(self) -> list[Path]:
        """全部条目文件（按路径排序；不核对）。"""
        return sorted(self.root.glob("*/*.json")) if self.root.is_dir() else []

    def entries(self) -> Iterator[tuple[Path, dict | ValueError]]:
        """逐个核对过的条目：(文件, 条目)；坏的条目给出 (文件, ValueError)。"""
        for path in self.files():
            try:
                yield path, read_entry(path)
            except ValueError as exc:
                yield path, exc

    def get(self, key: str, where: str | None = None) -> dict | None:
        """缓存的 payload；没有或坏了返回 None（坏了会发出 CacheWarning 并删除条目）。"""
        path = self.path(key)
        if not path.exists():
            return None
        try:
            return read_entry(path, key)["payload"]
        except ValueError as exc:
            warnings.warn(
                f"{where or key}: 执行缓存条目损坏（{exc}），将重新执行",
                CacheWarning,
                stacklevel=2,
            )
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            return None

    def _write(self, path: Path, entry: dict) -> None:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        atomic_write(path, json.dumps(entry, ensure_ascii=False))

    def put(self, key: str, payload: dict) -> None:
        self._write(self.path(key), make_entry(key, payload))

    def merge(self, sources: list[Path]) -> dict:
        """把其他缓存目录（分片）的条目合并进来；返回计数 {"added", "present", "bad": [消息]}。

        每个条目先核对（坏的不合并，记在 bad）；这里已有的同键好条目保留（同一个键 = 同样的代码与环境）。
        """
        stats: dict = {"added": 0, "present": 0, "bad": []}
        for src in sources:
            other = Cache(src)
            if not other.root.is_dir():
                stats["bad"].append(f"{src}：不是执行缓存目录（没有 {EXEC_DIR}/）")
                continue
            for path, entry in other.entries():
                if isinstance(entry, ValueError):
                    stats["bad"].append(str(entry))
                    continue
                target = self.path(path.stem)
                try:
                    read_entry(target)
                    stats["present"] += 1
                    continue
                except ValueError:
                    pass  # 没有，或这里的条目坏了：换成好的
                self._write(target, entry)
                stats["added"] += 1
        return stats

    def clean(self) -> list[Path]:
        """清理被杀掉的构建留下的临时文件（整个缓存目录，含 notebook 输出）。"""
        return clean_stale_temp_files(self.base)
