"""只运行改动涉及的页面：pre-commit 钩子 ``dlnotes-changed-pages`` 的入口。

用法::

    python -m execbook changed [--list] [FILES…] [-- PYTEST_ARGS…]

FILES（pre-commit 传入的暂存文件，相对仓库根目录或绝对路径）映射到要运行的页面：

- ``docs/**/*.md``、``docs/**/*.ipynb`` → 页面自己（``docs/_includes/`` 这类以 ``_`` 开头的目录不是页面）；
- 被页面嵌入的文件（``snippets/x.py``、``docs/_includes/…``）→ 每个用 ``--8<-- "snippets/x.py…"``
  嵌入它的页面；
- ``dlnotes/``（辅助包）或 ``execbook/``（执行引擎）中的源码 → 全部页面（会先说明原因）；
- 其他文件与此无关。

不给 FILES 时，用 git 找出工作区里相对 HEAD 改动过的文件（含已暂存和未跟踪的文件）。

然后运行 ``python -m pytest <页面…> -q``（与 ``pytest docs/x.md`` 相同：执行引擎与缓存，只重算变了的块），
并以它的退出码退出；没有相关文件时打印一行说明并以 0 退出。``--list`` 只列出页面，不运行。
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .paths import REPO_ROOT

PAGE_SUFFIXES = (".md", ".ipynb")
# 辅助包与构建机器中会影响页面运行的文件（与执行引擎的环境指纹所看的后缀一致，再加上 build/ 的源码）
HELPER_SUFFIXES = (".py", ".txt", ".json")

# pymdownx.snippets 的两种写法：单行 --8<-- "path[:section]"，以及成块的
#   --8<--
#   path
#   --8<--
_INLINE_RE = re.compile(r"""^\s*-{1,}8<-{1,}\s+(["'])(?P<path>[^"']+)\1""")
_BLOCK_MARK_RE = re.compile(r"^\s*-{1,}8<-{1,}\s*$")


@dataclass
class Selection:
    """映射结果：要运行的页面（相对仓库根目录的 POSIX 路径），以及说明。"""

    pages: list[str] = field(default_factory=list)
    all_pages: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.pages


def _rel(path: str | Path, root: Path) -> str | None:
    """把 FILES 中的一项变成相对 root 的 POSIX 路径；在仓库之外返回 None。"""
    p = Path(path)
    if not p.is_absolute():
        p = Path.cwd() / p
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def is_page(rel: str) -> bool:
    """docs/ 下的 .md / .ipynb，且不在以 ``_`` 开头的目录里（与 pytest 插件收集的页面一致）。"""
    parts = rel.split("/")
    return (
        len(parts) >= 2
        and parts[0] == "docs"
        and rel.endswith(PAGE_SUFFIXES)
        and not any(part.startswith("_") for part in parts[1:])
    )


def all_pages(root: Path = REPO_ROOT) -> list[str]:
    docs = root / "docs"
    if not docs.is_dir():
        return []
    found = (p.relative_to(root).as_posix() for p in docs.rglob("*") if p.is_file())
    return sorted(rel for rel in found if is_page(rel))


def embedded_files(text: str) -> set[str]:
    """页面文本中用 pymdownx.snippets 嵌入的文件路径（去掉 ``:section`` / ``:行号`` 后缀）。"""
    out: set[str] = set()
    in_block = False
    for line in text.splitlines():
        if _BLOCK_MARK_RE.match(line):
            in_block = not in_block
            continue
        if in_block:
            name = line.strip()
            if name and not name.startswith(";"):
                out.add(_strip_section(name))
            continue
        if m := _INLINE_RE.match(line):
            out.add(_strip_section(m["path"].strip()))
    return out


def _strip_section(name: str) -> str:
    # "snippets/x.py:setup"、"file.md:3:10"：冒号之后是分段名或行号
    return name.split(":", 1)[0].strip()


def pages_embedding(rel: str, root: Path = REPO_ROOT) -> list[str]:
    """嵌入了 rel（相对仓库根目录，如 ``snippets/x.py``）的页面。"""
    hits = []
    for page in all_pages(root):
        if not page.endswith(".md"):
            continue
        try:
            text = (root / page).read_text(encoding="utf-8")
        except OSError:
            continue
        if rel in embedded_files(text):
            hits.append(page)
    return hits


def is_helper_source(rel: str) -> bool:
    return rel.startswith(("dlnotes/", "execbook/")) and rel.endswith(HELPER_SUFFIXES)


def select_pages(files: Iterable[str | Path], root: Path = REPO_ROOT) -> Selection:
    """把改动的文件映射到要运行的页面。"""
    sel = Selection()
    chosen: set[str] = set()
    helper_changes: list[str] = []
    for f in files:
        rel = _rel(f, root)
        if rel is None:
            continue
        if is_page(rel):
            if (root / rel).is_file():  # 删除的页面不用运行
                chosen.add(rel)
        elif is_helper_source(rel):
            helper_changes.append(rel)
        elif rel.startswith(("snippets/", "docs/")):
            users = pages_embedding(rel, root)
            if users:
                sel.reasons.append(f"{rel} 被 {len(users)} 个页面嵌入：{'、'.join(users)}")
            chosen.update(users)
    if helper_changes:
        pages = all_pages(root)
        sel.all_pages = True
        shown = "、".join(helper_changes[:3]) + ("……" if len(helper_changes) > 3 else "")
        sel.reasons.append(
            f"辅助包 dlnotes/ 或执行引擎 execbook/ 改动了（{shown}）：它们变了，运行全部 {len(pages)} 个页面"
        )
        chosen.update(pages)
    sel.pages = sorted(chosen)
    return sel


def git_changed_files(root: Path = REPO_ROOT) -> list[str]:
    """工作区中相对 HEAD 改动过的文件（已暂存、未暂存、未跟踪），相对 root；没有 git 时为空。"""
    cmds = (
        ["git", "diff", "--name-only", "--no-renames", "-z", "HEAD"],
        ["git", "ls-files", "--others", "--exclude-standard", "-z"],
    )
    files: list[str] = []
    for cmd in cmds:
        try:
            proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return []
        files += [name for name in proc.stdout.split("\0") if name]
    return [str(root / f) for f in dict.fromkeys(files)]


def pytest_command(sel: Selection, extra: list[str] | None = None) -> list[str]:
    return [sys.executable, "-m", "pytest", *sel.pages, "-q", *(extra or [])]
