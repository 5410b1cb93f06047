"""执行插件的各个部分（不构建站点、不启动内核）：占位说明、拼接、行号、front matter、本书的渲染器。"""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from execbook.engine import Block
from execbook.engine.outputs import OutputLimits, render_output
from execbook.engine.protocol import RESULT_MIME
from execbook.plugins.execute import ExecutePlugin, renderers, splice
from execbook.plugins.execute.serve import pending_html
from execbook.plugins.frontmatter import check_front_matter


def test_build_refuses_to_publish_a_placeholder():
    plugin = ExecutePlugin()
    assert plugin.serving is False  # 没有 on_startup(command="serve") 时就是构建

    class _Page:
        class file:  # noqa: N801
            src_uri = "index.md"

    with pytest.raises(PluginError, match="占位说明"):
        plugin.on_post_page("<html>" + pending_html() + "</html>", page=_Page, config=None)
    assert plugin.on_post_page("<html>ok</html>", page=_Page, config=None) == "<html>ok</html>"


def _block(lineno: int, end: int, check: bool = False) -> Block:
    return Block(
        page=Path("docs/p.md"),
        index=0,
        lineno=lineno,
        end_lineno=end,
        indent="",
        code="x = 1\n",
        source="x = 1\n",
        check=check,
    )


def test_source_offset_counts_the_front_matter_lines_exactly():
    full = "---\ntitle: t\n---\n\n# 标题\n"
    assert splice.source_offset(full, "# 标题\n", "docs/p.md") == 4


def test_source_offset_refuses_markdown_that_is_not_the_source_suffix():
    with pytest.raises(splice.SpliceError, match="docs/p.md: 页面的 Markdown 在执行前被改动了"):
        splice.source_offset("# 标题\n\n正文\n", "# 别的\n", "docs/p.md")


def test_splice_folds_a_check_block_into_a_build_check_admonition():
    lines = ["# 标题", "", "```python", "assert True", "```", ""]
    out = splice.splice(lines, [(_block(3, 5, check=True), "")], 0, splice.Slots("n"))
    assert out[2:5] == ['??? success "构建检查"', "", "    ```python"]


def test_splice_puts_a_token_after_the_block_and_fill_replaces_it():
    slots = splice.Slots("abc")
    out = splice.splice(["```python", "1", "```"], [(_block(1, 3), "<b>1</b>")], 0, slots)
    assert out[4] == "<!--execbook-output-abc-0-->"
    assert slots.fill("<p><!--execbook-output-abc-0--></p>") == "<b>1</b>"


def test_fill_names_the_block_whose_output_lost_its_place():
    slots = splice.Slots("abc")
    slots.token("<b>1</b>", "docs/p.md:3")
    with pytest.raises(splice.SpliceError, match="docs/p.md:3: 输出的位置在渲染后找不到了"):
        slots.fill("<p>nothing</p>")


def test_broken_front_matter_names_the_yaml_line():
    with pytest.raises(ValueError, match=r"docs/p.md:3: front matter 不是合法的 YAML"):
        check_front_matter("---\ntitle: t\nbad: x: y\n---\n# 标题\n", "docs/p.md")


def test_front_matter_that_is_not_a_mapping_fails():
    with pytest.raises(ValueError, match="应是「键: 值」的表"):
        check_front_matter("---\n- a\n---\n# 标题\n", "docs/p.md")


def test_training_record_renderer_is_registered_from_the_plugin_side():
    renderers.register_book_renderers([], {})
    out = {
        "output_type": "display_data",
        "data": {RESULT_MIME: {"name": "LeNet"}, "text/plain": "x"},
    }
    html, _ = render_output(out, OutputLimits(), 10_000)
    assert "训练记录：LeNet" in html


def test_markdown_output_is_rendered_with_the_site_extensions():
    renderers.register_book_renderers(["tables"], {})
    out = {"output_type": "display_data", "data": {"text/markdown": "| a |\n|---|\n| 1 |\n"}}
    html, _ = render_output(out, OutputLimits(), 10_000)
    assert "<table>" in html and "dl-markdown" in html


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def test_render_page_shows_outputs_skip_notes_and_collects_training_records():
    from execbook.engine import BlockResult, PageResult
    from execbook.plugins.execute.render import render_page

    ran, skipped = _block(1, 3), _block(5, 7)
    skipped.skip_reason = "需要 GPU"
    record = {"output_type": "display_data", "data": {RESULT_MIME: {"name": "LeNet"}}}
    result = PageResult(
        Path("docs/p.md"),
        [BlockResult(ran, "ran", [_stream("损失 0.5\n"), record]), BlockResult(skipped, "skipped")],
    )
    renderers.register_book_renderers([], {})
    page = render_page(result, OutputLimits())
    (b1, html1), (b2, html2) = page.blocks
    assert b1 is ran and "损失 0.5" in html1
    assert b2 is skipped and "此代码块在构建时不运行" in html2 and "需要 GPU" in html2
    assert page.records == [{"name": "LeNet"}] and page.hits == []
    # notebook 的 remove-output 之类：shown 决定显示哪些输出，记录照样收集
    hidden = render_page(result, OutputLimits(), shown=lambda r: [])
    assert "损失 0.5" not in hidden.blocks[0][1] and hidden.records == [{"name": "LeNet"}]


def test_serve_page_status_is_a_placeholder_an_error_box_naming_the_block_or_nothing():
    from execbook.engine import BlockResult, PageResult
    from execbook.plugins.execute import serve

    block = _block(3, 5)
    failed = PageResult(Path("docs/p.md"), [BlockResult(block, "failed", error="Traceback")])
    assert serve.page_status(None) == pending_html()
    assert "docs/p.md:3" in serve.page_status(failed) and serve.has_serve_markup(
        serve.page_status(failed)
    )
    assert serve.page_status(PageResult(Path("docs/p.md"), [BlockResult(block, "ran")])) == ""
    assert [r.status for r in serve.not_run(Path("docs/p.md"), [block]).results] == ["not-run"]
