"""执行引擎：一页一个 Jupyter 内核，按页面顺序运行代码块，输出按内容缓存。

同一个引擎服务三种来源：Markdown 页面中的 ```python 块（snippet 已展开）、
docs/ 中的 notebook（逐个 code cell），以及测试（pytest 插件调用同一个函数）。

缓存键（每个块一个）= sha256(环境指纹 + 本页从第一个块到这个块的全部代码)，
环境指纹包括：Python/torch/numpy/matplotlib 版本、dlnotes 辅助包源码、设备、
数据目录中有哪些数据文件、``$DLNOTES_ARGS``、引擎格式版本。
改动一个块只会让这个块及其后的块失效；为了恢复内核状态，前面的块会重新运行（"replayed"）。
"""

from __future__ import annotations

import atexit
import datetime as _dt
import hashlib
import json
import os
import platform
import re
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .blocks import Block
from .paths import HELPER_DIR, REPO_ROOT, cache_dir, display_path

ENGINE_VERSION = "1"
RESULT_MIME = "application/vnd.dlnotes.result+json"

# 内核的配置（IPython profile）：图保存为 SVG、SVG 内部 id 可复现、固定随机种子。
# 写在配置里而不是作为第一个 cell 运行，这样不为每页导入 matplotlib/torch（页面自己的代码用到时才导入）。
# 种子见 execbook/kernel_startup.py（torch 在页面第一次导入它时才设种子）。
KERNEL_CONFIG = """\
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.rc = {"svg.hashsalt": "dlnotes", "figure.figsize": (5.0, 3.2)}
c.IPKernelApp.exec_lines = ["import execbook.kernel_startup"]
"""


class ExecutionFailure(Exception):
    """一个代码块运行失败或超时。消息包含 页面:行号、异常与 traceback。"""

    def __init__(self, block: Block, message: str):
        self.block = block
        super().__init__(message)


@dataclass
class BlockResult:
    block: Block
    status: str  # cached | ran | replayed | skipped | failed | not-run
    outputs: list[dict] = field(default_factory=list)
    duration: float = 0.0
    provenance: dict = field(default_factory=dict)
    error: str | None = None


@dataclass
class PageResult:
    page: Path
    results: list[BlockResult]

    @property
    def failure(self) -> BlockResult | None:
        return next((r for r in self.results if r.status == "failed"), None)

    def count(self, *statuses: str) -> int:
        return sum(r.status in statuses for r in self.results)


