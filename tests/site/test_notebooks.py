"""notebook 与代码块的行为与 Jupyter / MyST-NB / nbclient 一致（会启动内核的部分）。

每个行为一个测试，用本文件写出的小 notebook：一个 notebook 经引擎运行一次（模块级 fixture），各测试检查
读者会看到的一件事；另有一个小站点的严格构建，检查页面与下载的 notebook。
"""

from __future__ import annotations

import html as html_lib
import re

import nbformat
import pytest

from conftest import build_fixture_site, mini_site, write_page
from execbook.engine import Cache, execute_notebook, execute_page, extract_blocks


def code(source, *tags, outputs=None):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    cell.outputs = outputs or []
    return cell


def notebook(cells, **metadata):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata.update(metadata)
    nb.cells = [nbformat.v4.new_markdown_cell("# 测试 notebook\n\n说明文字。"), *cells]
    return nb


SAVED = nbformat.v4.new_output("stream", name="stdout", text="保存的输出\n")
CELLS = {
    "beside": code("print(open('beside.txt').read())"),
    "write": code("open('written.txt', 'w').write('x')"),
    "skip": code("open('skip-ran.txt', 'w').write('ran')", "skip-execution", outputs=[SAVED]),
    "raises": code("1 / 0", "raises-exception"),
    "after": code("print('after the error')"),
    "same_cell": code(
        "from IPython.display import display, clear_output\n"
        "h = display('first', display_id=True)\n"
        "h.update('second')"
    ),
    "later": code("h2 = display('early', display_id=True)"),
    "updater": code("h2.update('late')"),
    "cleared": code("print('old')\nclear_output(wait=True)\nprint('new')"),
    "skip_check": code("import os\nprint(os.path.exists('skip-ran.txt'))"),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb")
    folder = root / "docs" / "chapter"
    folder.mkdir(parents=True)
    (folder / "beside.txt").write_text("旁边的文件\n", encoding="utf-8")
    nb = notebook(list(CELLS.values()))
    src = folder / "nb.ipynb"
    nbformat.write(nb, src)
    out = root / "out" / "nb.ipynb"
    result = execute_notebook(src, out, cache=Cache(root / "cache"))
    assert result.failure is None, result.failure.error
    by_name = dict(zip(CELLS, result.results))
    return result, by_name, folder, out


def texts(r):
    return "".join(
        o.get("text", "") or "".join((o.get("data") or {}).get("text/plain", "")) for o in r.outputs
    )


def test_code_runs_in_the_notebooks_folder(run):
    _, cells, _, _ = run
    assert "旁边的文件" in texts(cells["beside"])


def test_files_the_code_writes_do_not_land_beside_the_notebook(run):
    _, cells, folder, _ = run
    assert cells["write"].status == "ran"
    assert not (folder / "written.txt").exists()


def test_skip_execution_cell_is_not_run_and_keeps_saved_outputs(run):
    _, cells, _, _ = run
    assert cells["skip"].status == "skipped"
    assert texts(cells["skip"]) == "保存的输出\n"
    assert texts(cells["skip_check"]).strip() == "False"  # 跳过的 cell 没有写文件


def test_raises_exception_shows_the_error_and_execution_goes_on(run):
    _, cells, _, _ = run
    errors = [o for o in cells["raises"].outputs if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "ZeroDivisionError"
    assert cells["after"].status == "ran" and "after the error" in texts(cells["after"])


def test_display_update_in_the_same_cell_shows_the_final_value(run):
    _, cells, _, _ = run
    assert texts(cells["same_cell"]) == "'second'"


def test_display_update_from_a_later_cell_changes_the_earlier_output(run):
    _, cells, _, _ = run
    assert texts(cells["later"]) == "'late'"
    assert texts(cells["updater"]) == ""


def test_display_update_reaches_the_cache_and_the_download(run, tmp_path):
    result, cells, _, out = run
    # 缓存里的条目也是最后的状态：全取自缓存的第二次运行显示同样的值
    again = execute_notebook(
        cells["later"].block.page,
        tmp_path / "again.ipynb",
        cache=Cache(out.parent.parent / "cache"),
    )
    assert {r.status for r in again.results} <= {"cached", "skipped"}
    assert texts(dict(zip(CELLS, again.results))["later"]) == "'late'"
    nb = nbformat.read(out, as_version=4)
    later = nb.cells[1 + list(CELLS).index("later")]
    assert later.outputs[0]["data"]["text/plain"] == "'late'"


def test_clear_output_wait_keeps_only_what_follows(run):
    _, cells, _, _ = run
    assert texts(cells["cleared"]) == "new\n"


def test_downloaded_notebook_keeps_tags_and_metadata(run):
    _, _, _, out = run
    nb = nbformat.read(out, as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"]
    assert ["skip-execution"] in tags and ["raises-exception"] in tags
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebook_timeout_stops_a_slow_cell_with_a_clear_error(tmp_path):
    src = tmp_path / "slow.ipynb"
    nbformat.write(
        notebook([code("x = 1"), code("import time\ntime.sleep(10)")], execution={"timeout": 1}),
        src,
    )
    result = execute_notebook(src, tmp_path / "out.ipynb", cache=Cache(tmp_path / "cache"))
    assert result.failure is not None and result.failure.block.lineno == 3
    assert "slow.ipynb: cell 3: 代码块运行超过 1 秒" in result.failure.error
    assert "execution.timeout" in result.failure.error
    assert result.seconds < 9  # 真的在 1 秒后中止，没有等完 10 秒


def test_notebook_error_names_cell_and_line(tmp_path):
    src = tmp_path / "err.ipynb"
    nbformat.write(notebook([code("x = 1"), code("y = 2\nz = undefined_name")]), src)
    result = execute_notebook(src, tmp_path / "out.ipynb", cache=Cache(tmp_path / "cache"))
    assert result.failure.error.startswith(f"{result.failure.block.where}, line 2")
    assert "err.ipynb: cell 3, line 2" in result.failure.error
    assert re.search(r"err\.ipynb:\d", result.failure.error) is None


def test_markdown_page_runs_in_its_folder_and_shows_an_intended_error(tmp_path):
    (tmp_path / "table.csv").write_text("a,b\n", encoding="utf-8")
    page = write_page(
        tmp_path,
        """
        # 页面

        ```python
        print(open("table.csv").read())
        ```

        <!--pytest.mark.raises-exception-->
        ```python
        [1, 2][5]
        ```

        ```python
        print("之后的块照常运行")
        ```
        """,
    )
    result = execute_page(page, extract_blocks(page), cache=Cache(tmp_path / "cache"))
    assert result.failure is None
    first, intended, after = result.results
    assert "a,b" in texts(first)
    assert intended.outputs[0]["ename"] == "IndexError"
    assert "之后的块照常运行" in texts(after)


def test_markdown_intended_error_that_does_not_raise_fails(tmp_path):
    page = write_page(
        tmp_path,
        """
        <!--pytest.mark.raises-exception-->
        ```python
        x = 1
        ```
        """,
    )
    result = execute_page(page, extract_blocks(page), cache=Cache(tmp_path / "cache"))
    assert result.failure is not None
    assert "page.md:2" in result.failure.error and "却没有报错" in result.failure.error


# ---------------------------------------------------------------- 严格构建的小站点


# Markdown 页面里 hide-input 的对应写法：代码块放进 ??? 折叠块，照常运行
INDEX = """\
# 首页

??? note "显示代码"

    ```python
    print("折叠块里的代码也运行")
    ```

<!--pytest.mark.raises-exception-->
```python
{}["缺的键"]
```
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbsite")
    nb = notebook(
        [
            code("print('看得见的代码')"),
            code("print('折起来的代码')", "hide-input"),
            code("print('折起来的输出')", "hide-output"),
            code("print('整个折起来')", "hide-cell"),
            code("print('删掉的代码')", "remove-input"),
            code("print('删掉的输出')", "remove-output"),
            code("print('删掉的单元')", "remove-cell"),
            code(
                "import sys\nprint('标准输出')\nprint('标准错误', file=sys.stderr)", "remove-stderr"
            ),
            code("1 / 0", "raises-exception"),
            code("print('不运行')", "skip-execution", outputs=[SAVED]),
            code("print('没有保存的输出')", "skip-execution"),
            code("from IPython.display import Latex\nLatex(r'$\\alpha$')"),
        ]
    )
    nb.cells[0].source += "\n\n链接到[首页](../index.md)。"
    config = mini_site(
        root,
        INDEX,
        files={"docs/nbs/nb.ipynb": nbformat.writes(nb)},
        nav=["nbs/nb.ipynb"],
    )
    build = build_fixture_site(root, config)
    assert build.returncode == 0, build.output[-4000:]
    html = (build.site / "nbs" / "nb" / "index.html").read_text(encoding="utf-8")
    article = html[html.index("<article") : html.index("</article>")]
    return build, html, article


def _details(article):
    return "".join(re.findall(r"<details.*?</details>", article, re.S))


def test_notebook_page_has_the_same_header_as_markdown_pages(site):
    build, _, article = site
    assert 'class="dl-page-meta"' in article and "下载本页 notebook" in article
    assert "本页输出由执行引擎运行代码生成" in article
    assert "在 Colab 中运行" in article and "blob/notebooks/nbs/nb.ipynb" in article
    assert article.index("<h1") < article.index("dl-page-meta")
    href = re.search(r'class="dl-download" href="([^"]+)"', article)[1]
    assert (build.site / "nbs" / "nb" / href).resolve() == build.site / "nbs" / "nb.ipynb"


def test_notebook_page_has_no_prompts_and_no_inline_jupyter_css(site):
    _, html, article = site
    assert "In&nbsp;[" not in article and "In [" not in article
    assert "jp-" not in html and "--jp-" not in html
    assert len(html.encode()) < 120_000


def test_notebook_code_uses_the_site_code_style(site):
    _, _, article = site
    assert article.count('class="language-python highlight"') == 10  # 删掉代码的两个 cell 之外


def test_hide_tags_fold_not_remove(site):
    _, _, article = site
    folded = _details(article)
    for text in ("折起来的代码", "折起来的输出", "整个折起来"):
        assert text in folded
    assert "看得见的代码" not in folded


def _text(article):
    return html_lib.unescape(re.sub(r"<[^>]+>", "", article))


def test_remove_tags_remove_from_the_page(site):
    _, _, article = site
    text = _text(article)
    assert "删掉的单元" not in text  # remove-cell：代码与输出都没有
    assert "print('删掉的代码')" not in text and "删掉的代码" in text  # remove-input：只留输出
    assert (
        "print('删掉的输出')" in text and text.count("删掉的输出") == 1
    )  # remove-output：只留代码


def test_remove_stderr_drops_only_stderr(site):
    _, _, article = site
    assert "标准输出</code>" in article
    assert "标准错误</code>" not in article


def test_intended_error_is_shown_on_the_page(site):
    _, _, article = site
    assert "ZeroDivisionError" in article and "\x1b[" not in article


def test_skipped_cell_shows_its_saved_output(site):
    _, _, article = site
    assert "<code>保存的输出</code>" in article  # 作为输出框显示，不只是说明里提到


def test_skipped_cell_without_saved_output_says_it_did_not_run(site):
    _, _, article = site
    text = _text(article)
    assert text.count("此代码块在构建时不运行") == 1  # 只有没存输出的那个 cell


def test_notebook_markdown_links_are_checked_and_rewritten(site):
    _, _, article = site
    assert 'href="../../">首页</a>' in article


def test_markdown_page_code_folded_in_details_still_runs(site):
    build, _, _ = site
    html = (build.site / "index.html").read_text(encoding="utf-8")
    folded = _details(html[html.index("<article") : html.index("</article>")])
    assert "折叠块里的代码也运行</code>" in folded


def test_markdown_page_download_marks_the_intended_error(site):
    build, _, _ = site
    nb = nbformat.read(build.site / "index.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "缺的键" in c.source)
    assert cell.metadata.get("tags") == ["raises-exception"]  # Jupyter/nbclient 照样继续运行
    assert cell.outputs[0]["ename"] == "KeyError"


def test_site_download_keeps_tags(site):
    build, _, _ = site
    nb = nbformat.read(build.site / "nbs" / "nb.ipynb", as_version=4)
    assert ["hide-input"] in [c.metadata.get("tags") for c in nb.cells]
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
