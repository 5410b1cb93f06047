"""浏览器测试：在无头 Chromium（Playwright + 系统 Chromium）里打开构建好的站点的每一页。

每页检查：没有控制台错误、没有失败的请求、没有离开本地服务器的请求、每个公式都由 MathJax
渲染且没有错误或未定义的宏、没有坏图。另外检查即时导航后公式仍然渲染（并且画出来了），以及中文搜索。
站点在它自己的地址（site_url 的路径 /d2l-notes/）上提供，即时导航是打开的；从首页一路点到最后一页的检查在
test_reader_path.py。
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from reader import PAINT_JS


def site_pages(site: Path) -> list[str]:
    pages = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if rel.startswith("assets") or rel.startswith("search"):
            continue
        pages.append("" if rel == "." else rel + "/")
    return pages


MATH_ERRORS_JS = """
() => {
  const out = [];
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.document) return out;
  for (const item of MathJax.startup.document.math) {
    const root = item.typesetRoot;
    const err = root && root.querySelector && root.querySelector('mjx-merror');
    if (err) out.push({tex: item.math, error: err.getAttribute('data-mjx-error') || err.textContent});
  }
  return out;
}
"""


def _source_line(page_url: str, tex: str) -> str:
    """在页面源文件中找出公式所在的行（找不到就只给页面）。"""
    stem = page_url.rstrip("/") or "index"
    for cand in (REPO / "docs" / f"{stem}.md", REPO / "docs" / stem / "index.md"):
        if cand.exists():
            needle = tex.strip().split("\n")[0][:40]
            for i, line in enumerate(cand.read_text(encoding="utf-8").split("\n"), start=1):
                if needle and needle in line:
                    return f"docs/{cand.relative_to(REPO / 'docs').as_posix()}:{i}"
            return f"docs/{cand.relative_to(REPO / 'docs').as_posix()}"
    return page_url


class PageVisit:
    def __init__(self, page, base):
        self.page, self.base = page, base
        self.console, self.failed, self.external, self.bad_status = [], [], [], []
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on(
            "response",
            lambda r: self.bad_status.append(f"{r.url} → {r.status}") if r.status >= 400 else None,
        )
        page.on(
            "request",
            lambda r: (
                self.external.append(r.url)
                if not (
                    r.url.startswith(base) or r.url.startswith("data:") or r.url.startswith("blob:")
                )
                else None
            ),
        )


def _wait_typeset(page, min_count=1):
    page.wait_for_function(f"(window.dlTypesetCount || 0) >= {min_count}", timeout=30000)


def test_every_page_loads_clean_with_rendered_math(server, browser, built_site):
    pages = site_pages(built_site.site)
    assert len(pages) > 40, pages
    problems: list[str] = []
    ctx = browser.new_context()
    for url in pages:
        page = ctx.new_page()
        visit = PageVisit(page, server)
        page.goto(server + url, wait_until="load")
        try:
            _wait_typeset(page)
        except Exception:
            problems.append(f"{url}: MathJax 没有完成排版")
        errors = page.evaluate(MATH_ERRORS_JS)
        for e in errors:
            problems.append(
                f"{_source_line(url, e['tex'])}: 公式错误 {e['error']!r}：{e['tex'][:120]!r}"
            )
        unrendered = page.evaluate(
            "() => Array.from(document.querySelectorAll('.arithmatex'))"
            ".filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.slice(0, 80))"
        )
        for tex in unrendered:
            problems.append(
                f"{_source_line(url, tex.strip(chr(92) + '()[]'))}: 公式没有被渲染：{tex!r}"
            )
        broken_imgs = page.evaluate(
            "() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        problems += [f"{url}: 坏图 {src}" for src in broken_imgs]
        problems += [f"{url}: 控制台错误 {m}" for m in visit.console]
        problems += [f"{url}: 请求失败 {m}" for m in visit.failed + visit.bad_status]
        problems += [f"{url}: 离开站点的请求 {m}" for m in visit.external]
        page.close()
    ctx.close()
    assert not problems, f"{len(problems)} 个问题：\n" + "\n".join(problems[:80])


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
