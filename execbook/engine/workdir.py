"""代码的工作目录：页面（或 notebook）所在的文件夹，经一个只有符号链接的「视图」。

Jupyter、MyST-NB 与 nbclient 都在 notebook 所在的文件夹里运行它的代码：``open("data.csv")``、
``Image("python.png")`` 读的是旁边的文件。本站也一样，但代码写出的文件不能落进 ``docs/``（它们会被发布、
弄脏 git，还会让 ``mkdocs serve`` 反复重建；例如「读写文件」一节的 ``torch.save(x, 'x-file')``）。

所以内核的工作目录是内核临时目录里的一个视图：``<kernel>/cwd/<页面文件夹相对仓库根的路径>``。视图里每个
文件夹只有指向真实条目的符号链接：页面旁边的文件、``../`` 上面各层的文件都读得到（路径与在真实文件夹里
一样），新写的文件留在临时目录里，内核关闭时删掉。页面不在仓库里时（测试的临时页面），视图只有页面所在的
那一层。
"""

from __future__ import annotations

import os
from pathlib import Path

from ..paths import REPO_ROOT


def _mirror(real: Path, view: Path, skip: str | None = None) -> None:
    view.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(real):
        if entry.name == skip:
            continue
        link = view / entry.name
        if not link.exists() and not link.is_symlink():
            link.symlink_to(entry.path, target_is_directory=entry.is_dir())


def page_view(folder: Path, root: Path) -> Path:
    """在 ``root`` 下建 ``folder`` 的视图，返回代码要用的工作目录。"""
    folder = Path(folder).resolve()
    repo = REPO_ROOT.resolve()
    try:
        rel = folder.relative_to(repo)
        top = repo
    except ValueError:
        rel = Path(folder.name)
        top = folder.parent
    cwd = root / rel
    _mirror(folder, cwd)
    # 上面各层（直到仓库根）：除了通往页面的那个子文件夹，其他条目都链接过来
    real, view = folder, cwd
    while real != top:
        _mirror(real.parent, view.parent, skip=real.name)
        real, view = real.parent, view.parent
    return cwd
