"""整个站点的 PDF：把构建好的各页正文按导航顺序拼成一个文档，在无头 Chromium 里排好公式，打印一次。

``python -m execbook pdf [site] [-o site/d2l-notes.pdf]``（先 ``mkdocs build``）。

为什么这样做（也见 CONTRIBUTING.md「PDF」）：

- 拼的是**构建好的 HTML**（``site/**/index.html`` 的 ``<article>``）：代码块的输出在执行插件的
  ``on_post_page`` 才放进页面，按 ``page.content`` 拼接的打印插件（mkdocs-print-site-plugin）看不到它们；
  这里输出、图、检查、脚注都在。
- 公式由站点自带的 MathJax 排版（等 ``body[data-mathjax="done"]``）后再打印，PDF 里是字形，不是 TeX。
- 一个文档打印一次：Chromium 只为整本书嵌入一次字体子集，页码连续，按标题生成 PDF 书签
  （``outline``），站内链接变成 PDF 内的跳转。逐页打印再合并要为每页重复嵌入字体，慢几倍。
- 中文字体：Chromium 通过 fontconfig 找字体；机器上没有中文字体时（``fc-list :lang=zh`` 为空），写一个
  fontconfig 文件（``FONTCONFIG_FILE``），加入 PyPI 包 mplfonts 自带的 Noto Sans CJK SC（与图中的中文是
  同一个文件，``execbook/kernel/fonts.py``）。不下载任何东西。
"""

from __future__ import annotations

