"""execbook-rawtex（issue 21）：没被当作公式的 TeX 源码让严格构建失败并指出「页面:行号」；搜索索引里没有 TeX 源码，
术语表按行分节；MathJax 插件在缺少 node_modules 时给出明白的错误。"""

from __future__ import annotations

import json
from pathlib import Path

import markdown
import pytest
from mkdocs.exceptions import PluginError

from conftest import REPO, build_fixture_site, mini_site
from execbook.plugins import mathjax as mathjax_plugin
from execbook.plugins.rawtex import (
    MathToText,
    anchor_rows,
    find_raw_tex,
    rows_as_sections,
    site_macros,
)


def _html(source: str) -> str:
    md = markdown.Markdown(
        extensions=["pymdownx.arithmatex", "tables", "admonition"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return md.convert(source)


MIS_INDENTED = """# 页

正文 $x$。

- **更新**：

  $$
  \\mathbf{h}_t = \\phi(\\mathbf{W}_{hh}\\mathbf{h}_{t-1})
  $$

- 下一项
"""


def test_mis_indented_display_math_in_a_list_item_is_found_at_its_line():
    found = find_raw_tex(_html(MIS_INDENTED), MIS_INDENTED)
    assert [line for line, _ in found] == [7], found
    assert "$$" in found[0][1]


def test_correct_math_code_and_notebook_cells_are_not_reported():
    source = MIS_INDENTED.replace("\n  ", "\n    ") + (
        "\n`$$ \\frac{a}{b} $$` 是代码。\n\n```\n$x$ \\frac\n```\n"
        '\n<div class="jp-MarkdownOutput">$a$ 由 MathJax 排版</div>\n'
    )
    assert find_raw_tex(_html(source), source) == []


def test_unclosed_dollar_and_stray_delimiters_are_found():
    source = (
        "# 页\n\n第一段。\n\n没有闭合的 $\\alpha + 1 继续写。\n\n转义的 \\\\(x\\\\) 留在文字里。\n"
    )
    lines = [line for line, _ in find_raw_tex(_html(source), source)]
    assert lines == [5, 7], lines


def test_search_view_turns_math_into_text_with_site_macros():
    to_text = MathToText(site_macros(REPO / "docs" / "javascripts" / "mathjax-config.js"))
    html = _html("$\\mathbf{x} \\in \\R^d$ 与\n\n$$\n\\frac{\\partial L}{\\partial w}\n$$\n")
    view = to_text.sub(html)
    assert "\\(" not in view and "\\[" not in view and "\\R" not in view, view
    assert "ℝ^d" in view and "∂L/∂w" in view, view


def test_glossary_rows_get_anchors_and_become_search_sections():
    table = _html(
        "| 中文 | English | 不用的写法 | 出现的页面 |\n|---|---|---|---|\n"
        "| 权重衰减 | weight decay | | [权重衰减](x.md) |\n| 暂退法 | dropout | 丢弃法 | [暂退法](y.md) |\n"
    )
    page = anchor_rows(table)
    assert '<tr id="term-weight-decay">' in page and '<tr id="term-dropout">' in page
    view = rows_as_sections(page)
    assert "<table" not in view
    assert '<h3 id="term-dropout">暂退法 · dropout</h3>' in view
    assert "<p>丢弃法；暂退法</p>" in view


def test_missing_node_modules_names_npm_ci(tmp_path, monkeypatch):
    monkeypatch.setattr(mathjax_plugin, "REPO", tmp_path)
    with pytest.raises(PluginError, match="npm ci"):
        mathjax_plugin.node_modules(tmp_path)


def test_strict_build_fails_with_page_and_line_for_raw_tex(tmp_path):
    """探针：列表项里缩进不对的 $$ 与没有闭合的 $ 让严格构建失败并指出页面:行号。"""
    config = mini_site(
        tmp_path,
        MIS_INDENTED,
        files={"docs/unclosed.md": "# 另一页\n\n价格不是公式，但 $\\lambda 没有闭合。\n"},
        nav=["unclosed.md"],
    )
    build = build_fixture_site(tmp_path, config, DLNOTES_EXECUTE="never")
    assert build.returncode != 0, build.output[-2000:]
    assert "docs/index.md:7: 正文里有没被当作公式的 TeX 源码" in build.output, build.output[-3000:]
    assert "docs/unclosed.md:3: 正文里有没被当作公式的 TeX 源码" in build.output, build.output[
        -3000:
    ]


def test_search_index_has_no_tex_source_and_splits_the_glossary(tmp_path):
    config = mini_site(
        tmp_path,
        "# 页\n\n行内 $L_2$ 正则化与\n\n$$\n\\frac{a}{b}\n$$\n",
    )
    build = build_fixture_site(tmp_path, config, DLNOTES_EXECUTE="never")
    assert build.returncode == 0, build.output[-3000:]
    index = json.loads((Path(build.site) / "search" / "search_index.json").read_text("utf-8"))
    text = json.dumps(index["docs"], ensure_ascii=False)
    for delim in ("\\\\(", "\\\\)", "\\\\[", "\\\\]"):
        assert delim not in text, delim
    assert "L_2" in text and "a/b" in text
    html = (Path(build.site) / "index.html").read_text("utf-8")
    assert '<span class="arithmatex">\\(L_2\\)</span>' in html  # 页面本身不变
