"""执行缓存：每个块一个 JSON 文件（``<缓存目录>/exec/<键前两位>/<键>.json``）。

条目 = ``{"checksum": sha256(payload), "payload": {...}}``；payload 含 ``key``、``page``、``lineno``、
``outputs``（nbformat 输出字典，原样）、``dependencies``（依赖报告，见 dependencies.py）与 ``provenance``。
写入是原子的；损坏、截断、被篡改或不是文件的条目会被发现（发出 CacheWarning，写明页面:行号）并重新执行。
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from pathlib import Path

from ..paths import cache_dir
from .dependencies import CacheWarning
from .files import atomic_write, clean_stale_temp_files


class Cache:
    def __init__(self, root: Path | None = None):
        self.base = Path(root) if root is not None else cache_dir()
        self.root = self.base / "exec"

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    @staticmethod
    def _checksum(payload: dict) -> str:
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def get(self, key: str, where: str | None = None) -> dict | None:
        """缓存的 payload；没有或坏了返回 None（坏了会发出 CacheWarning 并删除条目）。"""
        path = self.path(key)
        if not path.exists():
            return None
        try:
            if not path.is_file():
                raise ValueError("不是文件")
            entry = json.loads(path.read_text(encoding="utf-8"))
            payload = entry["payload"]
            if entry.get("checksum") != self._checksum(payload) or payload.get("key") != key:
                raise ValueError("校验和不符")
            return payload
        except Exception as exc:
            warnings.warn(
                f"{where or key}: 执行缓存条目损坏（{path}：{exc}），将重新执行",
                CacheWarning,
                stacklevel=2,
            )
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            return None

    def put(self, key: str, payload: dict) -> None:
        payload = dict(payload, key=key)
        entry = {"checksum": self._checksum(payload), "payload": payload}
        path = self.path(key)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        atomic_write(path, json.dumps(entry, ensure_ascii=False))

    def clean(self) -> list[Path]:
        """清理被杀掉的构建留下的临时文件（整个缓存目录，含 notebook 输出）。"""
        return clean_stale_temp_files(self.base)
