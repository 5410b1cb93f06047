"""三个前端（MkDocs 插件、pytest 插件、命令行）都经过引擎的 Session：没有一个自己建内核池、页面并行或摘要。"""

from __future__ import annotations

import ast

import pytest

from conftest import REPO

FRONT_ENDS = ("plugins/execute/plugin.py", "pytest_plugin.py", "run_pages.py")
OWNED_BY_SESSION = {
    "KernelPool",
    "PageRunner",
    "BuildSummary",
    "Cache",
    "fingerprint",
    "catch_warnings",
}


def _names(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {
        a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
    }
    return names | {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_end_runs_pages_through_the_session(front_end):
    names = _names(REPO / "execbook" / front_end)
    assert "Session" in names
    assert names & OWNED_BY_SESSION == set()