import datetime as _dt
import html
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..kernel.fonts import font_path
from ..mkdocs_config import load as load_mkdocs_yml
from ..paths import REPO_ROOT
from ..site_server import serve_site

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
TYPESET_TIMEOUT_MS = 600_000
# 打印时的样式：每页从新的一页开始；标签页的各个标签都显示（打印前在每块前面写上标签名）；
# 长代码行折行而不是被裁掉；图不跨页；宽表格与公式不被滚动框裁掉
PRINT_CSS = """
@media print {
  .execbook-print-page { break-before: page; }
  .md-typeset .tabbed-set > .tabbed-content > .tabbed-block { display: block !important; }
  .md-typeset .tabbed-set > .tabbed-labels { display: none; }
  .execbook-tab-label { font-weight: 700; margin: .8em 0 .2em; }
  .md-typeset pre > code { white-space: pre-wrap; overflow-wrap: anywhere; }
  .md-typeset .dl-figure, .md-typeset img { break-inside: avoid; }
  .md-typeset .md-typeset__scrollwrap, .md-typeset .md-typeset__table { overflow: visible; }
  .md-typeset .md-content__button, .md-typeset .headerlink { display: none; }
  mjx-container[display="true"] { overflow: visible !important; }
  .execbook-cover h1 { font-size: 2.2em; margin-top: 30vh; }
  .execbook-toc a { text-decoration: none; }
}
"""
# 打印前在浏览器里运行：展开折叠的输出与检查，把标签页的标签名写到每块前面
PREPARE_JS = """
() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  for (const set of document.querySelectorAll('.tabbed-set')) {
    const labels = Array.from(set.querySelectorAll(':scope > .tabbed-labels > label'));
    const blocks = set.querySelectorAll(':scope > .tabbed-content > .tabbed-block');
    blocks.forEach((block, i) => {
      if (!labels[i]) return;
      const p = document.createElement('p');
      p.className = 'execbook-tab-label';
      p.textContent = labels[i].textContent.trim();
      block.prepend(p);
    });
  }
}
"""
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#777">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)
PDF_OPTIONS = {  # Playwright 的 page.pdf：A4，按标题生成书签（outline），页脚是页码
    "format": "A4",
    "print_background": True,
    "outline": True,
    "tagged": True,
    "display_header_footer": True,
    "header_template": "<span></span>",
    "footer_template": FOOTER,
    "margin": {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
}


@dataclass
class NavPage:
    url: str  # 相对站点根目录，如 "chapter_preliminaries/ndarray/"
    src: str  # docs/ 下的源文件
    sections: tuple[str, ...]  # 所在的导航分组（章）

    @property
    def slug(self) -> str:
        return "p-" + (self.url.strip("/").replace("/", "--") or "home")


@dataclass
class PdfReport:
    path: Path
    pages: int  # PDF 的页数
    site_pages: int  # 站点的页面数
    size: int
    seconds: float

    def summary(self) -> str:
        return (
            f"PDF：{self.path}（站点 {self.site_pages} 个页面，PDF 共 {self.pages} 页，"
            f"{self.size / 1e6:.1f} MB，用时 {self.seconds:.0f} 秒）"
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
    """mkdocs.yml 的导航顺序（PDF 的页序）。"""
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


# ---- 拼接 ----

ARTICLE_OPEN = re.compile(r'<article class="md-content__inner[^"]*"[^>]*>')
SVG_BLOCK = re.compile(r"(<svg\b.*?</svg>)", re.S)
ID_ATTR = re.compile(r'\b(id|for)="([^"]+)"')
NAME_ATTR = re.compile(r'(<input\b[^>]*\bname=")([^"]+)(")')
URL_ATTR = re.compile(r'\b(href|src)="([^"]*)"')


def article_of(page_html: str) -> str:
    m = ARTICLE_OPEN.search(page_html)
    if not m:
        raise ValueError('页面里没有 <article class="md-content__inner …">')
    return page_html[m.end() : page_html.rindex("</article>")]


def rewrite_article(article: str, page: NavPage, pages: dict[str, NavPage], site_url: str) -> str:
    """把一页的正文改写成能放进合并文档的样子：id 加上页面前缀（各页的标题、脚注、标签页不冲突）；
    相对地址按页面地址解析：站内页面的链接变成文档内的跳转，图片等资源用站点根目录下的路径，
    其他文件（notebook 下载）链接到发布的站点。SVG 内部（matplotlib 的字形与裁剪路径）不动。"""
    base = "http://site.invalid/" + page.url

    def fix_url(m: re.Match) -> str:
        attr, value = m.group(1), html.unescape(m.group(2))
        if value.startswith("#"):
            return f'{attr}="#{page.slug}--{html.escape(value[1:])}"'
        parts = urlsplit(value)
        if parts.scheme or value.startswith("//") or not value:
            return m.group(0)
        target = urlsplit(urljoin(base, value))
        path = target.path.lstrip("/")
        if attr == "href" and path in pages:
            anchor = pages[path].slug + (f"--{target.fragment}" if target.fragment else "")
            return f'href="#{html.escape(anchor)}"'
        if attr == "src":
            return f'src="{html.escape(path)}"'
        return f'href="{html.escape(site_url + path)}"'

    out = []
    for i, part in enumerate(SVG_BLOCK.split(article)):
        if i % 2:  # SVG：原样
            out.append(part)
            continue
        part = ID_ATTR.sub(lambda m: f'{m.group(1)}="{page.slug}--{m.group(2)}"', part)
        part = NAME_ATTR.sub(lambda m: f"{m.group(1)}{page.slug}--{m.group(2)}{m.group(3)}", part)
        out.append(URL_ATTR.sub(fix_url, part))
    return "".join(out)


def combined_html(site: Path, pages: list[NavPage], title: str, site_url: str) -> str:
    """首页的外壳（样式、MathJax）+ 封面与目录 + 各页的正文。"""
    shell = (site / "index.html").read_text(encoding="utf-8")
    by_url = {p.url: p for p in pages}
    body, toc, seen = [], [], None
    for page in pages:
        text = (site / page.url / "index.html").read_text(encoding="utf-8")
        article = rewrite_article(article_of(text), page, by_url, site_url)
        h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", article, re.S)
        name = re.sub(r"<[^>]+>|¶", "", h1.group(1)).strip() if h1 else page.src
        if page.sections and page.sections[0] != seen:
            seen = page.sections[0]
            toc.append(f"<li><strong>{html.escape(seen)}</strong></li>")
        indent = ' style="margin-left:1.5em"' if page.sections else ""
        toc.append(f'<li{indent}><a href="#{page.slug}">{html.escape(name)}</a></li>')
        body.append(f'<section class="execbook-print-page" id="{page.slug}">{article}</section>')
    commit = _git_commit()
    cover = (
        f'<section class="execbook-cover"><h1>{html.escape(title)}</h1>'
        f"<p>站点全文：每个页面的正文、代码、运行输出、公式与图。</p>"
        f"<p>生成于 {_dt.date.today().isoformat()}"
        + (f"，提交 <code>{commit}</code>" if commit else "")
        + f'；在线版：<a href="{html.escape(site_url)}">{html.escape(site_url)}</a></p></section>'
        f'<section class="execbook-print-page execbook-toc"><h2>目录</h2><ul>{"".join(toc)}</ul></section>'
    )
    m = ARTICLE_OPEN.search(shell)
    end = shell.rindex("</article>")
    return shell[: m.end()] + cover + "".join(body) + shell[end:]


def _git_commit() -> str | None:
    if shutil.which("git") is None:
        return None
    proc = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() or None


# ---- 字体与浏览器 ----


def has_cjk_font() -> bool:
    """fontconfig 是否已经有简体中文字体（``fc-list :lang=zh``）。"""
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


def fontconfig_file(workdir: Path) -> Path | None:
    """写一个 fontconfig 文件：系统的设置 + mplfonts 的 Noto Sans CJK SC（只这一个字体文件）。

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


def site_identity(config: Path | None = None) -> tuple[str, str]:
    """(站点名, 以 / 结尾的发布地址)：封面的标题与站外链接用。"""
    cfg = load_mkdocs_yml(config or REPO_ROOT / "mkdocs.yml")
    return cfg.get("site_name") or "d2l-notes", (cfg.get("site_url") or "").rstrip("/") + "/"


def chromium_env(workdir: Path) -> dict[str, str]:
    """Chromium 的环境变量：机器上没有中文字体时，用 workdir 里的 fontconfig 文件加上 mplfonts 的字体。"""
    env = dict(os.environ)
    if not has_cjk_font() and (conf := fontconfig_file(workdir)) is not None:
        env["FONTCONFIG_FILE"] = str(conf)
    return env


def typeset(page, url: str) -> None:
    """载入文档，等站点自带的 MathJax 排完全部公式（``body[data-mathjax]`` 变成 done；error 时报错）。"""
    page.goto(url, wait_until="load", timeout=TYPESET_TIMEOUT_MS)
    page.wait_for_function(
        "['done', 'error'].includes(document.body.getAttribute('data-mathjax'))",
        timeout=TYPESET_TIMEOUT_MS,
        polling=500,
    )
    state = page.evaluate("document.body.getAttribute('data-mathjax')")
    if state != "done":
        raise RuntimeError(f"MathJax 排版失败（data-mathjax={state}）")


def print_pdf(url: str, out: Path, env: dict[str, str], log=print) -> None:
    """在无头 Chromium 里打开合并的文档，排好公式，展开折叠的内容，打印成 ``out``（先写临时文件再换上）。"""
    from playwright.sync_api import sync_playwright

    tmp_out = out.with_name(f".{out.name}.tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        executable = CHROMIUM if Path(CHROMIUM).exists() else None
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, env=env)
        try:
            page = browser.new_page(locale="zh-CN")
            t0 = time.perf_counter()
            typeset(page, url)
            t1 = time.perf_counter()
            page.evaluate(PREPARE_JS)
            page.add_style_tag(content=PRINT_CSS)
            page.pdf(path=str(tmp_out), **PDF_OPTIONS)
            log(f"  载入与公式排版 {t1 - t0:.1f} 秒，打印 {time.perf_counter() - t1:.1f} 秒")
        finally:
            browser.close()
    os.replace(tmp_out, out)


def build_pdf(
    site: Path,
    out: Path | None = None,
    *,
    config: Path | None = None,
    log=print,
) -> PdfReport:
    """把 ``site`` 的全部页面（导航顺序）打印成 ``out``（默认 ``site/d2l-notes.pdf``）。"""
    from pypdf import PdfReader

    start = time.perf_counter()
    site = Path(site).resolve()
    out = Path(out).resolve() if out else site / PDF_NAME
    pages = nav_pages(config)
    missing = [p.src for p in pages if not (site / p.url / "index.html").is_file()]
    if missing:
        raise FileNotFoundError(f"{site} 里缺少这些页面（先 mkdocs build）：{', '.join(missing)}")
    title, site_url = site_identity(config)
    # 合并的文档放在站点里（MathJax 的脚本、样式与图按站点的相对地址加载），打印完删掉
    doc = site / f".execbook-print-{os.getpid()}.html"
    doc.write_text(combined_html(site, pages, title, site_url), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory(prefix="execbook-pdf-") as tmp, serve_site(site) as base:
            print_pdf(base + doc.name, out, chromium_env(Path(tmp)), log)
    finally:
        doc.unlink(missing_ok=True)
    return PdfReport(
        path=out,
        pages=len(PdfReader(out).pages),
        site_pages=len(pages),
        size=out.stat().st_size,
        seconds=time.perf_counter() - start,
    )
