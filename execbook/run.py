"""不经 pytest、不经 MkDocs，只执行页面（填执行缓存）：CI 的分片作业与基准用。

    python -m execbook.run [--shard i/n] [--rerun] [路径 ...]    # 路径默认 docs/

路径可以是页面、notebook 或目录（目录下的 .md/.ipynb，跳过 ``_`` 开头的目录）。页面与 pytest、构建用的是
同一个引擎、缓存（``$DLNOTES_CACHE_DIR``）与页面并行（``$EXECBOOK_WORKERS``）；``--shard i/n``（或
``$EXECBOOK_SHARD``）只运行这个分片的页面，分法与 ``pytest --shard`` 相同。写构建摘要；有块失败时打印
「页面:行号」与 traceback，以状态 1 退出。
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from .engine import (
    BlockError,
    BuildSummary,
    Cache,
    DependencyChecker,
    KernelPool,
    blocks_from_notebook,
    execute_page,
    extract_blocks,
    fingerprint,
    human_line,
    summary_path,
)
from .engine.files import clean_stale_kernel_dirs
from .engine.parallel import PageRunner, default_workers, kernel_threads
from .engine.shard import env_shard, parse_shard, select
from .mkdocs_config import snippet_settings
from .paths import DOCS_DIR, REPO_ROOT, cache_dir, display_path


def find_pages(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = p.resolve()
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.suffix in (".md", ".ipynb") and not any(x.startswith((".", "_")) for x in rel):
                    out.append(f)
        elif p.is_file():
            out.append(p)
        else:
            raise SystemExit(f"没有这个页面或目录：{p}")
    return list(dict.fromkeys(out))


def load_blocks(path: Path, snippets):
    if path.suffix == ".ipynb":
        return blocks_from_notebook(path)[1]
    return extract_blocks(path, snippets=snippets)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m execbook.run", description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="页面、notebook 或目录（默认 docs/）")
    ap.add_argument("--shard", metavar="i/n", help="只运行第 i 个（共 n 个）分片的页面")
    ap.add_argument("--rerun", action="store_true", help="忽略执行缓存，全部重新运行")
    args = ap.parse_args(argv)
    try:
        shard = parse_shard(args.shard) if args.shard else env_shard()
    except ValueError as exc:
        ap.error(str(exc))

    snippets = snippet_settings(REPO_ROOT / "mkdocs.yml")
    pages: dict[str, tuple[Path, list]] = {}
    broken: list[str] = []
    for path in find_pages(args.paths or [DOCS_DIR]):
        try:
            blocks = load_blocks(path, snippets)
        except BlockError as exc:
            broken.append(str(exc))
            pages[display_path(path)] = (path, [])
            continue
        if blocks:
            pages[display_path(path)] = (path, blocks)
    chosen = select({k: max(1, len(b)) for k, (_, b) in pages.items()}, shard)
    broken = [m for m in broken if any(m.startswith(p) for p in chosen)]
    jobs = [(p, b) for k, (p, b) in sorted(pages.items()) if k in chosen and b]
    label = f"分片 {shard[0]}/{shard[1]}：" if shard else ""
    print(f"execbook: {label}{len(jobs)} 页（共 {len(pages)} 页有代码）", flush=True)

    cache = Cache(cache_dir())
    cache.clean()
    clean_stale_kernel_dirs()
    fp, checker, summary = fingerprint(), DependencyChecker(), BuildSummary()
    use_cache = not args.rerun
    workers = default_workers()
    failures = list(broken)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if workers > 1 and len(jobs) > 1:
            with PageRunner(workers, kernel_threads(workers)) as runner:
                futures = [
                    runner.submit(
                        lambda pool, p=p, b=b: execute_page(
                            p,
                            b,
                            cache=cache,
                            use_cache=use_cache,
                            fp=fp,
                            pool=pool,
                            checker=checker,
                        )
                    )
                    for p, b in jobs
                ]
                results = [f.result() for f in futures]
        else:
            with KernelPool() as pool:
                results = [
                    execute_page(
                        p, b, cache=cache, use_cache=use_cache, fp=fp, pool=pool, checker=checker
                    )
                    for p, b in jobs
                ]
    for w in caught:
        print(f"WARNING -  execbook: {w.message}", file=sys.stderr)
    for r in results:
        summary.add(r)
        if r.failure is not None:
            failures.append(r.failure.error)
    data = summary.write(summary_path(cache.base))
    print(human_line(data, summary_path(cache.base)), flush=True)
    for msg in failures:
        print(msg, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
