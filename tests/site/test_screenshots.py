"""README 的截图：从浏览器测试构建的站点中截取读者能看到的新元素（issue 13）。

夹具 server 与 browser 来自 tests/conftest.py。每个元素都必须存在、可见（否则测试失败）；设置 ``DLNOTES_SCREENSHOTS=目录`` 时把截图写进去，
README 用的是 ``docs/assets/readme-*.png``：

    DLNOTES_SCREENSHOTS=docs/assets python -m pytest tests/site/test_screenshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# (截图名, 页面, CSS 选择器, 元素中必须出现的文字)
SHOTS = [
    (
        "page-meta",
        "chapter_linear-networks/linear-regression-impl/",
        ".dl-page-meta",
        "下载本页 notebook",
    ),
    (
        "page-history",
        "chapter_linear-networks/linear-regression-impl/",
        "aside.md-source-file",
        "年",  # 本地化的日期，例如「2026年11月29日」
    ),
    ("build-report", "appendix/build-report/", "article.md-content__inner", "各页"),
    (
        "colab",
        "chapter_linear-networks/linear-regression-impl/",
        ".dl-page-meta a.dl-colab",
        "在 Colab 中运行",
    ),
    # 构建检查：页面上的陈述由它下面折叠着的代码检查
    ("check", "chapter_multilayer-perceptrons/environment/", "details.success", "构建检查"),
    # 图中的中文（字形以路径写进 SVG，所以只检查图在、可见）
    ("chinese-figure", "chapter_multilayer-perceptrons/mlp/", ".dl-figure", ""),
]
MAX_HEIGHT = 720  # 长的元素（构建报告的表格）只截上面这一段


@pytest.mark.parametrize(("name", "url", "selector", "text"), SHOTS, ids=[s[0] for s in SHOTS])
def test_readme_element(server, browser, name, url, selector, text):
    page = browser.new_page(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
    try:
        page.goto(server + url, wait_until="load")
        el = page.locator(selector).first
        assert el.count() == 1, f"{url}：找不到 {selector}"
        el.scroll_into_view_if_needed()
        assert el.is_visible(), f"{url}：{selector} 不可见"
        assert text in el.inner_text(), f"{url}：{selector} 中没有「{text}」"
        out = os.environ.get("DLNOTES_SCREENSHOTS")
        if out:
            box = el.bounding_box()
            path = Path(out) / f"readme-{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            if box["height"] > MAX_HEIGHT:
                page.set_viewport_size({"width": 1100, "height": MAX_HEIGHT + 40})
                el.evaluate("e => e.scrollIntoView({block: 'start'})")
                box = el.bounding_box()
                page.screenshot(path=str(path), clip={**box, "height": MAX_HEIGHT})
            else:
                el.screenshot(path=str(path))
            assert path.stat().st_size > 1000
    finally:
        page.close()
