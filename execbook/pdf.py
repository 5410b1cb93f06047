"""整个站点的 PDF：用无头 Chromium 打印构建好的每一页，再用 pypdf 合并成一本书。

``python -m execbook.pdf [site] [-o site/d2l-notes.pdf]``（先 ``mkdocs build``）。

为什么这样做（也见 CONTRIBUTING.md「PDF」）：

- 打印的是**发布的那一页**：代码块的输出在执行插件的 ``on_post_page`` 才放进页面，把 ``page.content``
  拼成一页的打印插件（mkdocs-print-site-plugin）看不到它们；这里打开构建好的 HTML，输出、公式、图都在。
- 公式由站点自带的 MathJax 在浏览器里排好（等 ``body[data-mathjax="done"]``）再打印，PDF 里是字形，不是 TeX。
- 中文字体：Chromium 通过 fontconfig 找字体；机器上没有中文字体时（``fc-list :lang=zh`` 为空），这里写一个
  fontconfig 文件（``FONTCONFIG_FILE``），加入 PyPI 包 mplfonts 自带的 Noto Sans CJK SC（与图中的中文同一个
  文件，``execbook/fonts.py``）。Chromium 打印时把用到的字形子集嵌入 PDF。不下载任何东西。
- 每页单独打印（Material 的打印样式去掉导航、页眉页脚），pypdf 合并，按导航加书签，前面加一页目录
  （页码 = PDF 阅读器里的页码）。
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import functools
import html
import http.server
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .fonts import font_path
from .mkdocs_config import load as load_mkdocs_yml
from .paths import REPO_ROOT

PDF_NAME = "d2l-notes.pdf"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# 打印时的额外样式：折叠的输出与检查展开（details 在打印前打开）、长代码行折行而不是被裁掉、
# 图不跨页、表格与公式不超出纸宽
PRINT_CSS = """
@media print {
  .md-typeset pre > code { white-space: pre-wrap; overflow-wrap: anywhere; }
  .md-typeset .dl-figure, .md-typeset img { break-inside: avoid; }
  .md-typeset table:not([class]) { display: table; font-size: .62rem; }
  .md-typeset .md-typeset__scrollwrap, .md-typeset .md-typeset__table { overflow: visible; }
  mjx-container[display="true"] { overflow: visible !important; }
}
"""
PAGE_TIMEOUT_MS = 60_000


@dataclass
class NavPage:
    url: str  # 相对站点根目录，如 "chapter_preliminaries/ndarray/"
    src: str  # docs/ 下的源文件
    sections: tuple[str, ...]  # 所在的导航分组（章）


@dataclass
class PdfReport:
    path: Path
    pages: int
    size: int
    seconds: float
    printed: list[tuple[str, int]] = field(default_factory=list)  # (页面, PDF 页数)

    def summary(self) -> str:
        return (
            f"PDF：{self.path}（{len(self.printed)} 个页面，共 {self.pages} 页，"
            f"{self.size / 1e6:.1f} MB，{self.seconds:.0f} 秒）"
        )


def src_to_url(src: str) -> str:
    """docs/ 下的源文件 → 构建后的目录式地址（``use_directory_urls``）。"""
    stem = src.rsplit(".", 1)[0]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def nav_pages(config: Path | None = None) -> list[NavPage]:
    """mkdocs.yml 的导航顺序（PDF 的页序与书签）。"""
    cfg = load_mkdocs_yml(config or REPO_ROOT / "mkdocs.yml")
    out: list[NavPage] = []

    def walk(items, sections):
        for item in items:
            if isinstance(item, str):
                out.append(NavPage(src_to_url(item), item, sections))
            elif isinstance(item, dict):
                for title, value in item.items():
                    if isinstance(value, list):
                        walk(value, (*sections, title))
                    elif isinstance(value, str) and "://" not in value:
                        out.append(NavPage(src_to_url(value), value, sections))

    walk(cfg.get("nav") or [], ())
    return out


def has_cjk_font() -> bool:
    """fontconfig 是否已经有简体中文字体（``fc-list :lang=zh``）。"""
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


def fontconfig_file(workdir: Path) -> Path | None:
    """写一个 fontconfig 文件：系统的设置 + mplfonts 的 Noto Sans CJK SC（只这一个文件）。

    没有安装 mplfonts 时返回 None（那时只能用系统字体）。
    """
    font = font_path()
    if font is None:
        return None
    fonts = workdir / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    link = fonts / font.name
    if not link.exists():
        link.symlink_to(font)
    conf = workdir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{html.escape(str(fonts))}</dir>\n"
        f"  <cachedir>{html.escape(str(workdir / 'fontcache'))}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site: Path):
    """在本机的一个空闲端口上提供 site（MathJax 的字体与脚本按站点地址加载）。"""
    handler = functools.partial(_QuietHandler, directory=str(site))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}/"
    finally:
        srv.shutdown()
        srv.server_close()


def _print_page(page, url: str, out: Path) -> None:
    page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(
        "document.body.getAttribute('data-mathjax') === 'done'"
        " || document.body.getAttribute('data-mathjax') === 'error'",
        timeout=PAGE_TIMEOUT_MS,
    )
    state = page.evaluate("document.body.getAttribute('data-mathjax')")
    if state != "done":
        raise RuntimeError(f"{url}: MathJax 排版失败（data-mathjax={state}）")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.add_style_tag(content=PRINT_CSS)
    page.pdf(
        path=str(out),
        format="A4",
        print_background=True,
        margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
    )


def _toc_html(title: str, entries: list[tuple[int, str, int]], date: str) -> str:
    rows = []
    for level, text, page_no in entries:
        rows.append(
            f'<div class="l{level}"><span>{html.escape(text)}</span>'
            f'<span class="dots"></span><span>{page_no}</span></div>'
        )
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
body {{ font-family: sans-serif; margin: 0; color: #222; }}
h1 {{ font-size: 26pt; margin: 60mm 0 6mm; }}
.sub {{ color: #555; font-size: 11pt; margin-bottom: 4mm; }}
.cover {{ page-break-after: always; }}
h2 {{ font-size: 16pt; }}
div.l0, div.l1 {{ display: flex; font-size: 10.5pt; line-height: 1.7; }}
div.l0 {{ font-weight: bold; margin-top: 2mm; }}
div.l1 {{ padding-left: 6mm; }}
.dots {{ flex: 1; border-bottom: 1px dotted #999; margin: 0 2mm 1.2mm; }}
</style></head><body>
<section class="cover"><h1>{html.escape(title)}</h1>
<div class="sub">站点全文：每个页面的正文、代码、运行输出、公式与图。</div>
<div class="sub">生成于 {html.escape(date)}（<code>python -m execbook.pdf</code>）</div></section>
<h2>目录</h2>
{"".join(rows)}
</body></html>"""


