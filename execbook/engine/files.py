"""文件写入与清理：原子写（同目录唯一临时名 + ``os.replace``），以及清理被杀掉的构建留下的东西。

被 ``kill -9`` 的构建可能留下两类东西，下一次构建开始时都会被发现并清理：

- 缓存目录与 notebook 输出目录里写了一半的临时文件（``.<名字>.*.tmp``，以及旧版本的 ``*.tmp<PID>``）；
- 临时目录里内核的工作目录（``execbook-kernel-<PID>-*``，旧版本是 ``dlnotes-*``）：名字里记着所属进程的
  PID，进程已不在才删除，所以并发的构建（``mkdocs serve`` 与 ``pytest``）互不干扰。
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

KERNEL_DIR_PREFIX = "execbook-kernel-"
STALE_SECONDS = 600  # 这么久没动过的临时文件不可能还在写

_UMASK = os.umask(0)
os.umask(_UMASK)
_LEGACY_KERNEL_DIR_RE = re.compile(r"dlnotes-[a-z0-9_]{8}")
_TMP_NAME_RE = re.compile(r"^\..+\.tmp$|\.tmp\d*$")


def atomic_write(path: Path, data: str | bytes, *, skip_same: bool = False) -> bool:
    """写到同目录的唯一临时文件，再 ``os.replace``：读者要么看到旧文件，要么看到完整的新文件。

    ``skip_same``：文件已有同样的内容时不写（热重建时的 notebook）。返回是否写了。
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if skip_same:
        try:
            if path.stat().st_size == len(raw) and path.read_bytes() == raw:
                return False
        except OSError:
            pass
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp 建的是 0600；与普通写入的文件权限一致
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def clean_stale_temp_files(root: Path, max_age: float = STALE_SECONDS) -> list[Path]:
    """删除 root 下超过 max_age 秒没动过的临时文件；返回删掉的文件。"""
    removed: list[Path] = []
    root = Path(root)
    if not root.is_dir():
        return removed
    now = time.time()
    for p in root.rglob("*.tmp*"):
        try:
            if p.is_file() and _TMP_NAME_RE.search(p.name) and now - p.stat().st_mtime > max_age:
                p.unlink()
                removed.append(p)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def make_kernel_dir() -> Path:
    """内核的工作目录（系统临时目录下），记下所属进程。"""
    return Path(tempfile.mkdtemp(prefix=f"{KERNEL_DIR_PREFIX}{os.getpid()}-"))


def clean_stale_kernel_dirs(
    tmp_root: Path | None = None, max_age: float = STALE_SECONDS
) -> list[Path]:
    """删除所属进程已经不在的内核工作目录（以及旧版本留下的 ``dlnotes-*`` 目录）。"""
    tmp_root = Path(tmp_root or tempfile.gettempdir())
    removed: list[Path] = []
    now = time.time()
    for d in list(tmp_root.glob(KERNEL_DIR_PREFIX + "*")) + list(tmp_root.glob("dlnotes-*")):
        try:
            if not d.is_dir():
                continue
            if d.name.startswith("dlnotes-") and not _LEGACY_KERNEL_DIR_RE.fullmatch(d.name):
                continue  # 不是旧版本的内核目录（例如基准脚本的 dlnotes-bench-*）
            m = re.match(re.escape(KERNEL_DIR_PREFIX) + r"(\d+)-", d.name)
            if m:
                stale = not _alive(int(m.group(1)))
            else:  # 旧版本的内核目录（有内核配置）没有记录所属进程：按时间判断
                legacy = (d / ".ipython" / "profile_default" / "ipython_kernel_config.py").is_file()
                stale = legacy and now - d.stat().st_mtime > max_age
            if stale:
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d)
        except OSError:
            pass
    return removed
