"""执行：一页的代码块按页面顺序在同一个内核里运行（或取自缓存），失败不抛出，记录在结果里。

同一个函数服务三种来源：Markdown 页面中的 ```python 块（snippet 已展开）、docs/ 中的 notebook
（逐个 code cell）、以及测试（pytest 插件）。

缓存键（每个块一个）见 fingerprint.block_keys。改动一个块只会让这个块及其后的块失效；为了恢复内核状态，
前面的块会重新运行（"replayed"）。块报告的依赖（dependencies.py）变了，也从那个块起重算。
"""

from __future__ import annotations

import datetime as _dt
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import display_path
from . import dependencies as deps_mod
from .blocks import Block, blocks_from_notebook
from .cache import Cache
from .dependencies import DependencyChecker
from .errors import display_error, format_error
from .files import atomic_write
from .fingerprint import block_keys, device, fingerprint, version
from .kernels import KernelPool
from .notebooks import cap_notebook_outputs, notebook_bytes
from .outputs import cap_for_store, failed_figures, normalize


@dataclass
class BlockResult:
    block: Block
    status: str  # cached | ran | replayed | skipped | failed | not-run
    outputs: list[dict] = field(default_factory=list)  # nbformat 输出字典（不含依赖报告）
    duration: float = 0.0
    provenance: dict = field(default_factory=dict)
    error: str | None = None
    dependencies: list[dict] = field(default_factory=list)  # 到这个块为止本页读过的依赖


@dataclass
class PageResult:
    page: Path
    results: list[BlockResult]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # 触到输出上限等（页面:行号 开头）

    @property
    def failure(self) -> BlockResult | None:
        return next((r for r in self.results if r.status == "failed"), None)

    def count(self, *statuses: str) -> int:
        return sum(r.status in statuses for r in self.results)

    @property
    def dependencies(self) -> list[dict]:
        for r in reversed(self.results):
            if r.dependencies:
                return r.dependencies
        return []

    @property
    def data(self) -> str | None:
        return deps_mod.describe(self.dependencies)

    @property
    def device(self) -> str | None:
        devices = sorted({r.provenance.get("device", "?") for r in self.results if r.provenance})
        return "/".join(devices) or None


def provenance(duration: float) -> dict:
    return {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
        "device": device(),
        "torch": version("torch"),
        "python": platform.python_version(),
        "duration_s": round(duration, 3),
    }


def lookup(
    blocks: list[Block],
    keys: list[str | None],
    cache: Cache,
    checker: DependencyChecker,
    use_cache: bool = True,
) -> tuple[list[dict | None], int | None]:
    """(各块缓存的 payload, 第一个没有最新缓存的块的序号)。第一个缺失之后的块不再查。"""
    found: list[dict | None] = [None] * len(blocks)
    for i, (b, k) in enumerate(zip(blocks, keys)):
        if k is None:
            continue
        payload = cache.get(k, b.where) if use_cache else None
        if payload is not None and checker.stale(payload.get("dependencies", []), b.where):
            payload = None
        if payload is None:
            return found, i
        found[i] = payload
    return found, None


def missing_blocks(
    blocks: list[Block], cache: Cache, fp: dict, checker: DependencyChecker | None = None
) -> Block | None:
    """第一个没有最新缓存的块（DLNOTES_EXECUTE=never 用）。"""
    _, first = lookup(blocks, block_keys(blocks, fp), cache, checker or DependencyChecker())
    return None if first is None else blocks[first]


def skipped_result(b: Block) -> BlockResult:
    """不运行的块；notebook 的 skip-execution cell 保留 notebook 里保存的输出。"""
    return BlockResult(b, "skipped", normalize(b.saved_outputs or []))


def not_raised_error(b: Block) -> str:
    return (
        f"{b.where}: 代码块标了 <!--pytest.mark.raises-exception-->（有意报错），运行时却没有报错；"
        "代码改了，就把标记和说明错误的文字一起改掉"
    )


def refresh_displays(results: list[BlockResult], raws: dict, cache: Cache) -> None:
    """``display(..., display_id=True)`` 之后的 ``update_display``：nbclient 改的是内核里那个 cell 的输出
    （同一块或前面的块），这里把改过的输出同步到结果与缓存条目（页面显示 Jupyter 里最后的状态）。"""
    for i, (raw, key) in raws.items():
        r = results[i]
        fresh, _ = deps_mod.split_dependencies(normalize(raw))
        fresh, _ = cap_for_store(fresh)
        if fresh != r.outputs:
            r.outputs = fresh
            entry = {
                "page": display_path(r.block.page),
                "lineno": r.block.lineno,
                "outputs": fresh,
                "dependencies": r.dependencies,
                "provenance": r.provenance,
            }
            cache.put(key, entry)


