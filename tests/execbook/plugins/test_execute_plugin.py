"""引擎的三个约定接口：构建检查块、数据依赖报告、构建摘要 JSON（见 CONTRIBUTING.md）。

依赖报告用 tmp_path 里的一个假 resolver 模块测试：引擎对具体的数据一无所知。
"""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from conftest import REPO, build_fixture_site, mini_site, run_mkdocs_build, write_page
from execbook.engine import (
    DEPENDENCY_MIME,
    Cache,
    CacheWarning,
    DependencyChecker,
    block_keys,
    execute_page,
    extract_blocks,
    fingerprint,
)

# ---------------------------------------------------------------- 1. 构建检查


CHECK_PAGE = """
    # 检查

    ```python
    x = 6 * 7
    print(x)
    ```

    <!--pytest.mark.check-->
    ```python
    assert x == {expected}, x
    ```
    """


def test_check_mark_is_parsed(tmp_path):
    page = write_page(tmp_path, CHECK_PAGE.format(expected=42))
    plain, check = extract_blocks(page)
    assert (plain.check, check.check) == (False, True)
    assert check.lineno == 9 and check.source.strip() == "assert x == 42, x"


def test_check_cannot_be_skipped(tmp_path):
    from execbook.engine import BlockError

    page = write_page(
        tmp_path,
        '<!--pytest.mark.check-->\n<!--pytest.mark.skip(reason="x")-->\n```python\nassert 1\n```\n',
    )
    with pytest.raises(BlockError, match="不能跳过"):
        extract_blocks(page)


def test_check_is_rendered_as_collapsed_note_and_failure_fails_the_build(tmp_path):
    ok = tmp_path / "ok"
    build = build_fixture_site(ok, mini_site(ok, CHECK_PAGE.format(expected=42)))
    assert build.returncode == 0, build.output[-3000:]
    html = (ok / "site" / "index.html").read_text(encoding="utf-8")
    details = re.search(
        r'<details class="success">\s*<summary>构建检查</summary>(.*?)</details>', html, re.S
    )
    assert details, html[:3000]
    assert "assert" in details.group(1) and "42" in details.group(1)
    # 普通代码块仍是普通代码块（不在折叠框里），其输出照常显示
    assert html.count('<details class="success">') == 1
    assert re.search(
        r'<span class="filename">输出</span><pre><span></span><code>42\n?</code>', html
    )

    bad = tmp_path / "bad"
    build = build_fixture_site(bad, mini_site(bad, CHECK_PAGE.format(expected=41)))
    assert build.returncode != 0
    assert "docs/index.md:9" in build.output and "AssertionError" in build.output, build.output[
        -3000:
    ]


