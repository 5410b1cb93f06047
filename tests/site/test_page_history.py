"""页面历史（最后更新日期、贡献者）：用本站 mkdocs.yml 中的两个 git 插件设置与钩子，
在临时的小站点上严格构建——有完整历史的仓库、没提交的页面、没有 .git 的副本、浅克隆。"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, require
from execbook.mkdocs_config import load as load_mkdocs_yml

PLUGINS = ("git-revision-date-localized", "git-authors")


def site_config() -> dict:
    """小站点的 mkdocs.yml：主题与本站相同，插件只有 search 和本站的两个 git 插件（设置照搬），钩子相同。"""
    cfg = load_mkdocs_yml(REPO / "mkdocs.yml")
    plugins = [
        p
        for p in cfg["plugins"]
        if isinstance(p, dict) and next(iter(p)) in PLUGINS or p in PLUGINS
    ]
    assert len(plugins) == 2, f"mkdocs.yml 中应有 {PLUGINS} 两个插件：{plugins}"
    # 两个插件都由环境开关（发布的构建 CI=true 时打开）；小站点测的是打开以后的行为
    plugins = [{next(iter(p)): {**p[next(iter(p))], "enabled": True}} for p in plugins]
    hooks = [str(REPO / h) for h in cfg.get("hooks") or []]
    assert str(REPO / "execbook" / "pagehistory.py") in hooks
    return {
        "site_name": "测试",
        "strict": True,
        "theme": {"name": "material", "language": "zh", "font": False},
        "plugins": ["search", *plugins],
        "hooks": hooks,
        "nav": ["index.md", "page.md", "new.md"],
    }


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"CI": "true"}, "true"), ({"DLNOTES_PAGE_HISTORY": "true", "CI": "false"}, "true"), ({}, False)],
    ids=["ci", "asked", "local"],
)
def test_page_history_is_on_in_published_builds_and_off_locally(env, expected, monkeypatch):
    """页面历史只在发布的构建（CI=true 或 DLNOTES_PAGE_HISTORY=true）里读 git：本地热重建不为它付时间。"""
    for name in ("CI", "DLNOTES_PAGE_HISTORY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    cfg = load_mkdocs_yml(REPO / "mkdocs.yml")
    for p in cfg["plugins"]:
        if isinstance(p, dict) and next(iter(p)) in PLUGINS:
            assert p[next(iter(p))].get("enabled") == expected, p


def git(cwd: Path, *args: str, author: str = "张三") -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": f"{author}@example.org",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": f"{author}@example.org",
    }
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def build(root: Path, **env: str) -> tuple[subprocess.CompletedProcess, Path]:
    site = root.parent / f"{root.name}-site"
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    for name in ("GITHUB_ACTIONS", "GITLAB_CI"):  # 只在参数里给出时才假装在 CI 上
        if name not in env:
            full_env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc, site


def footer(site: Path, page: str) -> str:
    html = (site / page / "index.html").read_text(encoding="utf-8")
    m = re.search(r'<aside class="md-source-file">(.*?)</aside>', html, re.S)
    assert m, f"{page}：没有页面历史（md-source-file）"
    text = re.sub(r"<svg.*?</svg>", "", m.group(1), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory) -> Path:
    require(shutil.which("git"), "没有 git：页面历史来自 git")
    root = tmp_path_factory.mktemp("history") / "src"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        yaml.safe_dump(site_config(), allow_unicode=True), encoding="utf-8"
    )
    (root / "docs" / "index.md").write_text("# 首页\n\n你好。\n", encoding="utf-8")
    (root / "docs" / "page.md").write_text("# 页面\n\n第一版。\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    with open(root / "docs" / "page.md", "a", encoding="utf-8") as f:
        f.write("\n第二位作者补充的一段。\n")
    git(root, "commit", "-q", "-am", "two", author="李四")
    # 还没提交的新页面（贡献者本地预览时常见）
    (root / "docs" / "new.md").write_text("# 新页\n\n还没提交。\n", encoding="utf-8")
    return root


def test_full_history_with_an_uncommitted_page(history_repo):
    proc, site = build(history_repo, GITHUB_ACTIONS="true")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = footer(site, "page")
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", page), page
    assert "张三" in page and "李四" in page
    assert "张三" in footer(site, "") and "李四" not in footer(site, "")
    assert re.search(r"\d{4}年", footer(site, "new"))  # 用构建日期


def test_copy_without_git(history_repo, tmp_path):
    root = tmp_path / "nogit"
    shutil.copytree(history_repo, root, ignore=shutil.ignore_patterns(".git"))
    proc, site = build(root, GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = footer(site, "page")
    assert re.search(r"\d{4}年", text) and "张三" not in text


def test_shallow_clone_on_github_actions_needs_full_history(history_repo, tmp_path):
    """GitHub Actions 的默认检出是浅克隆：插件警告日期可能不对，严格构建失败——所以工作流要 fetch-depth: 0。"""
    root = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", history_repo.as_uri(), str(root))
    shutil.copy(history_repo / "docs" / "new.md", root / "docs" / "new.md")
    proc, _ = build(root)  # 本地的浅克隆：能构建
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc, _ = build(root, GITHUB_ACTIONS="true")
    assert proc.returncode != 0 and "shallow" in proc.stdout + proc.stderr
    workflow = (REPO / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8")
    assert re.search(r"actions/checkout@\S+.*\n\s+with:\n(?:\s+.*\n)*?\s+fetch-depth: 0", workflow)