# ---------------------------------------------------------------- 环境指纹


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def _helper_digest() -> str:
    """dlnotes 辅助包的源码摘要（执行引擎 execbook 不在其中：它不改变页面代码的输出）。"""
    h = hashlib.sha256()
    for p in sorted(HELPER_DIR.rglob("*")):
        if not p.is_file() or "__pycache__" in p.relative_to(HELPER_DIR).parts:
            continue
        if p.suffix not in {".py", ".txt", ".json"}:
            continue
        h.update(p.relative_to(HELPER_DIR).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _data_state() -> list[str]:
    """数据目录中有哪些数据文件（决定用完整数据集还是离线样本）。"""
    root = os.environ.get("D2L_DATA_DIR")
    if not root:
        return ["<default>"]
    root_path = Path(root)
    out = []
    for sub in ("fashion-mnist", "fashion-mnist-sample"):
        d = root_path / sub
        if d.is_dir():
            out += [f"{sub}/{p.name}:{p.stat().st_size}" for p in sorted(d.glob("*.gz"))]
    return out


@lru_cache(maxsize=1)
def _cuda_available() -> bool:
    # 没有 NVIDIA 驱动时不必导入 torch（导入要 1~2 秒，热重建时省下这段时间）
    if not (os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidia0")):
        return False
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # pragma: no cover - torch 总是安装的
        return False


def fingerprint() -> dict:
    """决定输出的一切（代码之外）。"""
    return {
        "engine": ENGINE_VERSION,
        "python": platform.python_version(),
        "torch": _version("torch"),
        "numpy": _version("numpy"),
        "matplotlib": _version("matplotlib"),
        "helper": _helper_digest(),
        "kernel": hashlib.sha256(
            (
                KERNEL_CONFIG
                + (Path(__file__).with_name("kernel_startup.py")).read_text(encoding="utf-8")
            ).encode()
        ).hexdigest(),
        "device": os.environ.get("D2L_DEVICE", "auto") + (":cuda" if _cuda_available() else ":cpu"),
        "data": _data_state(),
        "args": os.environ.get("DLNOTES_ARGS", ""),
    }


def block_keys(blocks: list[Block], fp: dict | None = None) -> list[str | None]:
    """每个可运行块的缓存键；跳过的块为 None（它们不运行，也不影响后面的状态）。"""
    fp = fingerprint() if fp is None else fp
    h = hashlib.sha256(json.dumps(fp, sort_keys=True).encode())
    keys: list[str | None] = []
    for b in blocks:
        if b.skip_reason is not None:
            keys.append(None)
            continue
        h.update(b"\x00block\x00" + b.source.encode())
        h.update(f"\x00timeout={b.timeout}".encode())
        keys.append(h.copy().hexdigest())
    return keys


# ---------------------------------------------------------------- 缓存


class Cache:
    """每个块一个 JSON 文件；内容带校验和，损坏或截断的条目会被发现并重新执行。"""

    def __init__(self, root: Path | None = None):
        self.root = (root or cache_dir()) / "exec"

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    @staticmethod
    def _checksum(payload: dict) -> str:
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def get(self, key: str) -> dict | None:
        path = self._path(key)
        if not path.exists():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            payload = entry["payload"]
            if entry.get("checksum") != self._checksum(payload) or payload.get("key") != key:
                raise ValueError("校验和不符")
            return payload
        except Exception as exc:
            warnings.warn(f"执行缓存条目损坏（{path.name}：{exc}），将重新执行", stacklevel=2)
            path.unlink(missing_ok=True)
            return None

    def put(self, key: str, payload: dict) -> None:
        payload = dict(payload, key=key)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(
            json.dumps(
                {"checksum": self._checksum(payload), "payload": payload}, ensure_ascii=False
            ),
            encoding="utf-8",
        )
        os.replace(tmp, path)


# ---------------------------------------------------------------- 输出整理


def _clean_stream(text: str) -> str:
    """处理回车（tqdm 进度条只保留最后状态）。"""
    lines = []
    for line in text.split("\n"):
        if "\r" in line:
            parts = [p for p in line.split("\r") if p]
            line = parts[-1] if parts else ""
        lines.append(line)
    return "\n".join(lines)


def normalize_outputs(outputs) -> list[dict]:
    """nbformat 输出 → 精简的 JSON 可序列化列表；合并相邻的同名流。"""
    out: list[dict] = []
    for o in outputs:
        o = dict(o)
        kind = o.get("output_type")
        if kind == "stream":
            text = o.get("text", "")
            if out and out[-1]["type"] == "stream" and out[-1]["name"] == o["name"]:
                out[-1]["text"] += text
            else:
                out.append({"type": "stream", "name": o["name"], "text": text})
        elif kind in ("display_data", "execute_result"):
            data = {k: v for k, v in dict(o.get("data", {})).items()}
            out.append({"type": kind, "data": data})
    for o in out:
        if o["type"] == "stream":
            o["text"] = _clean_stream(o["text"])
    return out


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
_CELL_RE = re.compile(r"Cell In\[(\d+)\], line (\d+)")


def _format_error(block: Block, exc: Exception, blocks_by_count: dict | None = None) -> str:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    head = f"{block.where}: 代码块运行失败"
    if isinstance(exc, CellTimeoutError):
        return (
            f"{block.where}: 代码块运行超过 {block.timeout} 秒，已被中止。"
            "若确实需要更久，在块前加 <!--pytest.mark.timeout(秒)-->。"
        )
    if isinstance(exc, CellExecutionError):
        text = str(exc)
        # nbclient 的消息先重复整段代码，再给 traceback；只保留 traceback 部分
        marker = "------------------"
        text = _ANSI_RE.sub("", text)
        if text.count(marker) >= 2:
            text = text.split(marker, 2)[-1].strip()

        def to_page_line(m):
            b = (blocks_by_count or {}).get(int(m.group(1)))
            if b is None:
                return m.group(0)
            return f"{b.where.rsplit(':', 1)[0]}:{b.lineno + int(m.group(2))}"

        text = _CELL_RE.sub(to_page_line, text)
        return f"{head}：\n{text}"
    return f"{head}：{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------- 运行


def _provenance(duration: float) -> dict:
    return {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
        "device": "cuda"
        if _cuda_available() and os.environ.get("D2L_DEVICE", "auto") != "cpu"
        else "cpu",
        "torch": _version("torch"),
        "python": platform.python_version(),
        "duration_s": round(duration, 3),
    }


def _kernel_env(workdir: Path) -> dict:
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
    return env


class _SpareKernel:
    """提前启动的内核进程：当前页面运行时，下一页的内核已经在后台启动（省下每页约 1 秒的启动时间）。"""

    def __init__(self):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.workdir = Path(tempfile.mkdtemp(prefix="dlnotes-"))
        self.environ = dict(os.environ)  # 启动时的环境：用时若已改变，就不用这个内核
        self.km = AsyncKernelManager(
            kernel_name="python3", transport="ipc", ip=str(self.workdir / "kernel")
        )
        run_sync(self.km.start_kernel)(env=_kernel_env(self.workdir), cwd=str(self.workdir))

    def discard(self):
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)


_spare: _SpareKernel | None = None


def _take_spare() -> _SpareKernel:
    """取出备用内核（没有或环境已变就新启动一个），并立即在后台启动下一个。"""
    global _spare
    spare, _spare = _spare, None
    if spare is None or spare.environ != dict(os.environ):
        if spare is not None:
            spare.discard()
        spare = _SpareKernel()
    _spare = _SpareKernel()
    return spare


@atexit.register
def _discard_spare():
    global _spare
    if _spare is not None:
        _spare.discard()
        _spare = None


class Kernel:
    """一个在临时工作目录中运行的 IPython 内核（nbclient 管理）。"""

    def __init__(self):
        import nbformat
        from nbclient import NotebookClient

        spare = _take_spare()
        self.workdir = spare.workdir
        self.nb = nbformat.v4.new_notebook()
        self.nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        self.client = NotebookClient(
            self.nb,
            km=spare.km,
            kernel_name="python3",
            timeout=300,
            allow_errors=False,
            interrupt_on_timeout=False,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(self.workdir)}},
        )
        self._ctx = self.client.setup_kernel(cleanup_kc=True)
        self._ctx.__enter__()
        self.blocks_by_count: dict[int, Block] = {}

    def run(self, source: str, timeout: int, block: Block | None = None):
        import nbformat

        cell = nbformat.v4.new_code_cell(source)
        self.nb.cells.append(cell)
        self.client.timeout = timeout
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1)
        finally:
            if cell.get("execution_count") is not None and block is not None:
                self.blocks_by_count[cell.execution_count] = block
        return cell.outputs

    def close(self):
        try:
            self._ctx.__exit__(None, None, None)
        except Exception:
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)


