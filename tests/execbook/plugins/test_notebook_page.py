"""notebook → 页面的 Markdown：cell 标签 remove-*/hide-* 怎样改变页面（不启动内核）。

在真实构建里的样子见 tests/site/test_notebooks.py（严格构建的小站点）。
"""

from __future__ import annotations

import nbformat
import pytest

from execbook.plugins.execute.notebook_page import (
    code_cell_markdown,
    notebook_markdown,
    visible_outputs,
)


def stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def write_nb(path, cells):
    """cells：(类型, 源码, 标签) 的列表。"""
    nb = nbformat.v4.new_notebook()
    for kind, source, tags in cells:
        new = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells.append(new(source, metadata={"tags": list(tags)}))
    nbformat.write(nb, path)
    return path


def test_remove_stderr_keeps_other_outputs():
    outs = [stream("out\n"), stream("err\n", "stderr")]
    assert [o["name"] for o in visible_outputs(outs, ["remove-stderr"])] == ["stdout"]
    assert visible_outputs(outs, ["remove-output"]) == []
    assert len(visible_outputs(outs, [])) == 2


@pytest.mark.parametrize(
    "tags, code_shown, output_shown",
    [
        ([], True, True),
        (["remove-input"], False, True),
        (["remove-output"], True, True),
        (["remove-cell"], False, False),
    ],
)
def test_remove_tags_drop_input_or_cell(tags, code_shown, output_shown):
    md = "\n".join(code_cell_markdown("print('x')", tags, "<!--OUT-->"))
    assert ("```python" in md) == code_shown
    assert ("<!--OUT-->" in md) == output_shown


@pytest.mark.parametrize(
    "tag, folded",
    [("hide-input", "```python"), ("hide-output", "<!--OUT-->"), ("hide-cell", "```python")],
)
def test_hide_tags_fold_content_into_a_collapsible_block(tag, folded):
    lines = code_cell_markdown("print('x')", [tag], "<!--OUT-->")
    starts = [i for i, ln in enumerate(lines) if ln.startswith("??? note")]
    assert len(starts) == 1  # pymdownx.details 的可折叠块：折叠，点击展开
    inside = lines[starts[0] + 1 :]
    assert f"    {folded}" in inside  # 折起来的内容缩进在块里（仍在页面上，没有删掉）
    both = "\n".join(lines)
    assert "```python" in both and "<!--OUT-->" in both
    if tag != "hide-cell":  # 只折叠标签说的那一半
        other = "<!--OUT-->" if tag == "hide-input" else "```python"
        assert other in lines and f"    {other}" not in inside


def test_code_with_backticks_gets_a_longer_fence():
    lines = code_cell_markdown('s = """\n```\n"""', [], "")
    assert lines[0] == "````python" and lines[-1] == "````"


def test_notebook_markdown_keeps_order_and_puts_header_after_title(tmp_path):
    nb = nbformat.read(
        write_nb(
            tmp_path / "nb.ipynb",
            [
                ("markdown", "# 标题\n\n说明", []),
                ("code", "a = 1", []),
                ("markdown", "删掉的说明", ["remove-cell"]),
                ("code", "b = 2", ["remove-cell"]),
            ],
        ),
        as_version=4,
    )

    class R:
        outputs = [stream("x\n")]

    md = notebook_markdown(nb, [R(), R()], lambda r: "<!--OUT-->", header="HEADER")
    assert md.index("# 标题") < md.index("HEADER") < md.index("说明") < md.index("a = 1")
    assert "b = 2" not in md and "删掉的说明" not in md
    assert md.count("<!--OUT-->") == 1
