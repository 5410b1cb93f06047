"""仓库中的固定位置。"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS_DIR = REPO_ROOT / "docs"
SNIPPETS_DIR = REPO_ROOT / "snippets"
HELPER_DIR = REPO_ROOT / "dlnotes"


def cache_dir() -> Path:
    """执行缓存目录：``$DLNOTES_CACHE_DIR``，默认 ``<仓库>/.cache/dlnotes``（不进 git）。"""
    env = os.environ.get("DLNOTES_CACHE_DIR")
    return Path(env).resolve() if env else REPO_ROOT / ".cache" / "dlnotes"


def display_path(path: Path | str) -> str:
    """相对仓库根目录的路径（报错信息里用）。"""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)
