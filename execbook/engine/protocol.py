"""执行引擎与外界的约定：每个常量只在这里定义一次。

页面代码（``dlnotes``）不导入引擎，它在自己那里写一份同样的 MIME 类型；tests/execbook/engine/test_protocol.py
核对两边相等。
"""

from __future__ import annotations

import os
from pathlib import Path

# 块的状态（构建摘要的计数列；"not-run" 只出现在结果里：前面的块失败了）
STATUSES = ("ran", "replayed", "cached", "skipped", "failed")

# 内核输出里的数据依赖报告（接口 2，见 dependencies.py）；dlnotes.data.loader 写同样的值
DEPENDENCY_MIME = "application/vnd.execbook.dependency+json"
# 训练记录（dlnotes.report_result 输出）；dlnotes.results 写同样的值
RESULT_MIME = "application/vnd.dlnotes.result+json"

# 缓存目录：``$DLNOTES_CACHE_DIR``，默认 ``<仓库>/.cache/dlnotes``；其中 ``exec/`` 放执行缓存条目
CACHE_ENV = "DLNOTES_CACHE_DIR"
DEFAULT_CACHE_DIR = ".cache/dlnotes"
EXEC_DIR = "exec"
# 构建摘要（接口 3）：``<缓存目录>/build-summary.json``
SUMMARY_NAME = "build-summary.json"

# 写出的 notebook 的内核
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

# 页面：docs/ 下的 .md 与 .ipynb，路径中没有以 ``_`` 或 ``.`` 开头的部分（_includes 等不是页面）
PAGE_SUFFIXES = (".md", ".ipynb")


def is_page(rel: Path | str) -> bool:
    """``rel`` 是相对 docs/ 的路径：它是不是一个页面。"""
    rel = Path(rel)
    return rel.suffix in PAGE_SUFFIXES and not any(
        part.startswith(("_", ".")) for part in rel.parts
    )


def summary_path(cache_root: Path) -> Path:
    return Path(cache_root) / SUMMARY_NAME


def default_cache_dir(repo_root: Path) -> Path:
    env = os.environ.get(CACHE_ENV)
    return Path(env).resolve() if env else Path(repo_root) / DEFAULT_CACHE_DIR
