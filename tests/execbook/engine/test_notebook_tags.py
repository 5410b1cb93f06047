"""notebook 的 cell 标签与执行设置、页面的有意报错标记、代码的工作目录（引擎中不启动内核的部分）。

标签怎样改变页面（remove-*/hide-*）在 tests/execbook/plugins/test_notebook_page.py；会启动内核的行为（真的跳过、真的报错后继续、超时、display 更新、工作目录里读文件）在
tests/site/test_notebooks.py。
"""

from __future__ import annotations

import nbformat
import pytest

from conftest import write_page
from execbook.engine import BlockError, block_keys, blocks_from_notebook, extract_blocks
from execbook.engine.errors import format_error
from execbook.engine.workdir import page_view


def write_nb(path, cells, metadata=None):
    """cells：(类型, 源码, 标签[, 保存的输出]) 的列表。"""
    nb = nbformat.v4.new_notebook()
    nb.metadata.update(metadata or {})
    for kind, source, tags, *outputs in cells:
        if kind == "code":
            cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})
            cell.outputs = outputs[0] if outputs else []
        else:
            cell = nbformat.v4.new_markdown_cell(source, metadata={"tags": list(tags)})
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


# ---------------------------------------------------------------- 执行时的标签与设置


def test_skip_execution_cell_is_skipped_and_keeps_saved_outputs(tmp_path):
    nb = write_nb(
        tmp_path / "nb.ipynb",
        [
            ("code", "print('ran')", []),
            ("code", "raise SystemExit", ["skip-execution"], [stream("saved\n")]),
        ],
    )
    _, blocks = blocks_from_notebook(nb)
    assert blocks[0].skip_reason is None
    assert blocks[1].skip_reason and "skip-execution" in blocks[1].skip_reason
    assert [o["text"] for o in blocks[1].saved_outputs] == ["saved\n"]
    assert block_keys(blocks, {})[1] is None  # 跳过的块没有缓存键


def test_raises_exception_tag_allows_the_error(tmp_path):
    nb = write_nb(tmp_path / "nb.ipynb", [("code", "1/0", ["raises-exception"]), ("code", "1", [])])
    _, blocks = blocks_from_notebook(nb)
    assert [b.raises for b in blocks] == [True, False]
    assert not blocks[0].must_raise  # 与 nbclient 相同：标签只是允许报错


@pytest.mark.parametrize(
    "metadata",
    [{"execution": {"timeout": 1}}, {"mystnb": {"execution_timeout": 1}}],
    ids=["execution.timeout", "mystnb.execution_timeout"],
)
def test_notebook_timeout_applies_to_every_cell(tmp_path, metadata):
    nb = write_nb(tmp_path / "nb.ipynb", [("code", "1", []), ("code", "2", [])], metadata)
    _, blocks = blocks_from_notebook(nb)
    assert [b.timeout for b in blocks] == [1, 1]


@pytest.mark.parametrize(
    "metadata",
    [{"execution": {"allow_errors": True}}, {"mystnb": {"execution_allow_errors": True}}],
    ids=["execution.allow_errors", "mystnb.execution_allow_errors"],
)
def test_notebook_allow_errors_allows_errors_in_every_cell(tmp_path, metadata):
    nb = write_nb(tmp_path / "nb.ipynb", [("code", "1/0", []), ("code", "2", [])], metadata)
    _, blocks = blocks_from_notebook(nb)
    assert all(b.raises for b in blocks)


def test_notebook_execution_mode_off_runs_nothing_and_keeps_outputs(tmp_path):
    nb = write_nb(
        tmp_path / "nb.ipynb",
        [("code", "print(1)", [], [stream("1\n")])],
        {"mystnb": {"execution_mode": "off"}},
    )
    _, blocks = blocks_from_notebook(nb)
    assert blocks[0].skip_reason and blocks[0].saved_outputs[0]["text"] == "1\n"


