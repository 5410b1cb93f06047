"""「在 Colab 中运行」：执行过的 notebook 发布到仓库的一个分支，Colab 从那里打开。

- ``colab_url(repo_url, nb_path, branch)``：页面上的链接（普通链接，读者点击之前不发出任何请求）；
- ``install_cell(repo_url, sha, requirements_text)``：notebook 的第一个 code cell——安装 requirements.txt
  固定的运行时依赖（Colab 自带 CUDA 版 PyTorch，所以不装 CPU 版 torch；也不装站点构建、测试用的包和
  Colab 自己的 ipykernel），再从 git 安装**构建这一版站点的那个提交**的辅助包，并让图里的中文能显示；
- ``add_install_cell(nb, cell_source)``：把它插到 notebook 最前面（可重复调用，只保留一个）；
- ``publish(site_dir, out_dir, …)``：从构建好的站点里收集下载用的 .ipynb，加上安装 cell，
  按站点中的路径放进 ``out_dir``（工作流把它推到 ``notebooks`` 分支）。

命令行（工作流用）::

    python -m execbook colab publish site/ notebooks/ --repo-url https://github.com/OWNER/REPO --sha "$GITHUB_SHA"
    python -m execbook colab url https://github.com/OWNER/REPO chapter_x/page.ipynb
"""

from __future__ import annotations

import fnmatch
import re
import shutil
from pathlib import Path
from urllib.parse import quote

COLAB_BRANCH = "notebooks"
INSTALL_TAG = "execbook-install"
# Colab 上不安装的包：torch（Colab 自带 CUDA 版）、Colab 自己的内核与前端依赖、只用于构建站点与测试的工具
COLAB_SKIP = (
    "torch",
    "ipykernel",
    "nbclient",
    "jupytext",
    "mkdocs",
    "mkdocs-*",
    "pymdown-extensions",
    "jieba",
    "pylatexenc",
    "pytest",
    "pytest-*",
    "playwright",
    "ruff",
    "pre-commit",
)
_GITHUB_RE = re.compile(
    r"^(?:https?://|git@)(?:www\.)?github\.com[/:]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$"
)
_SHA_RE = re.compile(r"^[0-9a-f]{7,40}$")


def github_repo(repo_url: str) -> tuple[str, str]:
    """``https://github.com/OWNER/REPO``（可带 .git 或末尾 /）→ (OWNER, REPO)；不是 GitHub 仓库时报错。"""
    m = _GITHUB_RE.match(repo_url.strip())
    if not m:
        raise ValueError(
            f"repo_url 不是 GitHub 仓库地址：{repo_url!r}（Colab 只能打开 GitHub 上的 notebook）"
        )
    return m.group(1), m.group(2)


def colab_url(repo_url: str, nb_path: str, branch: str = COLAB_BRANCH) -> str:
    """notebook 在发布分支中的路径（如 ``chapter_x/page.ipynb``）→ Colab 打开它的地址。"""
    owner, repo = github_repo(repo_url)
    path = nb_path.replace("\\", "/").lstrip("/")
    if not path.endswith(".ipynb") or ".." in path.split("/"):
        raise ValueError(f"不是发布分支中的 notebook 路径：{nb_path!r}")
    return (
        f"https://colab.research.google.com/github/{owner}/{repo}/blob/"
        f"{quote(branch, safe='')}/{quote(path, safe='/')}"
    )


def colab_link_markdown(repo_url: str | None, nb_path: str, branch: str = COLAB_BRANCH) -> str:
    """页面头部的「在 Colab 中运行」链接（Material 的图标在构建时内联成 SVG，不发请求）；
    仓库不在 GitHub 上（或没有设置 repo_url）时返回空字符串：Colab 只能打开 GitHub 上的 notebook。"""
    if not repo_url:
        return ""
    try:
        url = colab_url(repo_url, nb_path, branch)
    except ValueError:
        return ""
    return (
        f"[:simple-googlecolab: 在 Colab 中运行]({url}){{ .dl-colab target=_blank rel=noopener }}"
    )


def _skipped(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pat) for pat in COLAB_SKIP)


