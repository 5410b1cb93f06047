"""页面并行：互不相关的页面同时运行（每页仍是一个内核、页内按顺序）。

- 并行数 ``workers``：默认是机器的核数（``$EXECBOOK_WORKERS`` 可改；1 = 一页一页地运行）；
- 每个内核的线程数 ``kernel_threads()``：默认 核数 ÷ 并行数（至少 1），通过 ``OMP_NUM_THREADS`` 等环境变量
  交给内核里的 torch/BLAS，几个内核同时运行也不超额占用 CPU（``$EXECBOOK_KERNEL_THREADS`` 可改）。
  线程数会改变浮点运算的求和顺序，所以它属于环境指纹：同样的线程数，并行与一页一页地运行得到相同的输出。

``PageRunner`` 由调用者拥有（MkDocs 插件一次构建一个，pytest 一次会话一个）：每个工作线程有自己的内核池。
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from .kernels import ENV_THREADS, ENV_WORKERS, KernelPool, default_workers, kernel_threads

__all__ = ["ENV_THREADS", "ENV_WORKERS", "PageRunner", "default_workers", "kernel_threads"]


class PageRunner:
    """在 ``workers`` 个线程里运行页面任务；任务是 ``fn(pool) -> 结果``，pool 是该线程的内核池。"""

    def __init__(self, workers: int, threads: int | None = None, prestart: bool = True):
        self.workers = workers
        self.threads = threads
        self.prestart = prestart
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="execbook-page")
        self._local = threading.local()
        self._pools: list[KernelPool] = []
        self._lock = threading.Lock()

    def _pool(self) -> KernelPool:
        pool = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = KernelPool(prestart=self.prestart, threads=self.threads)
            with self._lock:
                self._pools.append(pool)
        return pool

    def submit(self, fn: Callable[[KernelPool], object]) -> Future:
        return self._executor.submit(lambda: fn(self._pool()))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            pools, self._pools = self._pools, []
        for pool in pools:
            pool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
