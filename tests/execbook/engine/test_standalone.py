"""引擎自成一体：execbook/engine 的模块不导入 mkdocs、pytest、dlnotes（只用 ast 读源码，不导入）。"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

FORBIDDEN = {"mkdocs", "pytest", "dlnotes"}
ENGINE = REPO / "execbook" / "engine"


def forbidden_imports(path: Path) -> list[str]:
    """一个模块里导入了禁止的包的行（``模块:行号 包名``）；相对导入按包的位置解析。"""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        found += [f"{path.name}:{node.lineno} {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    return found


def test_engine_imports_neither_mkdocs_pytest_nor_dlnotes():
    modules = sorted(ENGINE.glob("*.py"))
    assert len(modules) > 10
    bad = [hit for m in modules for hit in forbidden_imports(m)]
    assert bad == []


def test_the_import_walk_catches_a_forbidden_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import os\n\ndef f():\n    from dlnotes.results import RESULT_MIME\n")
    assert forbidden_imports(module) == ["bad.py:4 dlnotes.results"]
