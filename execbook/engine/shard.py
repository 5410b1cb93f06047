"""分片（issue 12 第 4 项）：把页面分成 n 份，在 n 台机器（CI 的矩阵作业）上分别运行，再合并执行缓存。

规则（确定、只看页面本身）：页面按「权重」从大到小、同权重按路径排序，依次分给当前总权重最小的分片
（同样小时取编号小的）。权重 = 页面的代码块数 + 1（每页还有启动内核的固定开销）。
分片编号从 1 开始：``1/2`` 与 ``2/2`` 合起来正好是全部页面，互不重叠。
同一次 CI 运行的各个分片必须对同一组页面分片（例如都用 ``docs/``）。
"""

from __future__ import annotations

import os
import re

ENV_SHARD = "EXECBOOK_SHARD"
_SHARD_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` → (i, n)，1 ≤ i ≤ n；写错了抛出 ValueError（消息可以直接给用户看）。"""
    m = _SHARD_RE.match(text or "")
    if not m or not 1 <= int(m[1]) <= int(m[2]):
        raise ValueError(f"分片应写成 i/n（1 ≤ i ≤ n），例如 1/2；得到 {text!r}")
    return int(m[1]), int(m[2])


def env_shard() -> tuple[int, int] | None:
    """``$EXECBOOK_SHARD``（没有设置时为 None）。"""
    value = os.environ.get(ENV_SHARD, "").strip()
    return parse_shard(value) if value else None


def assign(weights: dict[str, int], n: int) -> dict[str, int]:
    """页面（路径 → 代码块数）→ 分片编号（1…n）。"""
    loads = [0] * n
    out: dict[str, int] = {}
    for page, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
        k = min(range(n), key=lambda j: (loads[j], j))
        loads[k] += w + 1
        out[page] = k + 1
    return out


def select(weights: dict[str, int], shard: tuple[int, int] | None) -> set[str]:
    """属于分片 ``shard`` 的页面（shard 为 None：全部）。"""
    if shard is None:
        return set(weights)
    i, n = shard
    return {p for p, k in assign(weights, n).items() if k == i}
