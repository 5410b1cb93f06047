"""分片：页面 → 分片的分法（engine/shard.py），纯函数。"""

from __future__ import annotations

import pytest

from execbook.engine.shard import assign, parse_shard, select


def test_parse_shard():
    assert parse_shard("1/2") == (1, 2) and parse_shard(" 3 / 3 ") == (3, 3)
    for bad in ("0/2", "3/2", "1", "a/b", "", "1/0"):
        with pytest.raises(ValueError, match="i/n"):
            parse_shard(bad)


def test_assign_is_deterministic_complete_and_balanced():
    weights = {f"docs/p{i:02d}.md": w for i, w in enumerate([9, 1, 1, 1, 5, 4, 3, 2, 2, 8])}
    a = assign(weights, 3)
    assert a == assign(dict(reversed(list(weights.items()))), 3)  # 与输入顺序无关
    parts = [select(weights, (i, 3)) for i in (1, 2, 3)]
    assert set().union(*parts) == set(weights) and sum(map(len, parts)) == len(weights)
    loads = [sum(weights[p] + 1 for p in part) for part in parts]
    assert max(loads) - min(loads) <= max(weights.values()) + 1, loads  # 最重的一页决定误差
    assert select(weights, None) == set(weights)
    assert select(weights, (1, 1)) == set(weights)
