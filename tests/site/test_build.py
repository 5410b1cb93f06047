"""严格构建：`mkdocs build --strict` 必须干净地通过，并打印执行摘要。"""

from __future__ import annotations

import json
import re

from conftest import REPO, mkdocs_config, nav_pages


def test_strict_build_passes(built_site):
    assert built_site.returncode == 0, "mkdocs build --strict 失败：\n" + built_site.output[-6000:]


def test_build_writes_execution_summary(built_site):
    """构建写摘要 JSON（接口 3），并打印由它生成的一行摘要。"""
    summary = built_site.summary
    assert summary is not None, "构建没有写 build-summary.json：\n" + built_site.output[-3000:]
    assert summary["version"] == 1
    t = summary["totals"]
    assert t["failed"] == 0
    assert t["ran"] + t["replayed"] + t["cached"] > 100, (
        "执行的代码块太少——页面里的代码块没有被执行？"
    )
    pages = {p["page"]: p for p in summary["pages"]}
    assert "docs/chapter_linear-networks/linear-regression-impl.md" in pages
    assert sum(p["blocks"] for p in pages.values()) == sum(t.values())
    for key in ("python", "torch", "numpy", "matplotlib", "device", "data"):
        assert key in summary["environment"]
    assert (
        f"运行 {t['ran'] + t['replayed']} 块（其中 {t['replayed']} 块为恢复内核状态重跑），"
        f"取自缓存 {t['cached']} 块，跳过 {t['skipped']} 块，失败 {t['failed']} 块"
        in built_site.output
    ), "构建输出里没有由摘要生成的一行摘要：\n" + built_site.output[-3000:]


def test_every_nav_page_is_built(built_site):
    pages = nav_pages(mkdocs_config())
    assert len(pages) > 40
    for src in pages:
        stem = src.rsplit(".", 1)[0]
        out = (
            built_site.site
            / (stem.removesuffix("index") if stem.endswith("index") else stem + "/")
            / "index.html"
        )
        assert out.exists(), f"导航中的 {src} 没有生成页面（{out}）"


def test_code_pages_offer_notebook_download(built_site):
    html = (
        built_site.site / "chapter_linear-networks" / "linear-regression-impl" / "index.html"
    ).read_text(encoding="utf-8")
    assert "下载本页 notebook" in html
    nb = built_site.site / "chapter_linear-networks" / "linear-regression-impl.ipynb"
    assert nb.exists(), "页面的 notebook 下载文件没有生成"
    import nbformat

    notebook = nbformat.read(nb, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and any(c.outputs for c in code), "下载的 notebook 没有代码或输出"


def test_mathjax_is_served_by_the_site(built_site):
    assert (built_site.site / "assets" / "mathjax" / "tex-chtml.js").exists()
    fonts = built_site.site / "assets" / "mathjax" / "fonts" / "mathjax-newcm-font" / "chtml"
    assert list((fonts / "woff2").glob("*.woff2")) and list((fonts / "dynamic").glob("*.js"))
    assert (
        built_site.site / "assets" / "mathjax" / "input" / "tex" / "extensions" / "noundefined.js"
    ).exists()
    index = (built_site.site / "index.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in index and "fonts.googleapis" not in index and "unpkg" not in index


def test_results_page_is_generated_from_recorded_runs(built_site):
    html = (built_site.site / "appendix" / "results" / "index.html").read_text(encoding="utf-8")
    assert "没有执行记录" not in html and "dlnotes:results-table" not in html
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = body.count("<tr>")
    assert rows >= 12, f"实验结果表只有 {rows} 行"
    for model in ("LeNet", "ResNet", "softmax", "多层感知机"):
        assert model in body, f"实验结果表里没有 {model}"
    # 每行写明数据；默认构建用完整数据集，离线样本不会悄悄混进来
    assert "数据 A" in html and "Fashion-MNIST 完整数据集" in html
    assert "离线样本" not in html and "**样本" not in body
    assert "0.779" in body  # d2l-zh 发布的 LeNet 结果（6.6 节）作为对照


def test_glossary_and_reflections_are_generated(built_site):
    glossary = (built_site.site / "appendix" / "glossary" / "index.html").read_text(
        encoding="utf-8"
    )
    assert (
        glossary.count('<tr id="term-') > 80 and "暂退法" in glossary and "dlnotes:glossary" not in glossary
    )
    refl = (built_site.site / "appendix" / "reflections" / "index.html").read_text(encoding="utf-8")
    assert refl.count("学习感悟") >= 3 and "dlnotes:reflections" not in refl


def test_errata_page_lists_every_fix_footnote(built_site):
    """「勘误与说明」页由脚注生成：条目数不少于全站的更正脚注数，每条链接回正文里的脚注引用。"""
    fixes = sum(
        len(re.findall(r"^\[\^[^\]]+\]: \*\*更正\*\*\{ \.fn-fix \}", p.read_text("utf-8"), re.M))
        for p in (REPO / "docs").rglob("*.md")
    )
    page = (built_site.site / "appendix" / "errata" / "index.html").read_text(encoding="utf-8")
    article = page[page.index("<article") : page.index("</article>")]
    assert "dlnotes:errata" not in page
    assert fixes >= 40 and len(re.findall(r'href="[^"]+#fnref:', article)) >= fixes


def test_search_index_has_no_tex_source_and_indexes_the_glossary_by_row(built_site):
    """搜索结果里不出现 \\( \\) \\[ \\]（公式编成文字），搜到一个术语只显示术语表的那一行（issue 21）。"""
    index = json.loads((built_site.site / "search" / "search_index.json").read_text("utf-8"))
    with_tex = [
        d["location"] for d in index["docs"] if re.search(r"\\[()\[\]]", d["title"] + d["text"])
    ]
    assert not with_tex, f"搜索索引里有 TeX 定界符：{with_tex[:10]}"
    rows = [d for d in index["docs"] if d["location"].startswith("appendix/glossary/#term-")]
    html = (built_site.site / "appendix" / "glossary" / "index.html").read_text("utf-8")
    assert len(rows) > 100 and len(rows) == html.count('<tr id="term-'), len(rows)
    page = next(d for d in index["docs"] if d["location"] == "appendix/glossary/")
    assert len(page["text"]) < 2000, "术语表整张表还在一个搜索结果里"
    assert any(d["title"].replace("\u200b", "").startswith("暂退法") for d in rows)


def test_ui_strings_are_chinese(built_site):
    """界面文字用中文：permalink 与脚注回链的标题、notebook 的复制按钮（issue 21）。"""
    english = ("Permanent link", "Jump back to footnote", "Copy to Clipboard", ">Copied!<")
    found = {}
    for page in built_site.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for s in english:
            if s in html:
                found.setdefault(s, page.relative_to(built_site.site).as_posix())
    assert not found, f"英文界面文字：{found}"
    html = (built_site.site / "chapter_multilayer-perceptrons" / "weight-decay" / "index.html").read_text(
        encoding="utf-8"
    )
    assert 'title="本节的固定链接"' in html and 'title="回到正文中脚注 1 的位置"' in html
