"""MkDocs 插件 ``execbook-rawtex``：不发布 TeX 源码，搜索结果里也不出现 TeX 源码。

1. 构建检查。pymdownx.arithmatex 只把它认出的公式包成 ``<span|div class="arithmatex">``，浏览器里的 MathJax
   也只排版这些元素（mathjax-config.js 的 ``processHtmlClass``）。没被认出的公式——列表项里缩进不对的
   ``$$``、没有闭合的 ``$``——作为普通文字发布，读者看到的是 ``$$ \\mathbf{h}t = …``。这里在 Markdown 转成
   HTML 之后（``on_page_content``）检查正文的文字（代码、键盘、公式、notebook 的单元格之外），发现
   ``$$``、``\\(``、``\\[``、``\\begin{``、``\\frac`` 这类宏或 ``$x``，就发出警告并指出「页面:行号」
   （在页面源文件里找到这段文字所在的行），严格构建（``strict: true``）因此失败。
2. 搜索索引。Material 的 search 插件在 ``on_page_context`` 里从 ``page.content`` 建索引。本插件在它之前把
   ``page.content`` 换成「给搜索看的版本」，在它之后换回来（页面本身不变）：
   - 公式换成可读的文字（pylatexenc 的 LaTeX→Unicode 转换，站点宏先按 mathjax-config.js 展开），搜索结果
     不显示 ``\\(L_2\\)``、``\\[…\\]``，也能用 ``L_2``、``∂L/∂w`` 这样的文字搜到；
   - ``split_tables`` 列出的页面（术语表）里，表格的每一行在页面上有自己的锚点（``<tr id="term-…">``），
     在搜索里是单独的一节（标题是这一行的前两格），搜到一个术语只显示这一行，而不是整张表。
"""

from __future__ import annotations

import html
import json
import logging
import re
from html.parser import HTMLParser
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

log = logging.getLogger("mkdocs.plugins.execbook.rawtex")

# 不检查其中文字的元素：代码、键盘、公式（arithmatex 认出的）、notebook 的单元格（MathJax 自己排版其中的 $…$）
SKIP_TAGS = {"pre", "code", "kbd", "samp", "script", "style", "textarea", "svg", "math"}
SKIP_CLASSES = {
    "arithmatex",
    "jp-Cell",
    "jp-MarkdownOutput",
    "jp-OutputArea",
    "dl-output",
    "dl-html",
}
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
}  # fmt: skip

# 正文文字里的 TeX 源码：显示公式的定界符、转义的定界符、环境、常用宏、紧跟字母或反斜杠的 $
RAW_TEX = re.compile(
    r"\$\$|\\[()\[\]]|\\(?:begin|end)\{"
    r"|\\(?:frac|mathbf|boldsymbol|mathrm|mathbb|operatorname|sum|prod|partial|sqrt|left|right"
    r"|cdot|times|alpha|beta|gamma|delta|epsilon|theta|lambda|sigma|phi|nabla|hat|top|ell|quad"
    r"|qquad|text|min|max|log|exp|leq?|geq?|in|to)(?![A-Za-z])"
    r"|(?<![\\$\w])\$(?=[A-Za-z\\{])"
)


BLOCK = "\x00"  # 段落、列表项等块的分界（块里的换行仍是块的一部分）


