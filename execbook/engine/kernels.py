"""内核池：每页一个 Jupyter 内核（nbclient + ipykernel），由调用者拥有。

``KernelPool`` 是一个普通对象：构建（MkDocs 插件）与测试会话（pytest 插件）各建一个，用完 ``close()``。
它在当前页面运行时就在后台启动下一个内核（省下每页约 1 秒的启动时间）。没有模块级的全局内核。
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..kernel.fonts import matplotlib_rc
from ..paths import REPO_ROOT
from .files import make_kernel_dir

# 内核的配置（IPython profile）：图保存为 SVG、SVG 内部 id 可复现、固定随机种子。
# 写在配置里而不是作为第一个 cell 运行，这样不为每页导入 matplotlib/torch（页面自己的代码用到时才导入）。
# 种子见 execbook/kernel/startup.py（torch 在页面第一次导入它时才设种子）。
# 图中的中文：mplfonts 自带的 Noto Sans CJK SC 排在字体列表最前（见 execbook/kernel/fonts.py）
_RC = {"svg.hashsalt": "dlnotes", "figure.figsize": (5.0, 3.2), **matplotlib_rc()}
KERNEL_CONFIG = f"""\
c.InlineBackend.figure_formats = {{"svg"}}
c.InlineBackend.rc = {_RC!r}
c.IPKernelApp.exec_lines = ["import execbook.kernel.startup"]
"""


ENV_WORKERS = "EXECBOOK_WORKERS"
ENV_THREADS = "EXECBOOK_KERNEL_THREADS"


def _positive(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    n = int(value)
    if n < 1:
        raise ValueError(f"${name} 必须是正整数，得到 {value!r}")
    return n


def default_workers() -> int:
    return _positive(ENV_WORKERS) or os.cpu_count() or 1


def kernel_threads(workers: int | None = None) -> int:
    """每个内核的线程数（进入环境指纹）。"""
    explicit = _positive(ENV_THREADS)
    if explicit:
        return explicit
    return max(1, (os.cpu_count() or 1) // (workers or default_workers()))


def kernel_env(workdir: Path, threads: int | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["SOURCE_DATE_EPOCH"] = "0"  # matplotlib 写进 SVG 的日期
    profile = workdir / ".ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text(KERNEL_CONFIG, encoding="utf-8")
    env["IPYTHONDIR"] = str(workdir / ".ipython")
    if env.get("D2L_DATA_DIR"):  # 内核在临时目录里运行：相对路径要先变成绝对路径
        env["D2L_DATA_DIR"] = str(Path(env["D2L_DATA_DIR"]).resolve())
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    if threads:  # 几个内核同时运行时，每个内核的 torch/BLAS 线程数（不超额占用 CPU）
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[var] = str(threads)
    return env


class _Started:
    """一个已启动的内核进程及其工作目录。"""

    def __init__(self, threads: int | None):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.workdir = make_kernel_dir()
        self.environ = dict(os.environ)  # 启动时的环境：用时若已改变，就不用这个内核
        self.km = AsyncKernelManager(
            kernel_name="python3", transport="ipc", ip=str(self.workdir / "kernel")
        )
        try:
            run_sync(self.km.start_kernel)(
                env=kernel_env(self.workdir, threads), cwd=str(self.workdir)
            )
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise

    def discard(self):
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)


class Kernel:
    """一个在临时工作目录中运行的 IPython 内核（nbclient 管理），运行一页的代码块。"""

    def __init__(self, started: _Started):
        import nbformat
        from nbclient import NotebookClient

        self._started = started
        self.workdir = started.workdir
        self.nb = nbformat.v4.new_notebook()
        self.nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        self.client = NotebookClient(
            self.nb,
            km=started.km,
            kernel_name="python3",
            timeout=300,
            allow_errors=False,
            interrupt_on_timeout=False,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(self.workdir)}},
        )
        self._ctx = self.client.setup_kernel(cleanup_kc=True)
        self._ctx.__enter__()
        self.blocks_by_count: dict[int, object] = {}

    def run(self, source: str, timeout: int, block=None) -> list:
        """运行一段代码，返回 nbformat 输出（失败时抛出 nbclient 的异常）。"""
        import nbformat

        cell = nbformat.v4.new_code_cell(source)
        if block is not None and getattr(block, "raises", False):
            cell.metadata["tags"] = ["raises-exception"]  # nbclient：错误作为输出，不抛出
        self.nb.cells.append(cell)
        self.client.timeout = timeout
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1)
        finally:
            if cell.get("execution_count") is not None and block is not None:
                self.blocks_by_count[cell.execution_count] = block
        return cell.outputs

    def display_ids(self) -> bool:
        """这一页的代码是否显示过带 display_id 的输出（之后的 update_display 会改它们）。"""
        return bool(self.client._display_id_map)

    def chdir(self, folder: Path) -> Path:
        """让之后的代码在 ``folder`` 里运行（经 workdir.page_view 的视图）；返回工作目录。

        静默执行（不占执行序号、不产生输出）：报错里的 ``Cell In[n]`` 仍与页面的块一一对应。
        """
        from jupyter_core.utils import run_sync

        from .workdir import page_view

        cwd = page_view(folder, self.workdir / "cwd")
        reply = run_sync(self.client.kc.execute_interactive)(
            f"import os as __os; __os.chdir({str(cwd)!r}); del __os",
            silent=True,
            store_history=False,
            timeout=60,
            output_hook=lambda msg: None,
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"内核无法进入工作目录 {folder}：{reply['content']}")
        return cwd

    def close(self):
        try:
            self._ctx.__exit__(None, None, None)
        except Exception:
            pass
        self._started.discard()


class KernelPool:
    """内核池。``prestart``：交出一个内核时在后台启动下一个；``threads``：每个内核的线程数
    （默认 ``kernel_threads()``，与环境指纹一致）。"""

    def __init__(self, *, prestart: bool = True, threads: int | None = None):
        self.prestart = prestart
        self.threads = threads if threads is not None else kernel_threads()
        self._spare: _Started | None = None

    def acquire(self) -> Kernel:
        """一个新内核（用备用的；环境变了就重新启动），并在后台启动下一个备用内核。"""
        spare, self._spare = self._spare, None
        if spare is None or spare.environ != dict(os.environ):
            if spare is not None:
                spare.discard()
            spare = _Started(self.threads)
        if self.prestart:
            self._spare = _Started(self.threads)
        return Kernel(spare)

    def close(self):
        if self._spare is not None:
            self._spare.discard()
            self._spare = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
