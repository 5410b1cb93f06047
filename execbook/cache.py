"""执行缓存的命令行工具。

    python -m execbook.cache merge 分片1的缓存目录 分片2的缓存目录 … --into 目标缓存目录

把各个分片（``python -m pytest docs --shard i/n`` 或 ``python -m execbook.run --shard i/n``，
各用自己的 ``$DLNOTES_CACHE_DIR``）存下的执行缓存条目合并进一个缓存目录。每个条目先核对校验和
与键（与引擎读取时的检查相同）：坏的条目让命令以状态 1 失败并写明文件，不会被合并。目标里已有的
同键条目保留（同一个键的输出来自同样的代码与环境）。只合并执行缓存（``exec/``）；notebook 与构建摘要
由之后的构建重新生成。之后 ``DLNOTES_EXECUTE=never mkdocs build --strict`` 只用合并后的缓存构建。
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .engine.cache import Cache
from .engine.files import atomic_write


def verify(path: Path) -> dict:
    """读一个缓存条目文件并核对；坏了抛出 ValueError。"""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        payload = entry["payload"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}：读不出缓存条目（{exc}）") from None
    if entry.get("checksum") != Cache._checksum(payload):
        raise ValueError(f"{path}：校验和不符")
    if payload.get("key") != path.stem:
        raise ValueError(f"{path}：条目的键与文件名不符")
    return entry


def merge(sources: list[Path], into: Path) -> dict:
    """合并；返回计数 {"added", "present", "bad": [消息]}。"""
    dest = Cache(into)
    stats: dict = {"added": 0, "present": 0, "bad": []}
    for src in sources:
        root = Path(src) / "exec"
        if not root.is_dir():
            stats["bad"].append(f"{src}：不是执行缓存目录（没有 exec/）")
            continue
        for path in sorted(root.glob("*/*.json")):
            try:
                entry = verify(path)
            except ValueError as exc:
                stats["bad"].append(str(exc))
                continue
            target = dest.path(path.stem)
            if target.is_file():
                try:
                    verify(target)
                    stats["present"] += 1
                    continue
                except ValueError:
                    pass  # 目标里的条目坏了：换成好的
            atomic_write(target, json.dumps(entry, ensure_ascii=False))
            stats["added"] += 1
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m execbook.cache", description="执行缓存的工具")
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("merge", help="合并几个分片的执行缓存（核对每个条目的校验和）")
    m.add_argument("sources", nargs="+", type=Path, help="分片的缓存目录（$DLNOTES_CACHE_DIR）")
    m.add_argument("--into", type=Path, required=True, help="合并到这个缓存目录")
    args = ap.parse_args(argv)
    stats = merge(args.sources, args.into)
    print(
        f"execbook: 合并了 {len(args.sources)} 个缓存 → {args.into}："
        f"新增 {stats['added']} 个条目，已有 {stats['present']} 个，坏的 {len(stats['bad'])} 个"
    )
    for msg in stats["bad"]:
        print(f"ERROR   -  execbook: {msg}", file=sys.stderr)
    return 1 if stats["bad"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