def build_pdf(
    site: Path,
    out: Path | None = None,
    *,
    config: Path | None = None,
    base_url: str | None = None,
    log=print,
) -> PdfReport:
    """打印 ``site`` 的每一页（导航顺序）并合并成 ``out``（默认 ``site/d2l-notes.pdf``）。"""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    start = time.perf_counter()
    site = Path(site).resolve()
    out = Path(out) if out else site / PDF_NAME
    pages = [p for p in nav_pages(config) if (site / p.url / "index.html").is_file()]
    missing = [p.src for p in nav_pages(config) if not (site / p.url / "index.html").is_file()]
    if missing:
        raise FileNotFoundError(f"{site} 里缺少这些页面（先 mkdocs build）：{', '.join(missing)}")
    cfg = load_mkdocs_yml(config or REPO_ROOT / "mkdocs.yml")
    title = cfg.get("site_name") or "d2l-notes"

    with tempfile.TemporaryDirectory(prefix="execbook-pdf-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ)
        if not has_cjk_font():
            conf = fontconfig_file(tmp)
            if conf is not None:
                env["FONTCONFIG_FILE"] = str(conf)
        printed: list[tuple[NavPage, Path, int, str]] = []
        with sync_playwright() as pw, serve(site) as local:
            base = base_url or local
            browser = pw.chromium.launch(
                executable_path=CHROMIUM if Path(CHROMIUM).exists() else None,
                args=CHROMIUM_ARGS,
                env=env,
            )
            try:
                ctx = browser.new_context(locale="zh-CN")
                page = ctx.new_page()
                for i, nav in enumerate(pages):
                    part = tmp / f"{i:03d}.pdf"
                    _print_page(page, base + nav.url, part)
                    h1 = page.evaluate(
                        "(document.querySelector('.md-content h1') || {}).textContent || document.title"
                    )
                    n = len(PdfReader(part).pages)
                    printed.append((nav, part, n, h1.strip().rstrip("¶").strip()))
                    log(f"  {nav.src}: {n} 页")
                # 目录：先估计目录自己占几页，算出每一页的起始页码
                date = _dt.date.today().isoformat()
                toc_pages = 2
                for _ in range(3):
                    entries, page_no, seen = [], toc_pages + 1, None
                    for nav, _part, n, h1 in printed:
                        if nav.sections and nav.sections[0] != seen:
                            seen = nav.sections[0]
                            entries.append((0, seen, page_no))
                        entries.append((1 if nav.sections else 0, h1, page_no))
                        page_no += n
                    page.set_content(_toc_html(title, entries, date), wait_until="load")
                    toc_file = tmp / "toc.pdf"
                    page.pdf(
                        path=str(toc_file),
                        format="A4",
                        margin={"top": "18mm", "bottom": "18mm", "left": "20mm", "right": "20mm"},
                    )
                    actual = len(PdfReader(toc_file).pages)
                    if actual == toc_pages:
                        break
                    toc_pages = actual
                ctx.close()
            finally:
                browser.close()

        writer = PdfWriter()
        writer.append(str(toc_file))
        parents: dict[str, object] = {}
        page_index = toc_pages
        for nav, part, n, h1 in printed:
            writer.append(str(part))
            parent = None
            if nav.sections:
                key = nav.sections[0]
                if key not in parents:
                    parents[key] = writer.add_outline_item(key, page_index)
                parent = parents[key]
            writer.add_outline_item(h1, page_index, parent=parent)
            page_index += n
        writer.add_metadata({"/Title": title, "/Creator": "execbook.pdf (Chromium + pypdf)"})
        writer.compress_identical_objects(remove_identicals=True, remove_orphans=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp_out = out.with_name(f".{out.name}.tmp")
        with tmp_out.open("wb") as fh:
            writer.write(fh)
        os.replace(tmp_out, out)

    return PdfReport(
        path=out,
        pages=page_index,
        size=out.stat().st_size,
        seconds=time.perf_counter() - start,
        printed=[(nav.src, n) for nav, _p, n, _h in printed],
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m execbook.pdf",
        description="把构建好的站点（mkdocs build 的输出）打印成一本 PDF：每页的输出、公式、图与中文字体都在里面。",
    )
    ap.add_argument("site", nargs="?", default="site", help="构建好的站点目录（默认 site）")
    ap.add_argument(
        "-o", "--out", default=None, help=f"PDF 的路径（默认 <site>/{PDF_NAME}，随站点发布）"
    )
    ap.add_argument("--config", default=None, help="mkdocs.yml（导航顺序；默认仓库里的）")
    args = ap.parse_args(argv)
    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"{site}/index.html 不存在：先运行 mkdocs build", file=sys.stderr)
        return 1
    report = build_pdf(site, args.out and Path(args.out), config=args.config and Path(args.config))
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