def test_failing_check_fails_pytest_naming_page_line(pytester, monkeypatch):
    """pytest 插件：检查块是测试项；失败时报告 页面:行号。运行了页面的会话写构建摘要。"""
    monkeypatch.setenv("DLNOTES_ROOT", str(pytester.path))
    monkeypatch.setenv("DLNOTES_CACHE_DIR", str(pytester.path / "cache"))
    (pytester.path / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    (pytester.path / "dlnotes").mkdir()
    (pytester.path / "execbook").mkdir()
    docs = pytester.path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text(textwrap.dedent(CHECK_PAGE.format(expected=42)), encoding="utf-8")
    (docs / "bad.md").write_text(textwrap.dedent(CHECK_PAGE.format(expected=41)), encoding="utf-8")
    result = pytester.runpytest_subprocess(
        "-p", "execbook.pytest_plugin", "docs", "-q", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=3, failed=1)
    out = result.stdout.str()
    # 失败的是检查块（围栏在第 10 行）；traceback 中的行号换算成文件行号（assert 在第 11 行）
    assert "docs/bad.md:10: 代码块运行失败" in out and "docs/bad.md:11" in out, out
    assert "AssertionError: 42" in out
    summary = json.loads(
        (pytester.path / "cache" / "build-summary.json").read_text(encoding="utf-8")
    )
    pages = {p["page"]: p for p in summary["pages"]}
    assert pages["docs/bad.md"]["failed"] == 1
    # good.md 与 bad.md 同时运行（页面并行）；good.md 的第一块与 bad.md 的第一块内容相同（缓存键只看内容），
    # 所以它可能新运行，也可能取自缓存后为恢复状态重跑——但两块都成功
    good = pages["docs/good.md"]
    assert good["failed"] == 0 and good["ran"] + good["replayed"] + good["cached"] == 2


# ---------------------------------------------------------------- 2. 依赖报告

FAKE_RESOLVER = """
import json, os

def current_identity():
    with open(os.environ["FAKE_DATA_STATE"], encoding="utf-8") as f:
        return json.load(f)
"""

DEP_PAGE = f"""
    ```python
    before = 1
    ```

    ```python
    from IPython.display import display
    import fakedata_{{tag}} as fake
    ident = fake.current_identity()
    display({{{{"{DEPENDENCY_MIME}": {{{{"name": "fake-set", "identity": ident,
             "resolver": "fakedata_{{tag}}:current_identity"}}}}}}}}, raw=True)
    print("version", ident["v"])
    ```

    ```python
    print("after", ident["v"])
    ```
    """


@pytest.fixture
def fake_data(tmp_path, monkeypatch, request):
    """一个假的 resolver 模块（内核和构建进程都能导入），状态在一个 JSON 文件里。"""
    tag = re.sub(r"\W", "_", request.node.name)[-40:]
    mod_dir = tmp_path / "mods"
    mod_dir.mkdir()
    (mod_dir / f"fakedata_{tag}.py").write_text(FAKE_RESOLVER, encoding="utf-8")
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"kind": "sample", "v": 1}), encoding="utf-8")
    monkeypatch.setenv("FAKE_DATA_STATE", str(state))
    monkeypatch.setenv("PYTHONPATH", f"{mod_dir}:{REPO}")
    monkeypatch.syspath_prepend(str(mod_dir))
    return tag, state


def test_dependency_report_is_recorded_hidden_and_invalidates(tmp_path, fake_data):
    tag, state = fake_data
    page = write_page(tmp_path, DEP_PAGE.format(tag=tag))
    cache = Cache(tmp_path / "cache")
    run = lambda: execute_page(page, extract_blocks(page), cache=cache, checker=DependencyChecker())  # noqa: E731

    first = run()
    assert [r.status for r in first.results] == ["ran", "ran", "ran"], (
        first.failure and first.failure.error
    )
    # 报告不显示；记在报告它的块与之后每个块里
    assert all(
        DEPENDENCY_MIME not in (o.get("data") or {}) for r in first.results for o in r.outputs
    )
    assert first.results[1].outputs == [
        {"output_type": "stream", "name": "stdout", "text": "version 1\n"}
    ]
    keys = block_keys(extract_blocks(page), fingerprint())
    recorded = [cache.get(k)["dependencies"] for k in keys]
    assert recorded[0] == []
    expected = [
        {
            "name": "fake-set",
            "identity": {"kind": "sample", "v": 1},
            "resolver": f"fakedata_{tag}:current_identity",
        }
    ]
    assert recorded[1] == recorded[2] == expected
    assert first.data == "fake-set（sample）"

    assert [r.status for r in run().results] == ["cached"] * 3

    # 数据变了：读它的块及之后的块重算，之前的块只为恢复状态重跑
    state.write_text(json.dumps({"kind": "full", "v": 2}), encoding="utf-8")
    third = run()
    assert [r.status for r in third.results] == ["replayed", "ran", "ran"]
    assert third.results[2].outputs[0]["text"] == "after 2\n"
    assert third.data == "fake-set（full）"


def test_broken_resolver_reruns_with_a_warning_naming_the_page(tmp_path, fake_data):
    tag, state = fake_data
    page = write_page(tmp_path, DEP_PAGE.format(tag=tag))
    cache = Cache(tmp_path / "cache")
    execute_page(page, extract_blocks(page), cache=cache)
    state.write_text("not json", encoding="utf-8")
    with pytest.warns(CacheWarning, match=r"page\.md:5: 依赖 fake-set 的 resolver"):
        missing = __import__("execbook.engine", fromlist=["x"]).missing_blocks(
            extract_blocks(page), cache, fingerprint(), DependencyChecker()
        )
    assert missing is not None and missing.lineno == 5


