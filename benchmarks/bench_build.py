"""构建性能基准：冷构建、热重建、纯 MkDocs 构建、裸 Material 构建、全部代码块的原始运行时间，以及改一个块之后的重建。

在仓库的一份临时副本里运行（独立的执行缓存），不碰工作区：

    python benchmarks/bench_build.py [--json out.json] [--page docs/chapter_x/y.md] [--cache DIR]

块数读自每次构建写的构建摘要（``<缓存目录>/build-summary.json``），不解析终端输出。

- 纯 MkDocs 构建：``DLNOTES_EXECUTE=plain``（本站的全部插件，但不执行、不嵌入输出）；
- 裸 Material 构建：同样的页面与 Markdown 扩展，插件只留 search（issue 12 的比较基准）；
- ``--cache DIR``：从一份已经填好的执行缓存（复制）开始，跳过冷构建（只测热重建与改一个块）。

目标（见 README「性能」）：
- 热重建（什么都没改）≤ 1.3 × 裸 Material 构建；
- 冷构建（无缓存）≤ 1.15 × （纯 MkDocs 构建 + 全部代码块的原始运行时间）；
- 改动一个块只重新运行那一页（从那个块起；前面的块为恢复内核状态重跑）；
- （``--compare-serial``）并行的冷构建 ≤ 0.7 × 一页一页的冷构建（每个内核的线程数相同）。
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
SUMMARY = "build-summary.json"


def build(
    work: Path, env: dict, label: str, config: str | None = None, strict: bool = True
) -> dict:
    cache = Path(env["DLNOTES_CACHE_DIR"])
    (cache / SUMMARY).unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(work / "site")]
    cmd += ["--strict"] if strict else []
    cmd += ["--config-file", config] if config else []
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{label}: 构建失败\n{(proc.stdout + proc.stderr)[-4000:]}")
    summary = cache / SUMMARY
    stats = json.loads(summary.read_text(encoding="utf-8"))["totals"] if summary.exists() else {}
    print(f"{label:<28} {dt:8.1f} s  {stats}", flush=True)
    return {"seconds": round(dt, 2), **stats}


def bare_config(work: Path) -> str:
    """同样的页面与 Markdown 扩展，插件只留 search（不执行、不生成附录、没有 hooks）。"""
    text = (work / "mkdocs.yml").read_text(encoding="utf-8")
    start = text.index("\nplugins:\n")
    end = re.search(r"\n(?=[a-z_]+:)", text[start + 10 :]).start() + start + 10
    search = re.search(r"^  - search:?\n(?:      .*\n)*", text[start:end], re.M)
    text = (
        text[:start] + "\nplugins:\n" + (search.group(0) if search else "  - search\n") + text[end:]
    )
    text = re.sub(r"\nhooks:\n(?:  - .*\n)+", "\n", text)
    path = work / "mkdocs-bare.yml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def raw_block_seconds(cache: Path) -> float:
    total = 0.0
    for f in (cache / "exec").rglob("*.json"):
        payload = json.loads(f.read_text(encoding="utf-8"))["payload"]
        total += payload.get("provenance", {}).get("duration_s", 0.0)
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="把结果写成 JSON")
    ap.add_argument(
        "--page",
        default="docs/chapter_multilayer-perceptrons/mlp.md",
        help="做「改一个块」实验的页面",
    )
    ap.add_argument("--cache", type=Path, help="从这份执行缓存（复制）开始，跳过冷构建")
    ap.add_argument(
        "--compare-serial",
        action="store_true",
        help="再做一次一页一页的冷构建（EXECBOOK_WORKERS=1，线程数相同），比较并行的效果",
    )
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="dlnotes-bench-"))
    work = tmp / "repo"
    shutil.copytree(
        REPO,
        work,
        ignore=shutil.ignore_patterns(
            ".git", "site", ".cache", "__pycache__", ".pytest_cache", "node_modules"
        ),
    )
    cache = tmp / "cache"
    env = {**os.environ, "DLNOTES_CACHE_DIR": str(cache), "PYTHONPATH": str(work)}
    env.setdefault("DLNOTES_OFFLINE", "1")
    try:
        plain = build(work, {**env, "DLNOTES_EXECUTE": "plain"}, "纯 MkDocs 构建（不执行）")
        bare = build(
            work, env, "裸 Material 构建（只有 search）", config=bare_config(work), strict=False
        )
        if args.cache:
            shutil.copytree(args.cache, cache, dirs_exist_ok=True)
            (cache / SUMMARY).unlink(missing_ok=True)
            cold = None
        else:
            cold = build(work, env, "冷构建（无缓存）")
        serial = None
        if args.compare_serial and cold is not None:
            threads = str(
                env.get("EXECBOOK_KERNEL_THREADS")
                or max(
                    1,
                    (os.cpu_count() or 1)
                    // int(env.get("EXECBOOK_WORKERS") or os.cpu_count() or 1),
                )
            )
            serial_env = {
                **env,
                "DLNOTES_CACHE_DIR": str(tmp / "cache-serial"),
                "EXECBOOK_WORKERS": "1",
                "EXECBOOK_KERNEL_THREADS": threads,
            }
            serial = build(work, serial_env, "冷构建（一页一页）")
        raw = raw_block_seconds(cache)
        print(f"{'全部代码块的原始运行时间':<28} {raw:8.1f} s")
        build(work, env, "热重建（第一次：mkdocs-jupyter 缓存）")
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
        "plain": plain,
        "bare": bare,
        "cold": cold,
        "warm": warm,
        "edited": edited,
        "raw_block_seconds": round(raw, 1),
        "warm_over_bare": round(warm["seconds"] / bare["seconds"], 3),
        "warm_over_plain": round(warm["seconds"] / plain["seconds"], 3),
    }
    total_blocks = warm.get("cached", 0) + warm.get("ran", 0) + warm.get("replayed", 0)
    ok_edit = (
        0 < edited.get("ran", 0) + edited.get("replayed", 0) < total_blocks
        and edited.get("cached", 0) > 0
    )
    result["edit_reran_blocks"] = edited.get("ran", 0) + edited.get("replayed", 0)
    ok = result["warm_over_bare"] <= 1.3 and ok_edit
    if cold is not None:
        result["cold_over_plain_plus_raw"] = round(cold["seconds"] / (plain["seconds"] + raw), 3)
        ok = ok and result["cold_over_plain_plus_raw"] <= 1.15
    if cold is not None and serial is not None:
        result["cold_parallel_over_serial"] = round(cold["seconds"] / serial["seconds"], 3)
        ok = ok and result["cold_parallel_over_serial"] <= 0.7
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print("达标" if ok else "未达标")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
