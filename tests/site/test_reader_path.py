"""读者的路径（issue 21）：在站点自己的地址（site_url 的路径 /d2l-notes/）上、即时导航打开时，从首页一直点
「下一页」读完整个站点；每一页都检查公式画出来了、正文没有 TeX 源码、页面不比 390 px 的手机屏幕宽，
每页浅色与深色都查（点页眉的配色开关）。一个探针小站点说明每项检查都会失败。检查本身在 tests/site/reader.py。

服务器、浏览器与整站构建都是 tests/conftest.py 的共用夹具（一个模块一个浏览器，整个会话一个构建与服务器）。
"""

from __future__ import annotations

import json

from conftest import (
    CHROMIUM,
    build_fixture_site,
    free_port,
    local_site_url,
    mini_site,
    mkdocs_config,
    nav_pages,
    require,
    serve_site,
)
from reader import walk_by_clicking


def _nav_urls() -> list[str]:
    urls = []
    for page in nav_pages(mkdocs_config()):
        stem = page.rsplit(".", 1)[0]
        stem = "" if stem == "index" else stem.removesuffix("/index") + "/"
        urls.append(stem)
    return urls


def test_reader_clicks_through_every_page_in_both_schemes(built_site, server):
    """一次走完：每页先在一种配色下查，再点页眉的配色开关在另一种配色下查（浅色起步，逐页交替）。

    这一遍由 reader_walk.py 在后台进程里走（整站构建之后就开始，见 conftest 的 SiteJob），这里读它的结果。"""
    require(built_site.walk is not None, f"没有 {CHROMIUM}：读者路径需要系统 Chromium")
    code, out = built_site.walk.result()
    assert code == 0, f"reader_walk.py 失败：\n{out[-4000:]}"
    walk = json.loads(out.strip().splitlines()[-1])
    expected = _nav_urls()
    assert walk["pages"] == expected, (
        f"点「下一页」没有按导航的顺序走到每一页：\n走到的：{walk['pages']}\n导航里的：{expected}"
    )
    assert walk["schemes"] == {"default": len(expected), "slate": len(expected)}, walk["schemes"]
    assert walk["formulas"] > 1000, f"只检查到 {walk['formulas']} 个公式"
    problems = walk["problems"]
    assert not problems, f"{len(problems)} 个问题：\n" + "\n".join(problems[:60])


PROBE_INDEX = """
# 探针

行内公式 $a^2 + b^2 = c^2$。

- 列表项里的独立公式（缩进正确，会被排版）：

    $$
    \\sum_{i=1}^n x_i
    $$
"""

PROBES = {
    # 公式的字符没有 MathJax 字体：即时导航删掉 CHTML 样式表时（issue 21）就是这样
    "paint.md": """
# 画不出的公式

<style>.md-typeset mjx-c { font-family: serif !important; }</style>

公式 $x + y$ 排版了，字形却不是 MathJax 的字体。
""",
    # 正文里留下 TeX 源码（在浏览器里写进去：构建检查 execbook-rawtex 不会放过写在 Markdown 里的源码）
    "rawtex.md": """
# 没排版的 TeX

<p id="late">稍后写入</p>
<script>document.getElementById("late").textContent = "源码 $$ \\\\frac{a}{b} $$ 留在正文里";</script>
""",
    # 未定义的宏（站点去掉了 noundefined，MathJax 把它标成错误）
    "macro.md": """
# 未定义的宏

公式 $\\nosuchmacro{x} + 1$。
""",
    "overflow.md": """
# 太宽的元素

<div style="width: 640px">这个块比手机屏幕宽，页面会被撑宽。</div>
""",
}


def test_reader_path_checks_can_fail(tmp_path, browser):
    """探针站点：每个探针页只应该有它那一种问题；首页（正确的公式，包括列表项里的独立公式）没有问题。"""
    port = free_port()
    site_url = local_site_url(port)
    config = mini_site(
        tmp_path,
        PROBE_INDEX,
        files={f"docs/{name}": text for name, text in PROBES.items()},
        nav=list(PROBES),
    )
    build = build_fixture_site(tmp_path, config, SITE_URL=site_url, DLNOTES_EXECUTE="never")
    assert build.returncode == 0, build.output[-3000:]
    with serve_site(build.site, site_url) as base:
        walk = walk_by_clicking(browser, base, "light", toggle=True)
    assert walk["pages"] == ["", "appendix/results/", "paint/", "rawtex/", "macro/", "overflow/"], (
        walk
    )
    assert walk["schemes"] == {"default": 6, "slate": 6}, walk["schemes"]
    by_page: dict[str, list[str]] = {}
    for p in walk["problems"]:
        by_page.setdefault(p.split(":", 1)[0], []).append(p)
    assert "" not in by_page and "appendix/results/" not in by_page, walk["problems"]
    assert any("没有 MathJax 字体" in p for p in by_page.get("paint/", [])), walk["problems"]
    assert any("TeX 源码" in p and "frac" in p for p in by_page.get("rawtex/", [])), walk[
        "problems"
    ]
    assert any("比 390 px 的屏幕宽" in p for p in by_page.get("overflow/", [])), walk["problems"]
    assert any("公式错误" in p and "nosuchmacro" in p for p in by_page.get("macro/", [])), walk[
        "problems"
    ]
    assert len(by_page) == 4, walk["problems"]