def test_build_summary_json_and_line(tmp_path):
    """接口 3：mkdocs build 写 <cache_dir>/build-summary.json，打印的一行由它生成。"""
    config = mini_site(tmp_path, "# 页\n\n```python\nprint(1)\n```\n\n```python\nprint(2)\n```\n")
    env = {"DLNOTES_CACHE_DIR": str(tmp_path / "cache")}
    cold = run_mkdocs_build(tmp_path / "site", config=config, env=env, timeout=300)
    assert cold.returncode == 0, cold.output[-3000:]
    s = cold.summary
    assert (
        s
        and s["version"] == 1
        and s["totals"] == {"ran": 2, "replayed": 0, "cached": 0, "skipped": 0, "failed": 0}
    )
    (page,) = s["pages"]
    assert (
        page["page"].endswith("docs/index.md") and page["blocks"] == 2 and page["device"] == "cpu"
    )
    assert (
        page["data"] is None and s["environment"]["torch"] and s["environment"]["device"] == "cpu"
    )
    assert "运行 2 块（其中 0 块为恢复内核状态重跑），取自缓存 0 块" in cold.output
    warm = run_mkdocs_build(tmp_path / "site", config=config, env=env, timeout=300)
    assert warm.summary["totals"]["cached"] == 2 and warm.summary["totals"]["ran"] == 0
    assert "取自缓存 2 块" in warm.output
    # 坏的缓存条目：重新执行，以 WARNING 报告（写明页面:行号），不让严格构建失败
    second = sorted(
        (tmp_path / "cache" / "exec").rglob("*.json"),
        key=lambda p: json.loads(p.read_text(encoding="utf-8"))["payload"]["lineno"],
    )[-1]
    second.write_text(second.read_text(encoding="utf-8")[:40], encoding="utf-8")
    again = run_mkdocs_build(tmp_path / "site", config=config, env=env, timeout=300)
    assert again.returncode == 0, again.output[-3000:]
    assert re.search(
        r"WARNING +-  execbook: \S*docs/index\.md:7: 执行缓存条目损坏", again.output
    ), again.output[-2000:]
    assert again.summary["totals"] == {
        "ran": 1,
        "replayed": 1,
        "cached": 0,
        "skipped": 0,
        "failed": 0,
    }


def test_summary_page_seconds_are_the_blocks_run_times_even_when_cached(tmp_path):
    """构建报告的「运行时间」：取自缓存的页面报告记录下的运行时间，而不是查缓存用的零点几秒。"""
    from execbook.engine.blocks import Block
    from execbook.engine.execute import BlockResult, PageResult
    from execbook.engine.summary import BuildSummary

    page = tmp_path / "p.md"
    blocks = [
        Block(
            page=page,
            index=i,
            lineno=1 + 4 * i,
            end_lineno=3 + 4 * i,
            indent="",
            code="",
            source="",
        )
        for i in range(2)
    ]
    result = PageResult(
        page,
        [BlockResult(blocks[0], "cached", [], 12.5), BlockResult(blocks[1], "cached", [], 30.0)],
        seconds=0.02,  # 查缓存的用时
    )
    summary = BuildSummary()
    summary.add(result)
    (entry,) = summary.to_json()["pages"]
    assert entry["seconds"] == 42.5 and entry["cached"] == 2


def test_output_without_a_renderer_fails_the_strict_build_naming_page_line(tmp_path):
    page = (
        "# 页\n\n```python\nfrom IPython.display import display\n"
        'display({"application/x-unknown": "{}"}, raw=True)\n```\n'
    )
    build = build_fixture_site(tmp_path, mini_site(tmp_path, page))
    assert build.returncode != 0
    assert re.search(r"index\.md:3: 输出的 MIME 类型（application/x-unknown）", build.output)
