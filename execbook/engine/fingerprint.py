"""环境指纹：代码之外决定输出的一切。它进入每个块的缓存键。

包括：引擎格式版本；Python 与会影响输出的库（torch、numpy、matplotlib、IPython、ipykernel、
matplotlib-inline、tqdm）的版本；辅助包 ``dlnotes`` 的源码；内核配置；设备；影响输出的设置
（``$DLNOTES_ARGS``、``$DLNOTES_OFFLINE``、``$DLNOTES_DATA``）。页面读到的数据不在这里：数据由块自己报告
（见 ``dependencies``），只让读了数据的块及其后的块失效。
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..paths import HELPER_DIR
from .kernels import KERNEL_CONFIG, kernel_threads

ENGINE_VERSION = "2"  # 缓存条目的格式（2：nbformat 输出原样缓存，依赖报告）

# 版本会影响输出（数字、图、进度条、回显格式）的发行包
OUTPUT_SHAPING_DISTS = (
    "torch",
    "numpy",
    "matplotlib",
    "mplfonts",
    "ipython",
    "ipykernel",
    "matplotlib-inline",
    "tqdm",
)
# 会影响输出的环境变量（D2L_DEVICE 单独处理：它与是否有 CUDA 一起决定设备）
OUTPUT_SHAPING_ENV = ("DLNOTES_ARGS", "DLNOTES_OFFLINE", "DLNOTES_DATA")


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def helper_digest(helper_dir: Path = HELPER_DIR) -> str:
    """dlnotes 辅助包的源码摘要（执行引擎 execbook 不在其中：它不改变页面代码的输出）。"""
    h = hashlib.sha256()
    for p in sorted(helper_dir.rglob("*")):
        if not p.is_file() or "__pycache__" in p.relative_to(helper_dir).parts:
            continue
        if p.suffix not in {".py", ".txt", ".json"}:
            continue
        h.update(p.relative_to(helper_dir).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def cuda_available() -> bool:
    # 没有 NVIDIA 驱动时不必导入 torch（导入要 1~2 秒，热重建时省下这段时间）
    if not (os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidia0")):
        return False
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # pragma: no cover - torch 总是安装的
        return False


def device() -> str:
    """这次运行实际使用的设备（cpu / cuda）。"""
    return "cuda" if cuda_available() and os.environ.get("D2L_DEVICE", "auto") != "cpu" else "cpu"


# 内核启动时运行的 execbook 模块（kernel/startup.py 及其导入的模块）；tests/execbook/engine 核对这份清单完整
KERNEL_STARTUP_MODULES = ("kernel/startup.py", "kernel/import_hooks.py", "kernel/fonts.py")


def fingerprint() -> dict:
    """决定输出的一切（代码之外）。"""
    # 内核启动时执行的代码：kernel/startup.py 与它导入的模块（改动其中任何一个都会改变输出）
    pkg = Path(__file__).resolve().parents[1]
    startup = "".join((pkg / name).read_text(encoding="utf-8") for name in KERNEL_STARTUP_MODULES)
    return {
        "engine": ENGINE_VERSION,
        "python": platform.python_version(),
        "versions": {d: version(d) for d in OUTPUT_SHAPING_DISTS},
        "helper": helper_digest(),
        "kernel": hashlib.sha256((KERNEL_CONFIG + startup).encode()).hexdigest(),
        "device": os.environ.get("D2L_DEVICE", "auto") + (":cuda" if cuda_available() else ":cpu"),
        "settings": {k: os.environ.get(k, "") for k in OUTPUT_SHAPING_ENV},
        # 每个内核的 torch/BLAS 线程数：它改变浮点求和的顺序（见 parallel.py）
        "kernel_threads": kernel_threads(),
    }


def environment() -> dict:
    """构建摘要里的环境（给人看的，不是缓存键）。"""
    return {
        "python": platform.python_version(),
        "torch": version("torch"),
        "numpy": version("numpy"),
        "matplotlib": version("matplotlib"),
        "device": device(),
    }


def block_keys(blocks, fp: dict) -> list[str | None]:
    """每个可运行块的缓存键 = sha256(指纹 + 本页从第一个块到这个块的代码与时限)；跳过的块为 None。"""
    h = hashlib.sha256(json.dumps(fp, sort_keys=True).encode())
    keys: list[str | None] = []
    for b in blocks:
        if b.skip_reason is not None:
            keys.append(None)
            continue
        h.update(b"\x00block\x00" + b.source.encode())
        h.update(f"\x00timeout={b.timeout}".encode())
        if getattr(b, "raises", False):  # 允许报错改变了运行的结果（没标的块的键与以前相同）
            h.update(b"\x00raises")
        keys.append(h.copy().hexdigest())
    return keys