class _TextCollector(HTMLParser):
    """正文里要检查的文字：跳过 SKIP_TAGS 与带 SKIP_CLASSES 的元素（及其内容）。"""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # 每个打开的元素：它里面的文字是否跳过
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = (
            bool(self.stack and self.stack[-1]) or tag in SKIP_TAGS or bool(classes & SKIP_CLASSES)
        )
        self.stack.append(skip)
        if tag in ("p", "li", "div", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt"):
            self.parts.append(BLOCK)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or not self.stack:
            return
        self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def prose_text(content: str) -> str:
    parser = _TextCollector()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _common(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def source_line(source: str, marker: str, before: str, after: str) -> int | None:
    """marker（如 ``$$``）在源文件里出现、而且前后的文字与 HTML 里它前后的文字最像的那一行（从 1 数）。"""
    want_after, want_before = _squash(after)[:40], _squash(before)[-40:][::-1]
    best, best_score = None, -1
    for m in re.finditer(re.escape(marker), source):
        got_after = _squash(source[m.end() : m.end() + 400])
        got_before = _squash(source[max(0, m.start() - 400) : m.start()])[::-1]
        score = _common(want_after, got_after) + _common(want_before, got_before)
        if score > best_score:
            best, best_score = source.count("\n", 0, m.start()) + 1, score
    return best


def find_raw_tex(content: str, source: str) -> list[tuple[int | None, str]]:
    """[(源文件行号, 这段文字)]：正文里没有被当作公式的 TeX 源码，每个段落（列表项、表格格……）报告第一处。"""
    text = prose_text(content)
    found: dict[int | None, str] = {}
    for block in text.split(BLOCK):
        m = RAW_TEX.search(block)
        if m:
            line = source_line(source, m.group(), block[: m.start()], block[m.end() : m.end() + 60])
            if line not in found:
                start = max(0, m.start() - 10)
                found[line] = re.sub(r"\s+", " ", block[start : m.end() + 50]).strip()
    return sorted(found.items(), key=lambda kv: kv[0] or 0)


# ---------------------------------------------------------------- 搜索：公式换成文字

ARITHMATEX = re.compile(
    r'<(span|div) class="arithmatex">(?:\\\(|\\\[)(.*?)(?:\\\)|\\\])</\1>', re.DOTALL
)
TEXT_MACROS = re.compile(
    r"\\(?:mathbf|boldsymbol|bm|mathit|mathsf|mathrm|textbf|textit|mathcal|mathscr|mathfrak)(?![A-Za-z])"
)


def site_macros(config_js: Path) -> dict[str, str]:
    """mathjax-config.js 里的站点宏（``name: "\\\\mathbb{R}"`` 或 ``name: ["\\\\mathbf{#1}", 1]``）。"""
    if not config_js.exists():
        return {}
    text = config_js.read_text(encoding="utf-8")
    block = re.search(r"macros:\s*\{(.*?)\n\s*\},", text, re.DOTALL)
    macros = {}
    for name, value in re.findall(
        r'(\w+):\s*\[?("(?:[^"\\]|\\.)*")', block.group(1) if block else ""
    ):
        macros[name] = json.loads(value).replace("#1", "")
    return macros


class MathToText:
    def __init__(self, macros: dict[str, str]):
        from pylatexenc.latex2text import LatexNodes2Text

        self.converter = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
        self.macros = sorted(macros.items(), key=lambda kv: -len(kv[0]))

    def __call__(self, tex: str) -> str:
        tex = html.unescape(tex)
        for name, value in self.macros:
            tex = re.sub(rf"\\{name}(?![A-Za-z])", lambda _m, v=value: v, tex)
        # 粗体、正体等字体命令只留下字母（搜索时打的是 x，不是 𝐱）；\operatorname{softmax} → softmax
        tex = TEXT_MACROS.sub(r"\\text", tex).replace("\\operatorname", "\\text")
        try:
            text = self.converter.latex_to_text(tex)
        except Exception:  # 转不了的公式：去掉反斜杠与花括号，至少不显示定界符
            text = re.sub(r"\\([A-Za-z]+)", r"\1", tex).replace("{", "").replace("}", "")
        text = re.sub(r"\s+", " ", text).strip()
        return html.escape(text, quote=False)

    def sub(self, content: str) -> str:
        return ARITHMATEX.sub(lambda m: self(m.group(2)), content)


# ---------------------------------------------------------------- 搜索：表格按行分节

ROW = re.compile(r"<tr>\s*(<td>.*?</td>)\s*</tr>", re.DOTALL)
CELL = re.compile(r"<td>(.*?)</td>", re.DOTALL)
TAGS = re.compile(r"<[^>]+>")


def _cell_text(cell: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(TAGS.sub("", cell))).strip()


def row_anchor(cells: list[str], used: set[str]) -> str:
    key = _cell_text(cells[1] if len(cells) > 1 else cells[0]).lower()
    base = "term-" + (re.sub(r"[^0-9a-z]+", "-", key).strip("-") or "row")
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


def anchor_rows(content: str) -> str:
    """表体的每一行加上 id（第二格——英文术语——的 slug），搜索结果与链接可以指向这一行。"""
    used: set[str] = set()

    def one(m: re.Match) -> str:
        cells = CELL.findall(m.group(1))
        return f'<tr id="{row_anchor(cells, used)}">\n{m.group(1)}\n</tr>'

    def tbody(m: re.Match) -> str:
        return ROW.sub(one, m.group(0))

    return re.sub(r"<tbody>.*?</tbody>", tbody, content, flags=re.DOTALL)


def rows_as_sections(content: str) -> str:
    """给搜索看的版本：带 id 的表格行换成一个个 <h3 id=…>（标题是前两格）+ 段落（其余各格）。"""

    def one(m: re.Match) -> str:
        cells = CELL.findall(m.group(2))
        title = " · ".join(c for c in (_cell_text(x) for x in cells[:2]) if c)
        rest = "；".join(c for c in (_cell_text(x) for x in cells[2:]) if c)
        return f'<h3 id="{m.group(1)}">{html.escape(title)}</h3>\n<p>{html.escape(rest)}</p>\n'

    body = re.sub(r'<tr id="([^"]+)">\s*(<td>.*?</td>)\s*</tr>', one, content, flags=re.DOTALL)
    return re.sub(
        r"<table>\s*<thead>.*?</thead>\s*<tbody>|</tbody>\s*</table>", "", body, flags=re.DOTALL
    )


class RawTexConfig(Config):
    # 表格按行编入搜索索引的页面（相对 docs/ 的源文件路径）
    split_tables = config_options.Type(list, default=["appendix/glossary.md"])
    # 站点宏所在的 MathJax 配置（相对 docs/）
    mathjax_config = config_options.Type(str, default="javascripts/mathjax-config.js")


class RawTexPlugin(BasePlugin[RawTexConfig]):
    def on_config(self, config):
        self.to_text = MathToText(site_macros(Path(config.docs_dir) / self.config.mathjax_config))
        self.saved: dict[str, str] = {}

    @event_priority(-80)  # 在 arithmatex（Markdown 转换）之后、其他插件改写内容之后
    def on_page_content(self, content, page, config, files):
        src = page.file.src_uri
        if src.endswith(".md"):
            source = page.file.content_string
            for line, snippet in find_raw_tex(content, source):
                where = f"docs/{src}:{line}" if line else f"docs/{src}"
                log.warning(
                    f"{where}: 正文里有没被当作公式的 TeX 源码（读者会看到源码）：「{snippet}」——"
                    "独立公式的 $$ 要与所在段落或列表项的文字对齐缩进（列表项里缩进 4 个空格）、"
                    "前后空一行；行内公式的 $ 要成对"
                )
        if src in self.config.split_tables:
            content = anchor_rows(content)
        return content

    @event_priority(100)  # 在 search 插件（默认优先级 0）建索引之前：换上给搜索看的版本
    def _search_view(self, context, page, config, nav):
        if page.content:
            self.saved[page.file.src_uri] = page.content
            view = self.to_text.sub(page.content)
            if page.file.src_uri in self.config.split_tables:
                view = rows_as_sections(view)
            page.content = view
        return context

    @event_priority(-100)  # search 插件建完索引之后、主题渲染页面之前：换回页面本身的内容
    def _page_view(self, context, page, config, nav):
        saved = self.saved.pop(page.file.src_uri, None)
        if saved is not None:
            page.content = saved
        return context

    on_page_context = CombinedEvent(_search_view, _page_view)
