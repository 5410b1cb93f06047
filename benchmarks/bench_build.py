"""构建性能基准：冷构建、热重建、纯 MkDocs 构建、全部代码块的原始运行时间，以及改一个块之后的重建。

在仓库的一份临时副本里运行（独立的执行缓存），不碰工作区：

    python benchmarks/bench_build.py [--json out.json] [--page docs/chapter_x/y.md]

目标（见 README「性能」）：
- 热重建（什么都没改）≤ 1.3 × 纯 MkDocs 构建；
- 冷构建（无缓存）≤ 1.15 × （纯 MkDocs 构建 + 全部代码块的原始运行时间）；
- 改动一个块只重新运行那一页（从那个块起；前面的块为恢复内核状态重跑）。
不达标时以非零状态退出。
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUMMARY_RE = re.compile(
    r"运行 (?P<ran>\d+) 块（其中 (?P<replayed>\d+) 块为恢复内核状态重跑），取自缓存 (?P<cached>\d+) 块，"
    r"跳过 (?P<skipped>\d+) 块，失败 (?P<failed>\d+) 块"
)


def build(work: Path, env: dict, label: str) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(work / "site")],
        cwd=work, env=env, capture_output=True, text=True,
    )
    dt = time.perf_counter() - t0
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit(f"{label}: 构建失败\n{out[-4000:]}")
    m = SUMMARY_RE.search(out)
    stats = {k: int(v) for k, v in m.groupdict().items()} if m else {}
    print(f"{label:<28} {dt:8.1f} s  {stats}", flush=True)
    return {"seconds": round(dt, 2), **stats}


def raw_block_seconds(cache: Path) -> float:
    total = 0.0
    for f in (cache / "exec").rglob("*.json"):
        payload = json.loads(f.read_text(encoding="utf-8"))["payload"]
        total += payload.get("provenance", {}).get("duration_s", 0.0)
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="把结果写成 JSON")
    ap.add_argument("--page", default="docs/chapter_multilayer-perceptrons/mlp.md",
                    help="做「改一个块」实验的页面")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="dlnotes-bench-"))
    work = tmp / "repo"
    shutil.copytree(REPO, work, ignore=shutil.ignore_patterns(".git", "site", ".cache", "__pycache__",
                                                             ".pytest_cache"))
    cache = tmp / "cache"
    env = {**os.environ, "DLNOTES_CACHE_DIR": str(cache), "PYTHONPATH": str(work)}
    env.setdefault("DLNOTES_OFFLINE", "1")
    try:
        plain = build(work, {**env, "DLNOTES_EXECUTE": "plain"}, "纯 MkDocs 构建（不执行）")
        cold = build(work, env, "冷构建（无缓存）")
        raw = raw_block_seconds(cache)
        print(f"{'全部代码块的原始运行时间':<28} {raw:8.1f} s")
        warm = build(work, env, "热重建（未改动）")
        page = work / args.page
        text = page.read_text(encoding="utf-8")
        blocks = [m.end() for m in re.finditer(r"^```python\n", text, re.M)]
        if not blocks:
            sys.exit(f"{args.page} 没有顶层的 ```python 块")
        i = blocks[len(blocks) // 2]
        page.write_text(text[:i] + "_bench_marker = 1\n" + text[i:], encoding="utf-8")
        edited = build(work, env, f"改一个块后重建（{args.page}）")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "machine": f"{platform.node()}，{os.cpu_count()} 核，{platform.processor() or platform.machine()}",
        "python": platform.python_version(),
        "plain": plain, "cold": cold, "warm": warm, "edited": edited,
        "raw_block_seconds": round(raw, 1),
        "warm_over_plain": round(warm["seconds"] / plain["seconds"], 3),
        "cold_over_plain_plus_raw": round(cold["seconds"] / (plain["seconds"] + raw), 3),
    }
    total_blocks = cold.get("ran", 0)
    ok_edit = edited.get("ran", 0) < total_blocks and edited.get("cached", 0) > 0
    result["edit_reran_blocks"] = edited.get("ran", 0)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    ok = result["warm_over_plain"] <= 1.3 and result["cold_over_plain_plus_raw"] <= 1.15 and ok_edit
    print("达标" if ok else "未达标")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