def execute_page(
    page: Path,
    blocks: list[Block],
    *,
    cache: Cache | None = None,
    use_cache: bool = True,
    fp: dict | None = None,
) -> PageResult:
    """运行（或从缓存取出）一个页面的全部代码块。失败不抛出，记录在结果里。

    ``fp`` 是环境指纹（见 ``fingerprint``）；一次构建中各页共用一个，省去重复计算。
    """
    cache = cache or Cache()
    keys = block_keys(blocks, fp)
    cached: list[dict | None] = [
        cache.get(k) if (k is not None and use_cache) else None for k in keys
    ]
    first_miss = next(
        (i for i, (b, c) in enumerate(zip(blocks, cached)) if b.skip_reason is None and c is None),
        None,
    )
    results: list[BlockResult] = []
    if first_miss is None:
        for b, c in zip(blocks, cached):
            if b.skip_reason is not None:
                results.append(BlockResult(b, "skipped"))
            else:
                results.append(
                    BlockResult(
                        b,
                        "cached",
                        c["outputs"],
                        c.get("provenance", {}).get("duration_s", 0.0),
                        c.get("provenance", {}),
                    )
                )
        return PageResult(page, results)

    kernel = None
    failed = False
    try:
        for b, key in zip(blocks, keys):
            if b.skip_reason is not None:
                results.append(BlockResult(b, "skipped"))
                continue
            if failed:
                results.append(BlockResult(b, "not-run"))
                continue
            if kernel is None:
                kernel = Kernel()
            t0 = time.perf_counter()
            try:
                raw = kernel.run(b.source, b.timeout, block=b)
            except Exception as exc:
                failed = True
                msg = _format_error(b, exc, kernel.blocks_by_count)
                results.append(
                    BlockResult(b, "failed", error=msg, duration=time.perf_counter() - t0)
                )
                continue
            dt = time.perf_counter() - t0
            outputs = normalize_outputs(raw)
            prov = _provenance(dt)
            status = "replayed" if b.index < blocks[first_miss].index else "ran"
            cache.put(
                key,
                {
                    "page": display_path(page),
                    "lineno": b.lineno,
                    "outputs": outputs,
                    "provenance": prov,
                },
            )
            results.append(BlockResult(b, status, outputs, dt, prov))
    finally:
        if kernel is not None:
            kernel.close()
    return PageResult(page, results)


def page_blocks_from_notebook(path: Path) -> tuple[object, list[Block]]:
    """notebook 的 code cell → Block（行号为 cell 序号，从 1 开始）。"""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    blocks = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        blocks.append(
            Block(
                page=Path(path).resolve(),
                index=len(blocks),
                lineno=i + 1,
                end_lineno=i + 1,
                indent="",
                code=cell.source,
                source=cell.source,
            )
        )
    return nb, blocks


def execute_notebook(
    path: Path, out_path: Path, *, cache: Cache | None = None, fp: dict | None = None
) -> PageResult:
    """运行 notebook（经同一个引擎与缓存），把带输出的副本写到 out_path。"""
    import nbformat

    nb, blocks = page_blocks_from_notebook(path)
    result = execute_page(Path(path), blocks, cache=cache, fp=fp)
    if result.failure is None:
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        for cell, r in zip(code_cells, result.results):
            cell.outputs = [to_nbformat_output(o) for o in r.outputs]
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_path.with_suffix(".tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, out_path)
    return result


def to_nbformat_output(o: dict):
    import nbformat

    if o["type"] == "stream":
        return nbformat.v4.new_output("stream", name=o["name"], text=o["text"])
    if o["type"] == "execute_result":
        return nbformat.v4.new_output("execute_result", data=o["data"], execution_count=None)
    return nbformat.v4.new_output("display_data", data=o["data"])
