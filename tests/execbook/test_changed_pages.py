"""pre-commit 钩子 dlnotes-changed-pages：改动的文件 → 要运行的页面（execbook.changed_pages）。"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import REPO, require
from execbook import changed_pages as changed
from execbook.__main__ import main


def _write(root, rel, text=""):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """一个小仓库：两个章节的页面、一个 notebook、_includes、snippets 和辅助包。"""
    root = tmp_path / "repo"
    _write(root, "docs/index.md", "# 首页\n")
    _write(
        root,
        "docs/ch1/mlp.md",
        '# MLP\n\n```python\n--8<-- "snippets/mlp.py:setup"\n```\n\n'
        '```python\n--8<-- "snippets/mlp.py:train"\n```\n',
    )
    _write(
        root,
        "docs/ch1/dropout.md",
        '# 暂退法\n\n=== "从零实现"\n\n    ```python\n'
        "    --8<-- 'snippets/dropout.py:model'\n    ```\n\n"
        '```python\n--8<-- "snippets/mlp.py"\n```\n',
    )
    _write(
        root,
        "docs/ch2/lenet.md",
        "# LeNet\n\n```python\n--8<--\nsnippets/lenet.py:model\nsnippets/common.py\n--8<--\n```\n",
    )
    _write(root, "docs/ch2/data.ipynb", "{}")
    _write(root, "docs/_includes/glossary/mlp.md", "术语\n")
    _write(root, "docs/ch2/index.md", '--8<-- "docs/_includes/glossary/mlp.md"\n')
    for name in ("mlp", "dropout", "lenet", "common", "unused"):
        _write(root, f"snippets/{name}.py", '"""x"""\n')
    _write(root, "dlnotes/utils.py", "")
    _write(root, "dlnotes/data/corpus.txt", "")
    _write(root, "execbook/engine.py", "")
    monkeypatch.chdir(root)
    monkeypatch.setattr(changed, "REPO_ROOT", root)
    return root


ALL = [
    "docs/ch1/dropout.md",
    "docs/ch1/mlp.md",
    "docs/ch2/data.ipynb",
    "docs/ch2/index.md",
    "docs/ch2/lenet.md",
    "docs/index.md",
]


def test_all_pages_skips_underscore_dirs(repo):
    assert changed.all_pages(repo) == ALL


@pytest.mark.parametrize(
    "rel, expected",
    [
        ("docs/index.md", True),
        ("docs/ch2/data.ipynb", True),
        ("docs/_includes/glossary/mlp.md", False),
        ("docs/javascripts/mathjax-config.js", False),
        ("docs/ch1/img/fig.svg", False),
        ("snippets/mlp.py", False),
        ("README.md", False),
    ],
)
def test_is_page(rel, expected):
    assert changed.is_page(rel) is expected


def test_page_maps_to_itself(repo):
    sel = changed.select_pages(["docs/ch1/mlp.md", "docs/ch2/data.ipynb"], repo)
    assert sel.pages == ["docs/ch1/mlp.md", "docs/ch2/data.ipynb"]
    assert not sel.all_pages


def test_absolute_paths_are_accepted(repo):
    sel = changed.select_pages([str(repo / "docs" / "index.md")], repo)
    assert sel.pages == ["docs/index.md"]


def test_deleted_page_is_not_run(repo):
    assert changed.select_pages(["docs/ch1/gone.md"], repo).pages == []


def test_snippet_maps_to_every_page_embedding_it(repo):
    # 带分段名与不带分段名、单引号、内容标签页里缩进的写法都算
    sel = changed.select_pages(["snippets/mlp.py"], repo)
    assert sel.pages == ["docs/ch1/dropout.md", "docs/ch1/mlp.md"]
    assert "snippets/mlp.py 被 2 个页面嵌入" in sel.reasons[0]
    assert changed.select_pages(["snippets/dropout.py"], repo).pages == ["docs/ch1/dropout.md"]


def test_snippet_in_block_form(repo):
    assert changed.select_pages(["snippets/lenet.py"], repo).pages == ["docs/ch2/lenet.md"]
    assert changed.select_pages(["snippets/common.py"], repo).pages == ["docs/ch2/lenet.md"]


def test_snippet_name_must_match_exactly(repo):
    # snippets/mlp.py 不能让嵌入 snippets/mlp_extra.py 的页面被选中，反之亦然
    _write(repo, "docs/ch1/extra.md", '```python\n--8<-- "snippets/mlp_extra.py:a"\n```\n')
    assert "docs/ch1/extra.md" not in changed.select_pages(["snippets/mlp.py"], repo).pages
    assert changed.select_pages(["snippets/mlp_extra.py"], repo).pages == ["docs/ch1/extra.md"]


def test_unused_snippet_selects_nothing(repo):
    assert changed.select_pages(["snippets/unused.py"], repo).empty


def test_include_maps_to_embedding_page(repo):
    sel = changed.select_pages(["docs/_includes/glossary/mlp.md"], repo)
    assert sel.pages == ["docs/ch2/index.md"]


@pytest.mark.parametrize(
    "helper", ["dlnotes/utils.py", "dlnotes/data/corpus.txt", "execbook/engine.py"]
)
def test_helper_change_selects_all_pages(repo, helper):
    sel = changed.select_pages([helper, "docs/index.md"], repo)
    assert sel.all_pages
    assert sel.pages == ALL
    assert any("全部 6 个页面" in r and helper in r for r in sel.reasons)


def test_unrelated_files_select_nothing(repo, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("x")
    sel = changed.select_pages(
        ["README.md", "tests/test_x.py", "mkdocs.yml", "dlnotes.egg-info/PKG-INFO", str(outside)],
        repo,
    )
    assert sel.empty and not sel.all_pages


def test_embedded_files_parser():
    text = (
        '--8<-- "snippets/a.py:setup"\n'
        "    --8<-- 'snippets/b.py'\n"
        '-8<- "docs/_includes/x.md:3:10"\n'
        "--8<--\nsnippets/c.py\n; snippets/commented.py\n\n--8<--\n"
        "text mentioning snippets/d.py without a marker\n"
    )
    assert changed.embedded_files(text) == {
        "snippets/a.py",
        "snippets/b.py",
        "docs/_includes/x.md",
        "snippets/c.py",
    }


# ---------------------------------------------------------------- the command


def test_main_without_relevant_files_prints_one_line(repo, capsys, monkeypatch):
    def boom(*a, **k):  # pragma: no cover - must not be called
        raise AssertionError("pytest must not run")

    monkeypatch.setattr(changed.subprocess, "run", boom)
    monkeypatch.setattr(changed, "git_changed_files", lambda root: [])
    assert main(["changed", "README.md", "tests/test_x.py"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "不需要运行页面" in out[0]
    assert main(["changed"]) == 0


def test_main_runs_pytest_on_the_pages_and_returns_its_status(repo, capsys, monkeypatch):
    calls = []

    class Done:
        returncode = 1

    def fake_run(cmd, cwd):
        calls.append((cmd, cwd))
        return Done()

    monkeypatch.setattr(changed.subprocess, "run", fake_run)
    assert main(["changed", "snippets/mlp.py", "--", "--rerun"]) == 1
    ((cmd, cwd),) = calls
    assert cmd == [
        sys.executable,
        "-m",
        "pytest",
        "docs/ch1/dropout.md",
        "docs/ch1/mlp.md",
        "-q",
        "--rerun",
    ]
    assert cwd == changed.REPO_ROOT
    assert "python -m pytest docs/ch1/dropout.md docs/ch1/mlp.md -q" in capsys.readouterr().out


def test_main_treats_no_tests_collected_as_success(repo, monkeypatch):
    class Done:
        returncode = 5  # pytest: no tests collected (pages without python blocks)

    monkeypatch.setattr(changed.subprocess, "run", lambda cmd, cwd: Done())
    assert main(["changed", "docs/index.md"]) == 0


def test_main_list_does_not_run(repo, capsys, monkeypatch):
    monkeypatch.setattr(changed.subprocess, "run", None)
    assert main(["changed", "--list", "dlnotes/utils.py"]) == 0
    out = capsys.readouterr().out
    assert "运行全部 6 个页面" in out
    assert all(page in out for page in ALL)


def test_module_entry_point_in_the_real_repo():
    """``python -m execbook changed`` 在真实仓库里能运行（--list，不执行页面）。"""
    proc = subprocess.run(
        [sys.executable, "-m", "execbook", "changed", "--list", "docs/index.md", "README.md"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines() == ["docs/index.md"]


def test_without_files_uses_git_changes(repo, capsys):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    require(shutil.which("git"), "没有 git：要比较的改动来自 git")
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "init"]):
        subprocess.run(git + cmd, cwd=repo, check=True, capture_output=True)
    assert changed.git_changed_files(repo) == []
    _write(repo, "snippets/dropout.py", '"""changed"""\n')  # 已跟踪文件的改动
    _write(repo, "docs/ch3/new.md", "# 新页面\n")  # 未跟踪的新页面
    files = changed.git_changed_files(repo)
    assert sorted(changed._rel(f, repo) for f in files) == [
        "docs/ch3/new.md",
        "snippets/dropout.py",
    ]
    assert main(["changed", "--list"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-2:] == [
        "docs/ch1/dropout.md",
        "docs/ch3/new.md",
    ]
