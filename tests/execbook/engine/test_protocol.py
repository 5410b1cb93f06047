"""约定的常量只定义一次；dlnotes 不导入引擎，它写的那一份与引擎的相等。"""

from __future__ import annotations

from dlnotes.data import loader
from dlnotes.results import RESULT_MIME as DLNOTES_RESULT_MIME
from execbook.engine import protocol


def test_dlnotes_result_mime_equals_the_engine_protocol():
    assert DLNOTES_RESULT_MIME == protocol.RESULT_MIME


def test_dlnotes_dependency_mime_equals_the_engine_protocol():
    assert loader.DEPENDENCY_MIME == protocol.DEPENDENCY_MIME


def test_pages_skip_underscore_and_dot_folders():
    assert protocol.is_page("chapter_x/page.md") and protocol.is_page("a/nb.ipynb")
    assert not protocol.is_page("_includes/glossary/a.md")
    assert not protocol.is_page(".hidden/page.md") and not protocol.is_page("chapter_x/x.py")
