"""浏览器测试：在无头 Chromium（Playwright + 系统 Chromium）里检查即时导航后公式仍然渲染（并且画出来了），
以及中文搜索。站点在它自己的地址（site_url 的路径 /d2l-notes/）上提供，即时导航是打开的。

每一页的检查（没有控制台错误、没有失败的或离开站点的请求、每个公式都排了版、画出来了、没有公式错误或
未定义的宏、没有坏图、没有 TeX 源码、不比手机屏幕宽）在 test_reader_path.py：它像读者一样从首页一路点
「下一页」走到最后一页（以前这里每页单独打开一次，每次都重新加载 MathJax，慢得多，也走不到读者的路径）。
"""

from __future__ import annotations

import pytest

from reader import MATH_ERRORS_JS, PAINT_JS, PageVisit


def _wait_typeset(page, min_count=1):
    page.wait_for_function(f"(window.dlTypesetCount || 0) >= {min_count}", timeout=30000)


def test_math_renders_after_instant_navigation(server, browser):
    page = browser.new_page()
    visit = PageVisit(page, server)
    page.goto(server + "chapter_linear-networks/linear-regression/")
    _wait_typeset(page, 1)
    before = page.evaluate("window.dlTypesetCount")
    page.evaluate("() => { window.__marker = 'same-document'; }")
    link = page.locator("a[href$='softmax-regression/']").first
    link.click()
    page.wait_for_url("**/softmax-regression/")
    _wait_typeset(page, before + 1)
    assert page.evaluate("window.__marker") == "same-document", "导航不是即时导航（整页重新加载了）"
    n_math = page.locator(".arithmatex").count()
    n_rendered = page.locator(".arithmatex mjx-container").count()
    assert n_math > 5 and n_rendered == n_math, f"即时导航后只渲染了 {n_rendered}/{n_math} 个公式"
    # 不只是排了版：字形画出来了（MathJax 的字体与 CHTML 样式表的规则还在，issue 21）
    paint = page.evaluate(PAINT_JS)
    assert paint["total"] > 5 and not paint["bad"], paint
    assert page.evaluate(MATH_ERRORS_JS) == []
    assert not visit.console and not visit.external
    page.close()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("梯度下降", "chapter_linear-networks/linear-regression/"),
        ("交叉熵", "chapter_linear-networks/softmax-regression/"),
        ("暂退法", "chapter_multilayer-perceptrons/dropout/"),
        ("卷积", "chapter_convolutional-neural-networks/"),
    ],
)
def test_chinese_search(server, browser, query, expected):
    page = browser.new_page()
    page.goto(server)
    page.click("input.md-search__input")
    page.fill("input.md-search__input", query)
    page.press("input.md-search__input", "End")  # Material 在按键事件上触发搜索
    page.wait_for_selector(".md-search-result__item", timeout=30000)
    hrefs = page.eval_on_selector_all(".md-search-result__item > a", "els => els.map(e => e.href)")[
        :5
    ]
    assert any(expected in h for h in hrefs), (
        f"搜索「{query}」的前 5 个结果里没有 {expected}：{hrefs}"
    )
    page.close()
