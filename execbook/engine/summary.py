"""构建摘要（接口 3）：每次 ``mkdocs build`` / pytest 页面运行都写 ``<缓存目录>/build-summary.json``。

格式::

    {"version": 1, "started": iso, "seconds": float,
     "totals": {"ran", "replayed", "cached", "skipped", "failed"},
     "environment": {"python", "torch", "numpy", "matplotlib", "device", "data"},
     "pages": [{"page": "docs/…md", "blocks", "ran", "replayed", "cached", "skipped", "failed",
                "seconds", "device", "data", "notes": [...]}]}

``ran`` 是新运行的块，``replayed`` 是为恢复内核状态重跑的块（两者不重叠）；``notes`` 是触到输出上限等
给人看的记录（页面:行号 开头）。终端里打印的一行摘要由这份 JSON 生成（``human_line``）。
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from pathlib import Path

from ..paths import display_path
from .dependencies import describe, merge
from .files import atomic_write
from .fingerprint import environment
from .protocol import STATUSES, SUMMARY_NAME, summary_path

__all__ = ["SUMMARY_NAME", "BuildSummary", "human_line", "summary_path"]


class BuildSummary:
    def __init__(self):
        self.started = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        self._t0 = time.perf_counter()
        self.pages: dict[str, dict] = {}
        self._deps: list[dict] = []

    def add(self, result) -> None:
        """记入一页的 PageResult（同一页再次记入时覆盖，例如 mkdocs serve 的重建）。"""
        entry = {"page": display_path(result.page), "blocks": len(result.results)}
        entry.update({s: result.count(s) for s in STATUSES})
        entry.update(
            # 各块的运行时间之和：这次运行的块用实测时间，取自缓存的块用记录下的运行时间
            seconds=round(sum(r.duration for r in result.results), 3),
            device=result.device,
            data=result.data,
            notes=list(result.notes),
        )
        self.pages[entry["page"]] = entry
        self._deps = merge(self._deps, result.dependencies)

    def totals(self) -> dict:
        return {s: sum(p[s] for p in self.pages.values()) for s in STATUSES}

    def to_json(self) -> dict:
        env = environment()
        env["data"] = describe(self._deps)
        return {
            "version": 1,
            "started": self.started,
            "seconds": round(time.perf_counter() - self._t0, 3),
            "totals": self.totals(),
            "environment": env,
            "pages": list(self.pages.values()),
        }

    def write(self, path: Path) -> dict:
        data = self.to_json()
        atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return data


def human_line(data: dict, path: Path | None = None) -> str:
    """由摘要 JSON 生成的一行中文摘要。"""
    t = data["totals"]
    line = (
        f"execbook 执行摘要：运行 {t['ran'] + t['replayed']} 块（其中 {t['replayed']} 块为恢复内核状态"
        f"重跑），取自缓存 {t['cached']} 块，跳过 {t['skipped']} 块，失败 {t['failed']} 块；"
        f"用时 {data['seconds']:.1f} 秒"
    )
    n_notes = sum(len(p.get("notes", [])) for p in data["pages"])
    if n_notes:
        line += f"；{n_notes} 处输出触到上限"
    if path is not None:
        line += f"（详见 {display_path(path)}）"
    return line
