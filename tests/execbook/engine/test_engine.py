"""执行引擎与坏输入：失败的块、超时、损坏的缓存、确定性、坏链接/坏图/坏标记。

这些测试在临时目录里写小页面，验证读者会注意到的行为：报错指明页面和行号，
坏缓存不会让构建崩溃，两次干净运行输出相同。
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO, build_fixture_site, mini_site, write_page
from execbook.engine import BlockError, Cache, block_keys, execute_page, extract_blocks, fingerprint


def run(path: Path, cache_root: Path, **kw):
    return execute_page(path, extract_blocks(path), cache=Cache(cache_root), **kw)


def test_failing_block_names_page_line_and_traceback(tmp_path):
    page = write_page(
        tmp_path,
        """
        # 页面

        ```python
        x = 1
        ```

        ```python
        def f():
            return 1 / 0
        f()
        ```

        ```python
        print("after")
        ```
        """,
    )
    result = run(page, tmp_path / "cache")
    statuses = [r.status for r in result.results]
    assert statuses == ["ran", "failed", "not-run"]
    err = result.failure.error
    assert "page.md:7" in err  # 围栏所在行
    assert "ZeroDivisionError" in err and "Traceback" in err
    assert "page.md:9" in err  # traceback 中的行号换算成页面行号（return 1 / 0 在第 9 行）


def test_timeout_stops_block_with_clear_message(tmp_path):
    page = write_page(
        tmp_path,
        """
        <!--pytest.mark.timeout(3)-->
        ```python
        import time
        time.sleep(60)
        ```
        """,
    )
    result = run(page, tmp_path / "cache")
    assert result.failure is not None
    assert "超过 3 秒" in result.failure.error and "page.md:2" in result.failure.error


def test_cache_hit_and_prefix_invalidation(tmp_path):
    text = """
        ```python
        a = 2
        ```

        ```python
        print(a * 21)
        ```

        ```python
        print("third")
        ```
        """
    page = write_page(tmp_path, text)
    first = run(page, tmp_path / "cache")
    assert [r.status for r in first.results] == ["ran", "ran", "ran"]
    assert first.results[1].outputs[0]["text"] == "42\n"
    second = run(page, tmp_path / "cache")
    assert [r.status for r in second.results] == ["cached", "cached", "cached"]
    # 改第二个块：第一块为恢复状态重跑，第二、三块重新运行
    write_page(tmp_path, text.replace("a * 21", "a * 50"))
    third = run(page, tmp_path / "cache")
    assert [r.status for r in third.results] == ["replayed", "ran", "ran"]
    assert third.results[1].outputs[0]["text"] == "100\n"


def test_corrupt_cache_entry_is_reexecuted_not_crashing(tmp_path):
    page = write_page(tmp_path, "```python\nprint('hello')\n```\n")
    cache = Cache(tmp_path / "cache")
    execute_page(page, extract_blocks(page), cache=cache)
    (key,) = block_keys(extract_blocks(page), fingerprint())
    entry = cache.path(key)
    entry.write_text(entry.read_text(encoding="utf-8")[:25], encoding="utf-8")  # 截断
    with pytest.warns(UserWarning, match="损坏"):
        result = execute_page(page, extract_blocks(page), cache=cache)
    assert result.results[0].status == "ran"
    assert result.results[0].outputs[0]["text"] == "hello\n"
    # 内容被篡改但仍是合法 JSON：校验和发现它
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["payload"]["outputs"][0]["text"] = "garbage\n"
    entry.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(UserWarning, match="损坏"):
        result = execute_page(page, extract_blocks(page), cache=cache)
    assert result.results[0].outputs[0]["text"] == "hello\n"


def test_two_clean_runs_give_identical_outputs(tmp_path):
    page = write_page(
        tmp_path,
        """
        ```python
        import random
        import numpy as np
        import torch
        import matplotlib.pyplot as plt
        print(random.random(), np.random.rand(), torch.randn(3))
        net = torch.nn.Linear(4, 2)
        print(net.weight.sum().item())
        plt.plot(torch.randn(20).cumsum(0))
        plt.show()
        ```
        """,
    )
    a = run(page, tmp_path / "c1")
    b = run(page, tmp_path / "c2")
    assert a.results[0].status == b.results[0].status == "ran"
    assert a.results[0].outputs == b.results[0].outputs
    kinds = [o["output_type"] for o in a.results[0].outputs]
    assert "display_data" in kinds, "matplotlib 图没有被记录"
    svg = next(o for o in a.results[0].outputs if o["output_type"] == "display_data")["data"][
        "image/svg+xml"
    ]
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg


def test_snippet_lines_are_expanded_like_the_site(tmp_path):
    snippet = sorted((REPO / "snippets").glob("*.py"))[0]
    text = snippet.read_text(encoding="utf-8")
    m = re.search(r"# --8<-- \[start:(\w+)\]", text)
    assert m, f"{snippet.name} 没有 pymdownx.snippets 分段"
    page = write_page(tmp_path, f'```python\n--8<-- "snippets/{snippet.name}:{m.group(1)}"\n```\n')
    (block,) = extract_blocks(page)
    assert "--8<--" not in block.source and block.source.strip()


def test_missing_snippet_is_an_error_naming_the_page(tmp_path):
    page = write_page(tmp_path, '# t\n\n```python\n--8<-- "snippets/no_such_file.py:x"\n```\n')
    with pytest.raises(BlockError, match=r"page\.md:3"):
        extract_blocks(page)


@pytest.mark.parametrize(
    "mark, message",
    [
        ("<!--pytest.mark.skip-->", "原因"),
        ("<!--pytest.mark.xfail-->", "不支持的标记"),
    ],
)
def test_bad_marks_are_rejected(tmp_path, mark, message):
    page = write_page(tmp_path, f"{mark}\n```python\nx = 1\n```\n")
    with pytest.raises(BlockError, match=message):
        extract_blocks(page)


def test_skipped_block_is_reported_with_reason(tmp_path):
    page = write_page(
        tmp_path, '<!--pytest.mark.skip(reason="需要网络")-->\n```python\nraise SystemExit\n```\n'
    )
    (block,) = extract_blocks(page)
    assert block.skip_reason == "需要网络"
    result = run(page, tmp_path / "cache")
    assert result.results[0].status == "skipped"


def test_long_output_is_folded_and_tqdm_keeps_final_line(tmp_path):
    from execbook.engine.outputs import Budget, OutputLimits, render_block

    page = write_page(
        tmp_path,
        """
        ```python
        import sys
        for i in range(5):
            sys.stdout.write(f"\\rprogress {i}/4")
        print()
        for i in range(60):
            print("line", i)
        ```
        """,
    )
    result = run(page, tmp_path / "cache")
    text = result.results[0].outputs[0]["text"]
    assert text.startswith("progress 4/4\n"), text[:80]
    limits = OutputLimits()
    html = render_block(result.results[0].outputs, limits, Budget(limits.page_bytes), "page.md:1")
    assert html.startswith(
        '<details class="note" data-search-exclude><summary>输出（61 行，点击展开）</summary>'
    )


# ---------------------------------------------------------------- 严格构建拒绝坏页面


@pytest.mark.parametrize(
    "page, expected",
    [
        (
            "# 坏块\n\n```python\nraise ValueError('boom')\n```\n",
            [r"docs/index\.md:3", "ValueError", "boom"],
        ),
        (  # front matter 之后的块：报的是文件行号（front matter 也算行）
            "---\ntitle: t\n---\n\n# 坏块\n\n```python\nx = 1\nraise ValueError('boom')\n```\n",
            [r"docs/index\.md:7: 代码块运行失败", r"docs/index\.md:9", "boom"],
        ),
        ("# 坏链接\n\n见 [不存在的页面](nope.md)。\n", ["index.md", "nope.md"]),
        ("# 坏图\n\n![图](img/missing.png)\n", ["index.md", "img/missing.png"]),
        (
            "# 坏锚点\n\n见 [结果](appendix/results.md#no-such-anchor)。\n",
            ["index.md", "no-such-anchor"],
        ),
    ],
    ids=[
        "failing-block",
        "failing-block-after-front-matter",
        "broken-link",
        "missing-image",
        "broken-anchor",
    ],
)
def test_strict_build_rejects_bad_pages(tmp_path, page, expected):
    config = mini_site(tmp_path, page)
    build = build_fixture_site(tmp_path, config)
    assert build.returncode != 0, "坏页面竟然构建成功了：\n" + build.output[-2000:]
    for pattern in expected:
        assert re.search(pattern, build.output), (
            f"构建输出里没有 {pattern!r}：\n{build.output[-3000:]}"
        )


def test_execute_never_fails_naming_page_and_refresh_command(tmp_path):
    config = mini_site(tmp_path, "# 页\n\n```python\nprint(1)\n```\n")
    build = build_fixture_site(tmp_path, config, DLNOTES_EXECUTE="never")
    assert build.returncode != 0
    assert "index.md:3" in build.output and "pytest" in build.output


def test_cache_key_covers_every_module_the_kernel_runs_at_start():
    """内核启动时运行的 execbook 模块（kernel/startup.py 及其递归导入的）都在缓存键里：
    改了字体注册或导入钩子，旧的输出就不再被当作新的。"""
    import ast
    import importlib

    fpmod = importlib.import_module("execbook.engine.fingerprint")

    pkg = REPO / "execbook"
    seen, todo = set(), ["kernel/startup.py"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in ast.walk(ast.parse((pkg / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                mod = (node.module or "").replace(".", "/") + ".py"
                if node.level == 1:  # 相对导入：与导入它的模块在同一个目录
                    todo.append((Path(name).parent / mod).as_posix())
                elif mod.startswith("execbook/"):
                    todo.append(mod.removeprefix("execbook/"))
    assert seen == set(fpmod.KERNEL_STARTUP_MODULES)
    before = fpmod.fingerprint()["kernel"]
    original = fpmod.Path.read_text

    def patched(self, *a, **k):
        text = original(self, *a, **k)
        return text + "\n# changed" if self.name == "fonts.py" else text

    fpmod.Path.read_text = patched
    try:
        assert fpmod.fingerprint()["kernel"] != before
    finally:
        fpmod.Path.read_text = original
