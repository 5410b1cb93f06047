"""``mkdocs serve``：构建不等代码运行。

缺输出的页面先显示占位说明（「本页代码正在运行……」），它们的代码在后台的 PageRunner 里运行（第一次构建写完
站点之后才开始）；一页算完就改动一个被监视的文件（``<cache_dir>/serve/done``），MkDocs 重建，浏览器经
livereload 自动刷新。失败的块不让服务器停下：错误（页面:行号与 traceback）显示在那一页上；改好之后页面的
缓存键变了，又在后台运行。``mkdocs build`` 照旧同步执行、严格：插件保证占位说明和错误框绝不会出现在构建出的
站点里（检查下面两个类名）。
"""

from __future__ import annotations

import html
import threading
import time
import warnings
from pathlib import Path

from ...engine import BlockResult, PageResult, block_keys
from ...engine.execute import lookup
from ...engine.files import atomic_write
from ...engine.parallel import PageRunner, default_workers, kernel_threads
from ...engine.session import Job, Session

PENDING_CLASS = "execbook-pending"
FAILED_CLASS = "execbook-failed"
PENDING_TITLE = "本页代码正在运行……"
PENDING_TEXT = "输出计算完成后页面会自动刷新（mkdocs serve 在后台运行本页的代码块）。"


def pending_html() -> str:
    return (
        f'<div class="admonition info {PENDING_CLASS}"><p class="admonition-title">'
        f"{PENDING_TITLE}</p><p>{PENDING_TEXT}</p></div>"
    )


def failed_html(error: str, title: str = "代码块运行失败") -> str:
    return (
        f'<div class="admonition failure {FAILED_CLASS}"><p class="admonition-title">'
        f"{html.escape(title)}</p><pre><code>{html.escape(error)}</code></pre>"
        "<p>改好之后保存，mkdocs serve 会重新运行并刷新本页。</p></div>"
    )


def page_status(result: PageResult | None) -> str:
    """页面顶部的说明：代码还在后台运行（``result`` 为 None）时是占位说明，有块失败时是点名那个块的错误框
    （错误本身显示在那个块下方），否则是空串。"""
    if result is None:
        return pending_html()
    if (failure := result.failure) is None:
        return ""
    return failed_html(
        f"本页有代码块运行失败：{failure.block.where}（错误见该代码块下方）", "本页的输出不完整"
    )


def not_run(path: Path, blocks: list) -> PageResult:
    """还在后台运行的页面的结果：代码照常显示，没有输出。"""
    return PageResult(path, [BlockResult(b, "not-run") for b in blocks])


def has_serve_markup(output: str) -> bool:
    return PENDING_CLASS in output or FAILED_CLASS in output


class ServeRunner:
    """后台运行缺输出的页面；跨 mkdocs serve 的各次重建存活（插件实例在重建之间保留）。"""

    def __init__(self):
        self._jobs: dict[tuple, object] = {}  # (页面, 各块的缓存键) → Future[PageResult]
        self._queued: list = []  # 本次构建里缺输出的页面，构建写完后才交给后台
        self._lock = threading.Lock()
        self._background: PageRunner | None = None
        self._trigger_dir: Path | None = None

    def watch(self, server, cache_root: Path):
        """监视一个目录：后台一页算完就在里面写文件，MkDocs 重建，浏览器自动刷新。"""
        self._trigger_dir = cache_root / "serve"
        self._trigger_dir.mkdir(parents=True, exist_ok=True)
        server.watch(str(self._trigger_dir))
        if any(f.done() for f in self._jobs.values()):
            self._poke()

    def _poke(self, *_):
        if self._trigger_dir is not None:
            atomic_write(self._trigger_dir / "done", f"{time.time()}\n")

    def result(self, job: Job, session: Session) -> PageResult | None:
        """这一页的结果（全部有缓存，或后台已经算完）；还没算完返回 None（页面显示占位说明）。"""
        blocks = job.blocks
        keys = tuple(block_keys(blocks, session.fp))
        ident = (str(job.path), keys)
        fn = session.job_fn(job)
        with self._lock:
            fut = self._jobs.get(ident)
        if fut is not None and fut.done():
            try:
                return fut.result()
            except Exception as exc:  # 引擎本身出错：显示在页面上
                return PageResult(
                    job.path,
                    [BlockResult(blocks[0], "failed", error=f"{blocks[0].where}: {exc!r}")]
                    + [BlockResult(b, "not-run") for b in blocks[1:]],
                )
        if fut is None:
            with warnings.catch_warnings(record=True):
                warnings.simplefilter("always")
                _, first_miss = lookup(blocks, list(keys), session.cache, session.checker)
            if first_miss is None:
                return fn(None)
            with self._lock:
                self._queued.append((ident, fn))
        return None

    def start(self) -> int:
        """构建写完之后：把缺输出的页面交给后台（第一次构建不和代码抢 CPU，页面尽快可看）；返回页数。"""
        with self._lock:
            queued, self._queued = self._queued, []
            if not queued:
                return 0
            if self._background is None:
                workers = default_workers()
                self._background = PageRunner(workers, kernel_threads(workers))
            for ident, fn in queued:
                if ident in self._jobs:
                    continue
                fut = self._background.submit(fn)
                fut.add_done_callback(self._poke)
                self._jobs[ident] = fut
        return len(queued)

    def close(self):
        if self._background is not None:
            self._background.close()
            self._background = None
