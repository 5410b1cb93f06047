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


def cache_entry(r: BlockResult) -> dict:
    """一个运行过的块的缓存条目（输出、到它为止本页读过的依赖、出处）。"""
    return {
        "page": display_path(r.block.page),
        "lineno": r.block.lineno,
        "outputs": r.outputs,
        "dependencies": r.dependencies,
        "provenance": r.provenance,
    }


def cached_result(b: Block, payload: dict | None) -> BlockResult:
    """整页都有最新缓存时，一个块的结果（跳过的块没有缓存条目）。"""
    if b.skip_reason is not None:
        return skipped_result(b)
    prov = payload.get("provenance", {})
    return BlockResult(
        b,
        "cached",
        payload["outputs"],
        prov.get("duration_s", 0.0),
        prov,
        dependencies=payload.get("dependencies", []),
    )


def output_error(b: Block, outputs: list[dict]) -> str | None:
    """运行完的块算不算失败：输出里有报错、图没能显示，或者标了有意报错却没有报错。

    有意报错的块（``b.raises``）的错误作为输出显示；没能显示的图仍然算失败。
    """
    errors = [o for o in outputs if o["output_type"] == "error"]
    figures = failed_figures(outputs)
    if b.raises and not figures:
        return not_raised_error(b) if b.must_raise and not errors else None
    if errors or figures:  # 代码运行成功，但输出（图）没能显示
        return display_error(b, figures, errors)
    return None


def refresh_displays(results: list[BlockResult], raws: dict, cache: Cache) -> None:
    """``display(..., display_id=True)`` 之后的 ``update_display``：nbclient 改的是内核里那个 cell 的输出
    （同一块或前面的块），这里把改过的输出同步到结果与缓存条目（页面显示 Jupyter 里最后的状态）。"""
    for i, (raw, key) in raws.items():
        r = results[i]
        fresh, _ = deps_mod.split_dependencies(normalize(raw))
        fresh, _ = cap_for_store(fresh)
        if fresh != r.outputs:
            r.outputs = fresh
            cache.put(key, cache_entry(r))


class PageRun:
    """一页的一次运行：块按页面顺序送进同一个内核（第一次要运行时才从池里取），
    每个运行过的块写进缓存；一个块失败之后，后面的块不再运行（状态 not-run）。"""

    def __init__(self, page: Path, cache: Cache, pool: KernelPool):
        self.page, self.cache, self.pool = page, cache, pool
        self.kernel = None
        self.failed = False
        self.results: list[BlockResult] = []
        self.notes: list[str] = []  # 触到输出上限等（页面:行号 开头）
        self.dependencies: list[dict] = []  # 到目前为止本页读过的依赖
        # 结果序号 → (内核里这个 cell 的输出列表, 缓存键)：display_id 的更新会改这些列表
        self.raws: dict[int, tuple[list, str]] = {}

    def add(self, b: Block, key: str | None, *, replay: bool) -> None:
        """运行（或跳过）下一个块；``replay``：这个块有缓存，只为恢复内核状态而重新运行。"""
        if b.skip_reason is not None:
            self.results.append(skipped_result(b))
        elif self.failed:
            self.results.append(BlockResult(b, "not-run"))
        else:
            self._run(b, key, "replayed" if replay else "ran")

    def _fail(self, b: Block, error: str, duration: float) -> None:
        self.failed = True
        self.results.append(BlockResult(b, "failed", error=error, duration=duration))

    def _acquire(self):
        if self.kernel is None:
            self.kernel = self.pool.acquire()
            # 代码在页面所在的文件夹里运行（见 workdir.py）
            self.kernel.chdir(Path(self.page).parent)
        return self.kernel

    def _run(self, b: Block, key: str, status: str) -> None:
        """运行一个块；成功时结果写进缓存，失败（报错、输出显示不了）时记下错误，页面停在这里。"""
        kernel = self._acquire()
        t0 = time.perf_counter()
        try:
            raw = kernel.run(b.source, b.timeout, block=b)
        except Exception as exc:
            self._fail(b, format_error(b, exc, kernel.blocks_by_count), time.perf_counter() - t0)
            return
        dt = time.perf_counter() - t0
        outputs, new_deps = deps_mod.split_dependencies(normalize(raw))
        if error := output_error(b, outputs):
            self._fail(b, error, dt)
            return
        outputs, capped = cap_for_store(outputs)
        if capped:
            self.notes.append(f"{b.where}: 输出超过引擎的存储上限，缓存中只保留头尾")
        self.dependencies = deps_mod.merge(self.dependencies, new_deps)
        result = BlockResult(b, status, outputs, dt, provenance(dt), dependencies=self.dependencies)
        self.cache.put(key, cache_entry(result))
        self.results.append(result)
        self.raws[len(self.results) - 1] = (raw, key)
        # display_id 的更新可能改了前面块的输出（Jupyter 显示最后的状态）
        if kernel.display_ids():
            refresh_displays(self.results, self.raws, self.cache)

    def close(self) -> None:
        if self.kernel is not None:
            self.kernel.close()


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
    第一个没有最新缓存的块之前的块重新运行（恢复内核状态），从它起运行并写进缓存。
    """
    t_start = time.perf_counter()
    cache = cache or Cache()
    fp = fingerprint() if fp is None else fp
    keys = block_keys(blocks, fp)
    cached, first_miss = lookup(blocks, keys, cache, checker or DependencyChecker(), use_cache)
    if first_miss is None:
        results = [cached_result(b, c) for b, c in zip(blocks, cached)]
        return PageResult(page, results, time.perf_counter() - t_start)

    own_pool = pool is None
    pool = pool or KernelPool(prestart=False)
    run = PageRun(page, cache, pool)
    try:
        for b, key in zip(blocks, keys):
            run.add(b, key, replay=b.index < blocks[first_miss].index)
    finally:
        run.close()
        if own_pool:
            pool.close()
    return PageResult(page, run.results, time.perf_counter() - t_start, run.notes)


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
