"""附录「勘误与说明」（issue 23）：由各页面的更正与说明脚注在构建时生成，每一条链接回正文引用处。"""

from __future__ import annotations

import re
import textwrap

from conftest import REPO, build_fixture_site, mini_site
from execbook.mkdocs_config import load as load_mkdocs_yml
from execbook.reports import errata

FIX_PAGE = textwrap.dedent(
    """\
    # 线性回归

    ## 解析解

    正规方程是 $\\mathbf{w}^*=(\\mathbf{X}^\\top\\mathbf{X})^{-1}\\mathbf{X}^\\top\\mathbf{y}$[^fix-t]。

    ## 小结

    线性回归有显式解[^fix-explicit]，细节见[上一节](#解析解)[^own]。

    ## 批量规范化

    学习率与 LeNet 相同[^book]。

    [^fix-t]: **更正**{ .fn-fix }：原笔记（笔记三）写作「少了转置的正规方程」，应为 $\\mathbf{X}^\\top\\mathbf{y}$。
    [^fix-explicit]: **更正**{ .fn-fix }：原笔记（笔记五）写作「线性回归有显示解」，见 [术语表](../appendix/glossary.md)。
    [^own]: **说明**{ .fn-note }：这里原先写着另一句话（只讲本站自己的写法，不进勘误页）。
    [^book]: **说明**{ .fn-note }：d2l-zh 此处说「主要区别在于学习率大得多」，但两处学习率相同。

    ## 来源

    笔记三。
    """
)

PLAIN_PAGE = "# 没有脚注的页面\n\n正文。\n\n## 来源\n\n笔记一。\n"


def test_a_fix_footnote_becomes_an_entry_with_its_link(tmp_path):
    docs = tmp_path / "docs"
    (docs / "chapter").mkdir(parents=True)
    (docs / "chapter" / "lr.md").write_text(FIX_PAGE, encoding="utf-8")
    found = errata.collect(docs, ["chapter/lr.md"])
    assert [(e.fid, e.kind, e.section, e.anchor) for e in found] == [
        ("fix-t", "更正", "解析解", "fnref:fix-t"),
        ("fix-explicit", "更正", "小结", "fnref:fix-explicit"),
        ("book", "说明", "批量规范化", "fnref:book"),
    ]
    # 没有被引用的脚注链接到脚注本身（严格构建不允许这种脚注，这里只检查回退）
    assert errata.page_errata("x.md", FIX_PAGE.replace("[^book]。", "。"))[-1].anchor == "fn:book"
    assert found[0].sources == ["笔记三"] and found[0].quote == "少了转置的正规方程"
    assert found[2].sources == ["d2l-zh（原书）"] and found[2].quote == "主要区别在于学习率大得多"
    md = errata.errata_markdown(found, "appendix/errata.md")
    assert (
        "## 更正：改正了笔记的错误（2 处）" in md
        and "## 说明：与笔记或原书不同的取舍（1 处）" in md
    )
    assert "- [解析解](../chapter/lr.md#fnref:fix-t) · 笔记三 · 原文「少了转置的正规方程」" in md
    assert "### [线性回归](../chapter/lr.md)" in md
    # 脚注里相对于原页面的链接改写成相对于勘误页的链接
    assert "[术语表](glossary.md)" in md and "../appendix/glossary.md" not in md
    assert "这里原先写着" not in md  # 与来源无关的说明不收


def test_a_page_without_footnotes_adds_nothing(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lr.md").write_text(FIX_PAGE, encoding="utf-8")
    (docs / "plain.md").write_text(PLAIN_PAGE, encoding="utf-8")
    assert errata.collect(docs, ["plain.md"]) == []
    with_plain = errata.errata_markdown(errata.collect(docs, ["lr.md", "plain.md"]), "e.md")
    assert with_plain == errata.errata_markdown(errata.collect(docs, ["lr.md"]), "e.md")
    assert "plain.md" not in with_plain


def test_the_site_lists_every_fix_footnote():
    """真实的 docs/：勘误页的条目数不少于全站的更正脚注数，每条都链接回一个真实页面的引用处。"""
    nav = load_mkdocs_yml(REPO / "mkdocs.yml")["nav"]
    assert "appendix/errata.md" in errata.nav_pages(nav), "勘误与说明页不在导航里"
    fixes = sum(
        len(
            re.findall(
                r"^\[\^[^\]]+\]: \*\*更正\*\*\{ \.fn-fix \}", p.read_text(encoding="utf-8"), re.M
            )
        )
        for p in (REPO / "docs").rglob("*.md")
    )
    found = errata.collect(REPO / "docs", errata.nav_pages(nav))
    assert fixes >= 40 and sum(e.kind == "更正" for e in found) >= fixes
    md = errata.errata_markdown(found, "appendix/errata.md")
    assert md.count("#fnref:") >= fixes


def test_the_build_fills_the_errata_page_with_working_links(tmp_path):
    """端到端：严格构建（锚点也校验）把占位注释换成勘误表，条目链接到页面中脚注引用的锚点。"""
    config = mini_site(
        tmp_path,
        FIX_PAGE.replace("../appendix/glossary.md", "appendix/results.md"),
        files={
            "docs/appendix/errata.md": "# 勘误与说明\n\n<!-- dlnotes:errata -->\n\n## 来源\n\n生成。\n",
            "docs/plain.md": PLAIN_PAGE,
        },
        nav=["plain.md", "appendix/errata.md"],
    )
    build = build_fixture_site(tmp_path, config)
    assert build.returncode == 0, build.output[-3000:]
    page = (tmp_path / "site" / "appendix" / "errata" / "index.html").read_text(encoding="utf-8")
    assert "dlnotes:errata" not in page
    assert 'href="../..#fnref:fix-t"' in page or 'href="../../#fnref:fix-t"' in page, page[-4000:]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'id="fnref:fix-t"' in index  # 链接的目标存在
    assert "plain/#" not in page  # 没有脚注的页面没有条目
