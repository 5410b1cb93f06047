"""仓库中的固定位置。"""

from __future__ import annotations

import functools
import os
from pathlib import Path


def _find_root() -> Path:
    """仓库根目录：``$DLNOTES_ROOT``，否则从当前目录向上找 mkdocs.yml + dlnotes/ + execbook/，最后退回本包所在位置。

    不直接用本包的位置：``pip install -e .`` 指向最后一次安装的那份克隆，
    而构建与测试应当读取当前工作的这份仓库（它的 docs/、snippets/ 与 dlnotes/）。
    """
    if env := os.environ.get("DLNOTES_ROOT"):
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for d in (here, *here.parents):
        if (
            (d / "mkdocs.yml").is_file()
            and (d / "dlnotes" / "__init__.py").is_file()
            and (d / "execbook").is_dir()
        ):
            return d
    return Path(__file__).resolve().parents[1]


REPO_ROOT = _find_root()
DOCS_DIR = REPO_ROOT / "docs"
HELPER_DIR = REPO_ROOT / "dlnotes"


def cache_dir() -> Path:
    """执行缓存目录：``$DLNOTES_CACHE_DIR``，默认 ``<仓库>/.cache/dlnotes``（不进 git）。"""
    env = os.environ.get("DLNOTES_CACHE_DIR")
    return Path(env).resolve() if env else REPO_ROOT / ".cache" / "dlnotes"


@functools.lru_cache(maxsize=4096)
def display_path(path: Path | str) -> str:
    """相对仓库根目录的路径（报错信息里用）。构建中页面不会移动，所以记住结果：
    每个块的位置（``docs/page.md:12``）在一次热重建里要用几千次，每次 resolve() 都是系统调用。"""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)