@pytest.mark.parametrize(
    "metadata, message",
    [
        ({"execution": {"timeout": "soon"}}, "正的秒数"),
        ({"mystnb": {"execution_allow_errors": "yes"}}, "true/false"),
        ({"mystnb": {"execution_mode": "sometimes"}}, "execution_mode"),
    ],
)
def test_bad_notebook_settings_fail_naming_the_notebook(tmp_path, metadata, message):
    nb = write_nb(tmp_path / "nb.ipynb", [("code", "1", [])], metadata)
    with pytest.raises(BlockError, match=message) as exc:
        blocks_from_notebook(nb)
    assert "nb.ipynb" in str(exc.value)


def test_allowing_errors_changes_the_cache_key_only_when_set(tmp_path):
    a = write_nb(tmp_path / "a.ipynb", [("code", "1/0", [])])
    b = write_nb(tmp_path / "b.ipynb", [("code", "1/0", ["raises-exception"])])
    c = write_nb(tmp_path / "c.ipynb", [("code", "1/0", ["hide-input"])])
    keys = [block_keys(blocks_from_notebook(p)[1], {}) for p in (a, b, c)]
    assert keys[0] != keys[1]  # 允许报错的运行结果不同，不能共用缓存
    assert keys[0] == keys[2]  # 只影响显示的标签不改变缓存键


# ---------------------------------------------------------------- 位置


def test_notebook_locations_name_the_cell_counting_all_cells(tmp_path):
    nb = write_nb(tmp_path / "nb.ipynb", [("markdown", "# 标题", []), ("code", "x = 1\ny", [])])
    _, [block] = blocks_from_notebook(nb)
    assert block.where.endswith("nb.ipynb: cell 2")
    assert block.where_line(2).endswith("nb.ipynb: cell 2, line 2")


def test_notebook_error_names_cell_and_line_not_a_file_line(tmp_path):
    from nbclient.exceptions import CellExecutionError

    nb = write_nb(
        tmp_path / "nb.ipynb",
        [("markdown", "# 标题", []), ("code", "x = 1", []), ("code", "y = undefined", [])],
    )
    _, blocks = blocks_from_notebook(nb)
    tb = "------------------\ny = undefined\n------------------\n\nCell In[2], line 1\nNameError: x"
    msg = format_error(
        blocks[1], CellExecutionError(tb, "NameError", "x"), {1: blocks[0], 2: blocks[1]}
    )
    assert msg.startswith(f"{blocks[1].where}, line 1: 代码块运行失败")
    assert "nb.ipynb: cell 3, line 1" in msg and "nb.ipynb:4" not in msg


# ---------------------------------------------------------------- Markdown 页面的有意报错标记


def test_markdown_raises_exception_mark(tmp_path):
    page = write_page(
        tmp_path,
        """
        # 页面

        <!--pytest.mark.raises-exception-->
        ```python
        1 / 0
        ```

        ```python
        print(1)
        ```
        """,
    )
    blocks = extract_blocks(page)
    assert [(b.raises, b.must_raise) for b in blocks] == [(True, True), (False, False)]


def test_check_block_cannot_be_an_intended_error(tmp_path):
    page = write_page(
        tmp_path,
        """
        <!--pytest.mark.check-->
        <!--pytest.mark.raises-exception-->
        ```python
        assert False
        ```
        """,
    )
    with pytest.raises(BlockError, match="page.md:3"):
        extract_blocks(page)


# ---------------------------------------------------------------- 工作目录


def test_page_view_shows_files_beside_the_page_but_keeps_writes_out(tmp_path):
    folder = tmp_path / "docs" / "chapter"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text("a,b\n")
    (tmp_path / "docs" / "shared.txt").write_text("up\n")
    cwd = page_view(folder, tmp_path / "kernel" / "cwd")
    assert (cwd / "data.csv").read_text() == "a,b\n"
    (cwd / "written.bin").write_text("new")
    assert not (folder / "written.bin").exists()  # 代码写出的文件不落进 docs/
    assert cwd.name == "chapter"