def colab_requirements(requirements_text: str) -> tuple[list[str], str | None]:
    """requirements.txt → (Colab 上要安装的固定版本要求, torch 的固定版本)。

    去掉注释、选项行（``-e .``、``-r …``、``--index-url …``）与 ``COLAB_SKIP`` 中的包；
    只接受 ``名字==版本``（可带环境标记），其他写法报错，保证 notebook 装的就是固定的版本。
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    keep: list[str] = []
    torch_version = None
    for raw in requirements_text.splitlines():
        line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if not line or line.startswith("#") or line.startswith("-"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise ValueError(f"requirements.txt 中无法解析的一行：{raw!r}（{exc}）") from None
        name = canonicalize_name(req.name)
        pins = [s for s in req.specifier if s.operator == "=="]
        if len(pins) != 1 or req.url:
            raise ValueError(f"requirements.txt 中的 {req.name} 没有用 == 固定版本：{raw!r}")
        if name == "torch":
            torch_version = pins[0].version
        if _skipped(name):
            continue
        keep.append(str(req))
    return keep, torch_version


def install_cell(repo_url: str, sha: str, requirements_text: str) -> str:
    """notebook 的第一个 code cell 的源码（IPython：用 ``%pip``，装进当前内核的环境）。"""
    owner, repo = github_repo(repo_url)
    if not _SHA_RE.match(sha):
        raise ValueError(f"不是 git 提交号：{sha!r}")
    reqs, torch_version = colab_requirements(requirements_text)
    helper = f"dlnotes @ git+https://github.com/{owner}/{repo}@{sha}"
    lines = [
        "# 安装与站点构建时相同的依赖（由构建生成，不要手改）：requirements.txt 固定的版本，",
        f"# 以及本仓库提交 {sha[:12]} 的辅助包 dlnotes。Colab 自带 CUDA 版 PyTorch，这里不重装 torch",
        f"# （站点构建用的是 torch=={torch_version}）。"
        if torch_version
        else "# （不安装 torch）。",
        "%pip install -q " + " ".join(f'"{r}"' for r in reqs + [helper]),
        "import importlib",
        "importlib.invalidate_caches()",
        "import matplotlib",
        "from execbook.kernel import fonts  # 图中的中文：登记 mplfonts 自带的 Noto Sans CJK SC",
        "fonts.register()",
        "matplotlib.rcParams.update(fonts.matplotlib_rc())",
    ]
    if torch_version:
        lines += [
            "import torch",
            f'if torch.__version__.split("+")[0] != "{torch_version}":',
            f'    print(f"提示：这里的 torch 是 {{torch.__version__}}，站点构建用的是 {torch_version}，输出可能略有不同")',
        ]
    return "\n".join(lines)


def add_install_cell(nb, cell_source: str, *, intro: str | None = None):
    """把安装 cell（带标签 ``execbook-install``）插到 notebook 最前面；已有的同标签 cell 先去掉。"""
    import nbformat

    nb.cells = [c for c in nb.cells if INSTALL_TAG not in c.get("metadata", {}).get("tags", [])]
    cell = nbformat.v4.new_code_cell(cell_source)
    cell.metadata["tags"] = [INSTALL_TAG]
    cells = [cell]
    if intro:
        md = nbformat.v4.new_markdown_cell(intro)
        md.metadata["tags"] = [INSTALL_TAG]
        cells.insert(0, md)
    nb.cells = cells + list(nb.cells)
    # Colab：默认用 GPU 运行时（没有 GPU 配额时 Colab 会提示改用 CPU）
    nb.metadata.setdefault("accelerator", "GPU")
    nb.metadata.setdefault("colab", {"provenance": []})
    return nb


def intro_text(repo_url: str, sha: str, page_url: str | None = None) -> str:
    owner, repo = github_repo(repo_url)
    src = f"[{owner}/{repo}@{sha[:12]}](https://github.com/{owner}/{repo}/tree/{sha})"
    page = f"，对应站点页面 <{page_url}>" if page_url else ""
    return (
        f"这个 notebook 由《动手学深度学习》可执行笔记的站点构建生成（{src}{page}），"
        "保留了构建时的输出。先运行下面的安装 cell，再从上到下运行；有 GPU 时代码自动使用它。"
    )


def publish(
    site_dir: Path | str,
    out_dir: Path | str,
    *,
    repo_url: str,
    sha: str,
    requirements_text: str,
    site_url: str | None = None,
) -> list[Path]:
    """把站点中下载用的 .ipynb 加上安装 cell，按相同的相对路径写到 ``out_dir``（先清空它）。

    返回写出的 notebook（相对 ``out_dir``，已排序）。另写一个说明 README.md。
    """
    import nbformat

    site_dir, out_dir = Path(site_dir), Path(out_dir)
    if not site_dir.is_dir():
        raise FileNotFoundError(f"没有构建好的站点：{site_dir}（先运行 mkdocs build）")
    cell = install_cell(repo_url, sha, requirements_text)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    written: list[Path] = []
    for src in sorted(site_dir.rglob("*.ipynb")):
        rel = src.relative_to(site_dir)
        if rel.parts[0] in ("assets", "javascripts", "stylesheets", "search"):
            continue
        nb = nbformat.read(src, as_version=4)
        page_url = None
        if site_url:
            page_url = site_url.rstrip("/") + "/" + rel.with_suffix("").as_posix() + "/"
        add_install_cell(nb, cell, intro=intro_text(repo_url, sha, page_url))
        dest = out_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)
        written.append(rel)
    owner, repo = github_repo(repo_url)
    (out_dir / "README.md").write_text(
        "# 执行过的 notebook（自动生成）\n\n"
        f"这个分支由 main 的提交 {sha} 的站点构建生成，每次发布都会整个替换，不要在这里修改。\n"
        f"每个 notebook 在 Colab 中打开：`https://colab.research.google.com/github/{owner}/{repo}/blob/"
        f"{COLAB_BRANCH}/<路径>.ipynb`。\n\n"
        + "".join(f"- [{p.as_posix()}]({colab_url(repo_url, p.as_posix())})\n" for p in written),
        encoding="utf-8",
    )
    return written