def execute_page(
    page: Path,
    blocks: list[Block],
    *,
    cache: Cache | None = None,
    use_cache: bool = True,
    fp: dict | None = None,
    pool: KernelPool | None = None,
    checker: DependencyChecker | None = None,
) -> PageResult:
    """运行（或从缓存取出）一个页面的全部代码块。

    ``fp`` 是环境指纹（一次构建共用一个）；``pool`` 是调用者拥有的内核池（没有就临时建一个）；
    ``checker`` 记住依赖 resolver 的结果（一次构建共用一个）。
    """
    t_start = time.perf_counter()
    cache = cache or Cache()
    fp = fingerprint() if fp is None else fp
    checker = checker or DependencyChecker()
    keys = block_keys(blocks, fp)
    cached, first_miss = lookup(blocks, keys, cache, checker, use_cache)
    results: list[BlockResult] = []
    if first_miss is None:
        for b, c in zip(blocks, cached):
            if b.skip_reason is not None:
                results.append(skipped_result(b))
                continue
            prov = c.get("provenance", {})
            results.append(
                BlockResult(
                    b,
                    "cached",
                    c["outputs"],
                    prov.get("duration_s", 0.0),
                    prov,
                    dependencies=c.get("dependencies", []),
                )
            )
        return PageResult(page, results, time.perf_counter() - t_start)

    own_pool = pool is None
    pool = pool or KernelPool(prestart=False)
    kernel = None
    failed = False
    page_deps: list[dict] = []
    notes: list[str] = []
    raws: dict[int, tuple[list, str]] = {}  # 结果序号 → (内核里这个 cell 的输出列表, 缓存键)
    try:
        for b, key in zip(blocks, keys):
            if b.skip_reason is not None:
                results.append(skipped_result(b))
                continue
            if failed:
                results.append(BlockResult(b, "not-run"))
                continue
            if kernel is None:
                kernel = pool.acquire()
                kernel.chdir(Path(page).parent)  # 代码在页面所在的文件夹里运行（见 workdir.py）
            t0 = time.perf_counter()
            try:
                raw = kernel.run(b.source, b.timeout, block=b)
            except Exception as exc:
                failed = True
                msg = format_error(b, exc, kernel.blocks_by_count)
                results.append(
                    BlockResult(b, "failed", error=msg, duration=time.perf_counter() - t0)
                )
                continue
            dt = time.perf_counter() - t0
            outputs, new_deps = deps_mod.split_dependencies(normalize(raw))
            errors = [o for o in outputs if o["output_type"] == "error"]
            figures = failed_figures(outputs)
            if (
                b.raises and not figures
            ):  # 有意的报错：错误作为输出（Markdown 页面的标记要求真的报错）
                errors = []
                if b.must_raise and not any(o["output_type"] == "error" for o in outputs):
                    failed = True
                    results.append(BlockResult(b, "failed", error=not_raised_error(b), duration=dt))
                    continue
            if errors or figures:  # 代码运行成功，但输出（图）没能显示
                failed = True
                results.append(
                    BlockResult(b, "failed", error=display_error(b, figures, errors), duration=dt)
                )
                continue
            outputs, capped = cap_for_store(outputs)
            if capped:
                notes.append(f"{b.where}: 输出超过引擎的存储上限，缓存中只保留头尾")
            page_deps = deps_mod.merge(page_deps, new_deps)
            prov = provenance(dt)
            status = "replayed" if b.index < blocks[first_miss].index else "ran"
            cache.put(
                key,
                {
                    "page": display_path(page),
                    "lineno": b.lineno,
                    "outputs": outputs,
                    "dependencies": page_deps,
                    "provenance": prov,
                },
            )
            results.append(BlockResult(b, status, outputs, dt, prov, dependencies=page_deps))
            raws[len(results) - 1] = (raw, key)
            # display_id 的更新可能改了前面块的输出（Jupyter 显示最后的状态）
            if kernel.display_ids():
                refresh_displays(results, raws, cache)
    finally:
        if kernel is not None:
            kernel.close()
        if own_pool:
            pool.close()
    return PageResult(page, results, time.perf_counter() - t_start, notes)


def execute_notebook(
    path: Path,
    out_path: Path,
    *,
    cache: Cache | None = None,
    fp: dict | None = None,
    pool: KernelPool | None = None,
    checker: DependencyChecker | None = None,
    max_bytes: int | None = None,
) -> PageResult:
    """运行 notebook（经同一个引擎与缓存），把带输出的副本原子地写到 out_path。"""

    nb, blocks = blocks_from_notebook(path)
    result = execute_page(Path(path), blocks, cache=cache, fp=fp, pool=pool, checker=checker)
    if result.failure is None:
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        for cell, r in zip(code_cells, result.results):
            cell["outputs"] = list(r.outputs)
        if max_bytes is not None:
            result.notes += cap_notebook_outputs(nb["cells"], max_bytes, display_path(path))
        atomic_write(out_path, notebook_bytes(nb), skip_same=True)
    return result


__all__ = [
    "BlockResult",
    "PageResult",
    "execute_page",
    "execute_notebook",
    "missing_blocks",
    "lookup",
]
