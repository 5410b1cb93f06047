"""pytest 插件：把 docs/ 中的页面和 notebook 收集为测试，每个 ```python 块 / code cell 是一个测试项。

``pytest docs/chapter_x/page.md`` 只运行这一页。一页的所有块在同一个内核里按顺序运行（与站点构建
用的是同一个执行引擎、缓存与 mkdocs.yml 中的 snippet 设置），失败时报告 页面:行号、异常与 traceback。
运行了页面的会话结束时写构建摘要 ``<缓存目录>/build-summary.json``（与 ``mkdocs build`` 相同的格式）。

选项：
  --device {auto,cpu,cuda}  运行代码块用的设备（默认 auto：有 CUDA 就用，否则 CPU）。
  --rerun                   不用执行缓存，全部重新运行（缓存仍会被更新）。
  --shard i/n               只运行第 i 个分片的页面（默认读 $EXECBOOK_SHARD；规则见 execbook/engine/shard.py）；
                            其他测试不受影响。CI 用法：``python -m pytest docs --shard 1/2``。

页面并行：收集了不止一页时，各页交给与构建相同的 PageRunner 同时运行（并行数 ``$EXECBOOK_WORKERS``，
默认为核数）；测试项仍按顺序报告。
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from .engine import BlockError, CacheWarning, PageResult
from .engine.parallel import default_workers
from .engine.protocol import is_page
from .engine.session import Job, Session, load_job
from .engine.shard import ENV_SHARD, parse_shard, select
from .mkdocs_config import site_snippets
from .paths import DOCS_DIR, cache_dir, display_path


class _Session:
    """pytest 这一前端：引擎的 Session（按需开始）与页面并行的 Future。"""

    def __init__(self, config):
        self.config = config
        # 缓存的问题（CacheWarning）作为警告交给 pytest，在测试摘要里每次都报告
        self.engine = Session(
            cache_dir(),
            use_cache=not config.getoption("--rerun"),
            warn=lambda message: warnings.warn(message, CacheWarning, stacklevel=1),
        )
        self.snippets = site_snippets()

    def ensure(self) -> Session:
        return self.engine.ensure()

    def start_parallel(self, pages: list[PageFile]):
        """页面并行（与构建相同）：收集完成后把所有页面交给 PageRunner；测试项按顺序等各自页面的结果。"""
        if default_workers() < 2 or len(pages) < 2 or self.config.option.collectonly:
            return
        futures = self.ensure().submit_all({p: Job(p.path, p._blocks) for p in pages})
        for page, fut in futures.items():
            page._future = fut

    def finish(self):
        self.engine.close()
        if self.engine.started and self.engine.summary.pages:
            self.engine.write_summary()


_SESSION_KEY = pytest.StashKey[_Session]()


def pytest_addoption(parser):
    group = parser.getgroup("execbook", "execbook 页面代码块")
    group.addoption(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default=None,
        help="运行代码块用的设备（默认读 $D2L_DEVICE，否则 auto）",
    )
    group.addoption("--rerun", action="store_true", help="忽略执行缓存，全部重新运行")
    group.addoption(
        "--shard",
        default=None,
        metavar="i/n",
        help=f"只运行第 i 个（共 n 个）分片的页面（默认读 ${ENV_SHARD}）",
    )


def pytest_configure(config):
    device = config.getoption("--device") or os.environ.get("D2L_DEVICE") or "auto"
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise pytest.UsageError(
                "--device cuda：这台机器上没有可用的 CUDA（torch.cuda.is_available() 为 False）"
            )
    os.environ["D2L_DEVICE"] = device
    shard = config.getoption("--shard") or os.environ.get(ENV_SHARD, "").strip() or None
    try:
        config._execbook_shard = parse_shard(shard) if shard else None
    except ValueError as exc:
        raise pytest.UsageError(f"--shard：{exc}") from None
    config.stash[_SESSION_KEY] = _Session(config)


def pytest_unconfigure(config):
    session = config.stash.get(_SESSION_KEY, None)
    if session is not None:
        session.finish()


def pytest_collection_modifyitems(session, config, items):
    """--shard i/n：只留下属于这个分片的页面的测试项（按收集到的全部页面分片，规则见 engine/shard.py）。"""
    shard = getattr(config, "_execbook_shard", None)
    if shard is None:
        return
    pages = {}
    for item in items:
        if isinstance(item, BlockItem | BrokenPageItem) and isinstance(item.parent, PageFile):
            pages.setdefault(display_path(item.parent.path), 0)
            pages[display_path(item.parent.path)] += 1
    keep = select(pages, shard)
    selected, deselected = [], []
    for item in items:
        page = item.parent if isinstance(item, BlockItem | BrokenPageItem) else None
        if isinstance(page, PageFile) and display_path(page.path) not in keep:
            deselected.append(item)
        else:
            selected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_report_header(config):
    shard = getattr(config, "_execbook_shard", None)
    if shard is not None:
        return f"execbook: 分片 {shard[0]}/{shard[1]}（只运行这个分片的页面）"
    return None


def pytest_collection_finish(session):
    pages = list(
        dict.fromkeys(
            item.parent for item in session.items if isinstance(item, BlockItem | BrokenPageItem)
        )
    )
    pages = [p for p in pages if isinstance(p, PageFile) and getattr(p, "_blocks", None)]
    session.config.stash[_SESSION_KEY].start_parallel(pages)


def _is_page(path: Path) -> bool:
    try:
        return is_page(path.resolve().relative_to(DOCS_DIR))
    except ValueError:
        return False


def pytest_collect_file(parent, file_path: Path):
    if not _is_page(file_path):
        return None
    if file_path.suffix == ".md":
        return PageFile.from_parent(parent, path=file_path)
    if file_path.suffix == ".ipynb":
        return NotebookFile.from_parent(parent, path=file_path)
    return None


class BlockFailure(Exception):
    pass


class PageFile(pytest.File):
    """一个 Markdown 页面；它的代码块按顺序运行一次，结果分给各个测试项。"""

    _result: PageResult | None = None
    _future = None  # 页面并行时的 Future

    def load_blocks(self):
        return load_job(self.path, self.config.stash[_SESSION_KEY].snippets).blocks

    def collect(self):
        try:
            blocks = self.load_blocks()
        except BlockError as exc:
            yield BrokenPageItem.from_parent(self, name="extract", message=str(exc))
            return
        self._blocks = blocks
        for b in blocks:
            yield BlockItem.from_parent(self, name=f"line {b.lineno}", block=b)

    def page_result(self) -> PageResult:
        if self._result is None:
            session = self.config.stash[_SESSION_KEY].ensure()
            if self._future is not None:
                with session.capture():
                    self._result = session.record(self._future.result())
            else:
                self._result = session.run(Job(self.path, self._blocks))
        return self._result


class NotebookFile(PageFile):
    """notebook：load_job 按后缀读 code cell（「行号」是 cell 序号）。"""


class BrokenPageItem(pytest.Item):
    def __init__(self, *, message: str, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def runtest(self):
        raise BlockFailure(self.message)

    def repr_failure(self, excinfo):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, 0, f"{display_path(self.path)}: 抽取代码块"


class BlockItem(pytest.Item):
    def __init__(self, *, block, **kwargs):
        super().__init__(**kwargs)
        self.block = block

    def runtest(self):
        if self.block.skip_reason is not None:
            pytest.skip(f"{self.block.where}: {self.block.skip_reason}")
        result = self.parent.page_result()
        r = result.results[self.block.index]
        if r.status == "failed":
            raise BlockFailure(r.error)
        if r.status == "not-run":
            failed = result.failure
            pytest.skip(
                f"{self.block.where}: 未运行——本页前面的代码块（{failed.block.where}）失败了"
            )

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, BlockFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        kind = "构建检查" if self.block.check else "代码块"
        return self.path, self.block.lineno - 1, f"{self.block.where}（{kind}）"
