"""整本书的 PDF（execbook/reports/pdf.py）中不需要浏览器的部分：页序、拼接时的改写、字体配置。
打印本身由慢的一层 tests/site/test_pdf.py 测。"""

from __future__ import annotations

from execbook.reports import pdf


def test_source_files_map_to_directory_urls():
    assert pdf.src_to_url("index.md") == ""
    assert pdf.src_to_url("chapter_x/index.md") == "chapter_x/"
    assert pdf.src_to_url("chapter_x/page.md") == "chapter_x/page/"
    assert pdf.src_to_url("chapter_x/nb.ipynb") == "chapter_x/nb/"


def test_nav_order_covers_every_page_with_its_chapter():
    pages = pdf.nav_pages()
    assert pages[0].url == "" and pages[0].sections == ()
    assert len({p.url for p in pages}) == len(pages) > 40
    ndarray = next(p for p in pages if p.src == "chapter_preliminaries/ndarray.md")
    assert ndarray.sections == ("预备知识",) and ndarray.slug == "p-chapter_preliminaries--ndarray"


def test_articles_are_rewritten_to_live_in_one_document():
    page = pdf.NavPage("chapter_a/one/", "chapter_a/one.md", ("第一章",))
    other = pdf.NavPage("chapter_b/two/", "chapter_b/two.md", ("第二章",))
    pages = {p.url: p for p in (page, other)}
    article = (
        '<h2 id="intro">引言</h2><a href="#intro">¶</a><sup id="fnref:1"><a href="#fn:1">1</a></sup>'
        '<a href="../../chapter_b/two/#sec">下一页</a><img src="../img/a.svg">'
        '<a href="../../chapter_a/one.ipynb">下载</a><a href="https://example.org/x">外链</a>'
        '<input id="__tabbed_1_1" name="__tabbed_1" type="radio"><label for="__tabbed_1_1">甲</label>'
        '<svg><defs><path id="glyph-1"/></defs><use xlink:href="#glyph-1"/></svg>'
    )
    out = pdf.rewrite_article(article, page, pages, "https://site.example/book/")
    slug = page.slug
    assert f'id="{slug}--intro"' in out and f'href="#{slug}--intro"' in out  # 各页的锚点不冲突
    assert f'href="#{slug}--fn:1"' in out and f'id="{slug}--fnref:1"' in out
    assert f'href="#{other.slug}--sec"' in out  # 站内页面 → 文档内的跳转
    assert 'src="chapter_a/img/a.svg"' in out  # 资源：站点根目录下的路径
    assert 'href="https://site.example/book/chapter_a/one.ipynb"' in out  # 下载：发布的站点
    assert 'href="https://example.org/x"' in out
    assert f'name="{slug}--__tabbed_1"' in out and f'for="{slug}--__tabbed_1_1"' in out
    # matplotlib 的字形与裁剪路径在 SVG 内部互相引用：原样保留
    assert '<path id="glyph-1"/>' in out and 'xlink:href="#glyph-1"' in out


def test_fontconfig_file_adds_the_mplfonts_cjk_font(tmp_path):
    conf = pdf.fontconfig_file(tmp_path)
    assert conf is not None, "没有安装 mplfonts（requirements.txt 里有）"
    text = conf.read_text(encoding="utf-8")
    assert "<include" in text and "/etc/fonts/fonts.conf" in text
    (font,) = (tmp_path / "fonts").iterdir()
    assert font.name == "NotoSansCJKsc-Regular.otf" and font.resolve().is_file()
    assert f"<dir>{tmp_path / 'fonts'}</dir>" in text
