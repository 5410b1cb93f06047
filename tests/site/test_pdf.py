"""整本书的 PDF（``python -m execbook pdf``）：用会话共用的严格构建打印一次（构建一完成就在后台开始，
见 tests/conftest.py 的 ``PdfJob``），然后检查读者会注意到的东西。

- 每一章、每一页都在（导航里每页的一级标题都出现在 PDF 的文字里）；
- 代码块的输出在（每页第一段文字输出的第一行出现在 PDF 里）；
- 公式排好了：PDF 的文字里 TeX 命令（``\\frac``、``\\mathbf``……）与 ``$$`` 出现的次数不多于构建出的页面里
  代码（``<code>``/``<pre>``，例如 LaTeX 速查页教的写法）中出现的次数——多出来的就是没排版的公式；
- 字体都嵌入了：每个字体要么带字体文件（FontFile2/FontFile3），要么是自带字形的 Type 3 字体（Chromium
  把 Noto Sans CJK SC 这样的 CFF 字体写成 Type 3），中文能从 PDF 里提取出来；
- 首页的下载链接指向这个 PDF。

打印的用时、页数与大小打印在测试输出里（``-s`` 可见），不做时间断言。
"""

from __future__ import annotations

import html as html_lib
import json
import re
import time
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import CHROMIUM, PdfJob, require

TEX_PATTERNS = [r"\frac", r"\mathbf", r"\sum", r"\begin{", r"\left", r"\hat", r"$$", r"\(", r"\["]
CODE_RE = re.compile(r"<(pre|code)\b[^>]*>(.*?)</\1>", re.S)
OUTPUT_RE = re.compile(r'<div class="language-text highlight dl-output".*?<code>(.*?)</code>', re.S)


def norm(text: str) -> str:
    """比较用的文字：NFKC（全角与兼容字符统一），去掉空白。"""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_text(path: Path) -> str:
    """PDF 的全部文字，用 PDFium（pypdfium2）提取：比纯 Python 的 pypdf 快二十倍，汉字也不会被提取成
    外形相同的康熙部首。pypdf 用来读字体与书签。"""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def strip_tags(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.fixture(scope="module")
def pdf(built_site, tmp_path_factory):
    require(
        Path(CHROMIUM).exists(),
        f"没有 {CHROMIUM}：PDF 由 Chromium 打印（apt-get install -y chromium）",
    )
    if built_site.returncode != 0:
        pytest.fail("站点构建失败，无法打印 PDF：\n" + built_site.output[-3000:])
    from pypdf import PdfReader

    from execbook.reports.pdf import PDF_NAME, nav_pages

    # 整站构建一完成，conftest 就在后台开始打印（python -m execbook pdf，站点的硬链接副本）
    job = built_site.pdf or PdfJob(built_site.site, tmp_path_factory.mktemp("pdf"))
    start = time.perf_counter()
    code, out = job.result()
    assert code == 0, f"python -m execbook pdf 失败：\n{out[-3000:]}"
    fields = json.loads(out.strip().splitlines()[-1])
    report = SimpleNamespace(**{**fields, "path": Path(fields["path"])})
    print(f"\n{out.strip().splitlines()[-2]}（测试又等了 {time.perf_counter() - start:.0f} 秒）")
    assert report.path.resolve() == (job.site / PDF_NAME).resolve()  # 默认印在站点里，随站点发布
    reader = PdfReader(report.path)
    text = pdf_text(report.path)
    return report, reader, text, nav_pages(), job.site


def test_every_chapter_and_page_is_in_the_pdf(pdf, built_site):
    report, reader, text, pages, _site = pdf
    flat = norm(text)
    missing = []
    for page in pages:
        page_html = (built_site.site / page.url / "index.html").read_text(encoding="utf-8")
        h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", page_html, re.S)
        title = norm(strip_tags(h1.group(1)).replace("¶", ""))
        if title not in flat:
            missing.append(f"{page.src}：{title}")
    chapters = {p.sections[0] for p in pages if p.sections}
    missing += [f"章：{c}" for c in chapters if norm(c) not in flat]
    assert not missing, "PDF 里找不到：\n" + "\n".join(missing)
    assert report.site_pages == len(pages) > 40
    assert report.pages > 3 * len(pages)  # 一页站点至少打印出几页 PDF（不是空白页）
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len(titles) >= len(chapters), f"书签太少：{titles[:10]}"


def test_code_outputs_are_in_the_pdf(pdf, built_site):
    _report, _reader, text, pages, _site = pdf
    flat = norm(text)
    checked, missing = 0, []
    for page in pages:
        page_html = (built_site.site / page.url / "index.html").read_text(encoding="utf-8")
        for out in OUTPUT_RE.findall(page_html):
            first = next((ln for ln in strip_tags(out).splitlines() if norm(ln)), None)
            if first is None:
                continue
            checked += 1
            if norm(first)[:60] not in flat:
                missing.append(f"{page.src}：{first[:80]!r}")
            break
    assert checked > 30, checked
    assert not missing, f"{len(missing)}/{checked} 页的输出不在 PDF 里：\n" + "\n".join(missing)


def test_formulas_are_typeset_not_tex_source(pdf, built_site):
    _report, _reader, text, pages, _site = pdf
    in_code = dict.fromkeys(TEX_PATTERNS, 0)
    for page in pages:
        page_html = (built_site.site / page.url / "index.html").read_text(encoding="utf-8")
        for _tag, body in CODE_RE.findall(page_html):
            code = strip_tags(body)
            for pat in TEX_PATTERNS:
                in_code[pat] += code.count(pat)
    extra = {pat: text.count(pat) - in_code[pat] for pat in TEX_PATTERNS}
    leaked = {pat: n for pat, n in extra.items() if n > 0}
    assert not leaked, f"PDF 里有没排版的 TeX（比页面代码中多出的次数）：{leaked}"


def test_fonts_are_embedded_and_chinese_is_extractable(pdf):
    _report, reader, text, _pages, _site = pdf
    from pypdf.generic import DictionaryObject

    fonts, not_embedded = 0, []
    seen = set()

    def visit(resources):
        nonlocal fonts
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or DictionaryObject()).get_object().values():
            ref = getattr(font, "idnum", None)
            if ref in seen:
                continue
            seen.add(ref)
            font = font.get_object()
            fonts += 1
            if font.get("/Subtype") == "/Type3":
                if not font.get("/CharProcs"):
                    not_embedded.append("Type3 没有字形")
                visit(font.get("/Resources"))
                continue
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                not_embedded.append(str(font.get("/BaseFont")))
        for xobj in (resources.get("/XObject") or DictionaryObject()).get_object().values():
            xobj = xobj.get_object()
            if xobj.get("/Subtype") == "/Form":
                visit(xobj.get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    assert fonts > 0
    assert not not_embedded, f"没有嵌入的字体：{sorted(set(not_embedded))}"
    cjk = len(re.findall(r"[\u4e00-\u9fff]", unicodedata.normalize("NFKC", text)))
    assert cjk > 50_000, f"PDF 里只提取出 {cjk} 个汉字"


def test_home_page_links_to_the_pdf(pdf, built_site):
    report, *_, site = pdf
    home = (built_site.site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+\.pdf)"', home)
    assert links, "首页没有 PDF 的下载链接"
    for link in links:  # 打印用的是站点的副本：链接在副本里指向印好的 PDF
        assert (site / link).resolve() == report.path.resolve(), link
    print(f"\nPDF {report.pages} 页，{report.size / 1e6:.1f} MB")
