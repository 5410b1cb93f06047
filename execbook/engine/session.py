"""一次运行的引擎状态与流程：MkDocs 插件、pytest 插件与命令行共用的唯一编排者。

``Session`` 拥有环境指纹、缓存、依赖检查、内核池、页面并行（``PageRunner``）、构建摘要与警告的报告；
三个前端只决定「哪些页面」与「结果怎么报告」：

    session = Session(cache_root, warn=log.warning)
    session.start()                        # 指纹、缓存、内核池；清理被杀掉的运行留下的文件
    results = session.run_all(jobs)        # 多页并行（或一页一页），结果记入摘要
    session.write_summary()                # <缓存目录>/build-summary.json
    session.close()
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .blocks import Block, BlockError, blocks_from_notebook, extract_blocks, read_page
from .cache import Cache
from .dependencies import DependencyChecker
from .execute import PageResult, execute_notebook, execute_page, missing_blocks
from .files import clean_stale_kernel_dirs
from .fingerprint import fingerprint
from .kernels import KernelPool
from .parallel import PageRunner, default_workers, kernel_threads
from .protocol import summary_path
from .summary import BuildSummary, human_line


def _stderr_warning(message: str) -> None:
    print(f"WARNING -  execbook: {message}", file=sys.stderr)


@dataclass
class Job:
    """要运行的一页：Markdown 页面的块，或 notebook（``notebook_out``：带输出的副本写到这里）。"""

    path: Path
    blocks: list[Block]
    notebook_out: Path | None = None


def load_job(path: Path, snippets: dict | None = None, text: str | None = None) -> Job:
    """页面或 notebook → Job（抽取失败抛出 BlockError，写明页面:行号）。"""
    path = Path(path)
    if path.suffix == ".ipynb":
        return Job(path, blocks_from_notebook(path)[1])
    text = read_page(path) if text is None else text
    return Job(path, extract_blocks(path, text, snippets=snippets))


class Session:
    """一次构建 / 测试会话 / 命令行运行的引擎状态（``start()`` 之后可用）。"""

    def __init__(
        self,
        cache_root: Path | None = None,
        *,
        use_cache: bool = True,
        kernels: bool = True,
        notebook_bytes: int | None = None,
        warn: Callable[[str], None] = _stderr_warning,
    ):
        self.cache_root = cache_root
        self.use_cache = use_cache
        self.kernels = kernels
        self.notebook_bytes = notebook_bytes
        self.warn = warn
        self.pool: KernelPool | None = None
        self.runner: PageRunner | None = None
        self.started = False

    def start(self) -> list[Path]:
        """指纹、缓存、依赖检查、内核池与摘要；返回清理掉的被中断运行留下的文件。"""
        self.fp = fingerprint()
        self.cache = Cache(self.cache_root)
        self.checker = DependencyChecker()
        self.summary = BuildSummary()
        self.pool = KernelPool() if self.kernels else None
        self.started = True
        return self.cache.clean() + clean_stale_kernel_dirs()

    def ensure(self) -> Session:
        if not self.started:
            self.start()
        return self

    # ------------------------------------------------------------ 警告

    @contextmanager
    def capture(self, report: Callable[[str], None] | None = None) -> Iterator[None]:
        """把其间的警告（CacheWarning、无法渲染的输出……）交给 ``report``（默认 ``warn``），每次都报告。"""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for w in caught:
            (report or self.warn)(str(w.message))

    # ------------------------------------------------------------ 运行

    def job_fn(self, job: Job) -> Callable[[KernelPool | None], PageResult]:
        """Job → ``fn(pool) -> PageResult``（交给 PageRunner 或直接调用）。"""
        kwargs = dict(cache=self.cache, fp=self.fp, checker=self.checker)
        if job.notebook_out is not None:
            return lambda pool: execute_notebook(
                job.path, job.notebook_out, pool=pool, max_bytes=self.notebook_bytes, **kwargs
            )
        return lambda pool: execute_page(
            job.path, job.blocks, pool=pool, use_cache=self.use_cache, **kwargs
        )

    def run(self, job: Job) -> PageResult:
        """一页，用会话的内核池；结果记入摘要。"""
        with self.capture():
            result = self.job_fn(job)(self.pool)
        return self.record(result)

    def record(self, result: PageResult) -> PageResult:
        self.summary.add(result)
        return result

    def parallel(self, n_jobs: int) -> bool:
        return default_workers() > 1 and n_jobs > 1

    def submit_all(self, jobs: dict) -> dict[object, Future]:
        """页面并行：各页交给 PageRunner（{名字: Job} → {名字: Future}）；``close()`` 时关掉。"""
        if self.runner is None:
            workers = default_workers()
            self.runner = PageRunner(workers, kernel_threads(workers))
        return {name: self.runner.submit(self.job_fn(job)) for name, job in jobs.items()}

    def run_all(self, jobs: dict) -> dict[object, PageResult | BaseException]:
        """运行全部页面（能并行就并行），按给出的顺序返回结果；引擎本身出错的页面给出异常。"""
        out: dict[object, PageResult | BaseException] = {}
        with self.capture():
            if self.parallel(len(jobs)):
                futures = self.submit_all(jobs)
                for name, fut in futures.items():
                    try:
                        out[name] = self.record(fut.result())
                    except Exception as exc:
                        out[name] = exc
                self.runner.close()
                self.runner = None
            else:
                for name, job in jobs.items():
                    out[name] = self.record(self.job_fn(job)(self.pool))
        return out

    def missing(self, blocks: list[Block]) -> Block | None:
        """第一个没有最新缓存的块（DLNOTES_EXECUTE=never）。"""
        with self.capture():
            return missing_blocks(blocks, self.cache, self.fp, self.checker)

    # ------------------------------------------------------------ 结束

    def summary_file(self) -> Path:
        return summary_path(self.cache.base)

    def write_summary(self) -> str:
        """写构建摘要，返回给人看的一行。"""
        data = self.summary.write(self.summary_file())
        return human_line(data, self.summary_file())

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()
            self.runner = None
        if self.pool is not None:
            self.pool.close()
            self.pool = None


__all__ = ["BlockError", "Job", "Session", "load_job"]
