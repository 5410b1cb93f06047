"""``python -m execbook run``：不经 pytest、不经 MkDocs，只执行页面（填执行缓存）；CI 的分片作业与基准用。

路径可以是页面、notebook 或目录（目录下的页面，规则见 ``engine.protocol.is_page``）。页面与 pytest、构建用的
是同一个引擎的 ``Session``：缓存（``$DLNOTES_CACHE_DIR``）与页面并行（``$EXECBOOK_WORKERS``）；``--shard i/n``
（或 ``$EXECBOOK_SHARD``）只运行这个分片的页面，分法与 ``pytest --shard`` 相同。写构建摘要；有块失败时打印
「页面:行号」与 traceback，以状态 1 退出。
"""

from __future__ import annotations

import sys
from pathlib import Path

from .engine import BlockError
from .engine.protocol import is_page
from .engine.session import Session, load_job
from .engine.shard import select
from .mkdocs_config import site_snippets
from .paths import DOCS_DIR, cache_dir, display_path


def find_pages(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = p.resolve()
        if p.is_dir():
            out += [f for f in sorted(p.rglob("*")) if is_page(f.relative_to(p))]
        elif p.is_file():
            out.append(p)
        else:
            raise SystemExit(f"没有这个页面或目录：{p}")
    return list(dict.fromkeys(out))


def run_pages(paths: list[Path], shard: tuple[int, int] | None, rerun: bool = False) -> int:
    snippets = site_snippets()
    jobs, broken = {}, []
    for path in find_pages(paths or [DOCS_DIR]):
        try:
            job = load_job(path, snippets)
        except BlockError as exc:
            broken.append(str(exc))
            jobs[display_path(path)] = None
            continue
        if job.blocks:
            jobs[display_path(path)] = job
    chosen = select({k: max(1, len(j.blocks) if j else 1) for k, j in jobs.items()}, shard)
    failures = [m for m in broken if any(m.startswith(p) for p in chosen)]
    todo = {k: j for k, j in sorted(jobs.items()) if k in chosen and j is not None}
    label = f"分片 {shard[0]}/{shard[1]}：" if shard else ""
    print(f"execbook: {label}{len(todo)} 页（共 {len(jobs)} 页有代码）", flush=True)

    session = Session(cache_dir(), use_cache=not rerun)
    session.start()
    try:
        results = session.run_all(todo)
    finally:
        session.close()
    for r in results.values():
        if isinstance(r, BaseException):
            raise r
        if r.failure is not None:
            failures.append(r.failure.error)
    print(session.write_summary(), flush=True)
    for msg in failures:
        print(msg, file=sys.stderr)
    return 1 if failures else 0
