"""附录「勘误与说明」：由各页面的脚注在构建时生成，从不手写第二遍。

本站改正笔记错误的地方写成更正脚注（``[^id]: **更正**{ .fn-fix }：原笔记（笔记三）写作「…」……``），
说明与笔记或原书（d2l-zh、d2l-en）不同的取舍写成说明脚注（``**说明**{ .fn-note }``）。这里扫描导航中的
每个页面，把这些脚注按页面顺序列成一页：来源（哪份笔记或哪一版原书）、来源的原话（脚注中「写作「…」」
「原文是「…」」引出的文字）、本站的写法与理由（脚注全文），以及回到正文引用处（``#fnref:id``）的链接。

只收与来源不同的脚注：全部更正脚注；说明脚注中提到笔记（``笔记一``……``笔记五``）、d2l-zh / d2l-en
或原书的。只讲本站自己写法的说明（例如「这里原先写着……」）不收。
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

ERRATA_PLACEHOLDER = "<!-- dlnotes:errata -->"

FIX_PREFIX = "**更正**{ .fn-fix }："
NOTE_PREFIX = "**说明**{ .fn-note }："

_FOOTNOTE_RE = re.compile(r"^\[\^(?P<id>[^\]]+)\]:\s*(?P<body>.*)$")
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^(#{2,6})\s+(?P<title>.+?)\s*(?:\{[^}]*\})?\s*$")
_NOTE_RE = re.compile(r"笔记([一二三四五])")
_BOOK_RE = re.compile(r"d2l-zh|d2l-en|d2l|原书|英文版|中文版")
# 来源的原话：原笔记（笔记三）写作「…」、原文是「…」、d2l 7.5 节此处说「…」
_QUOTE_RE = re.compile(
    r"(?:写作|原文是|原文为|写着|说)\s*(?:「(?P<q>(?:[^「」]|「[^」]*」)+)」|(?P<code>`[^`]+`|\$[^$]+\$))"
)
_LINK_RE = re.compile(r"(\]\()(?P<target>[^)\s]+)(\))")


@dataclass
class Erratum:
    """一条与来源不同的地方（一个脚注）。"""

    page: str  # 页面的 src_uri，如 chapter_linear-networks/linear-regression.md
    page_title: str
    section: str  # 引用处所在的小节标题（没有小节时为空）
    fid: str  # 脚注 id
    kind: str  # "更正" | "说明"
    sources: list[str]  # 来源：笔记一……、d2l-zh（原书）
    quote: str | None  # 来源的原话（脚注引出的第一段「…」）
    body: str  # 脚注正文（去掉「**更正**{ .fn-fix }：」前缀），链接相对于原页面
    anchor: str  # 页面内的锚点：fnref:id（正文引用处）或 fn:id（没有引用时的脚注本身）
    lineno: int  # 脚注定义所在的行号


def _sources(body: str) -> list[str]:
    found = [f"笔记{n}" for n in dict.fromkeys(_NOTE_RE.findall(body))]
    if "d2l-en" in body:
        found.append("d2l-en")
    if _BOOK_RE.search(body.replace("d2l-en", "")):
        found.append("d2l-zh（原书）")
    return found


def page_errata(src_uri: str, text: str) -> list[Erratum]:
    """一个页面里与来源不同的脚注（按脚注定义的顺序）。"""
    lines = text.split("\n")
    title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), src_uri)
    fence: str | None = None
    section = ""
    sections: list[tuple[int, str]] = []  # (行号, 当时所在的小节)
    prose: list[tuple[int, str]] = []
    defs: list[tuple[int, str, str]] = []
    for i, line in enumerate(lines, start=1):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        if m := _FENCE_RE.match(line):
            fence = m.group(1)
            continue
        if m := _HEADING_RE.match(line):
            section = m.group("title")
        if m := _FOOTNOTE_RE.match(line):
            defs.append((i, m.group("id"), m.group("body")))
            continue
        prose.append((i, line))
        sections.append((i, section))
    where = dict(sections)
    out = []
    for lineno, fid, body in defs:
        if body.startswith(FIX_PREFIX):
            kind, rest = "更正", body[len(FIX_PREFIX) :]
        elif body.startswith(NOTE_PREFIX):
            kind, rest = "说明", body[len(NOTE_PREFIX) :]
        else:
            continue
        sources = _sources(rest)
        if kind == "说明" and not sources:
            continue  # 只讲本站自己的写法，与来源无关
        ref = next((i for i, ln in prose if f"[^{fid}]" in ln), None)
        quote = _QUOTE_RE.search(rest)
        out.append(
            Erratum(
                page=src_uri,
                page_title=title,
                section=where.get(ref, "") if ref else "",
                fid=fid,
                kind=kind,
                sources=sources,
                quote=(quote.group("q") or quote.group("code")) if quote else None,
                body=rest.strip(),
                anchor=f"fnref:{fid}" if ref else f"fn:{fid}",
                lineno=lineno,
            )
        )
    return out


def collect(docs_dir: Path, pages: list[str]) -> list[Erratum]:
    """按 ``pages``（导航顺序的 src_uri）收集所有页面的勘误与说明。"""
    found: list[Erratum] = []
    for uri in pages:
        path = Path(docs_dir) / uri
        if uri.endswith(".md") and path.is_file():
            found += page_errata(uri, path.read_text(encoding="utf-8"))
    return found


def _relink(body: str, from_page: str, to_page: str) -> str:
    """脚注里相对于原页面的链接，改写成相对于勘误页的链接；去掉脚注引用（它们只在原页面有定义）。"""
    body = re.sub(r"\[\^[^\]]+\]", "", body)

    def fix(m: re.Match) -> str:
        target = m.group("target")
        if re.match(r"^[a-z][a-z0-9+.-]*:|^/|^#", target):
            return m.group(0)
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(from_page), target))
        new = posixpath.relpath(resolved, posixpath.dirname(to_page) or ".")
        return f"{m.group(1)}{new}{m.group(3)}"

    return _LINK_RE.sub(fix, body)


def errata_markdown(errata: list[Erratum], here: str) -> str:
    """勘误页的正文（Markdown）：更正与说明两节，每节按页面分组，每条链接回正文引用处。"""
    if not errata:
        return "（还没有勘误与说明。）"
    out: list[str] = []
    for kind, heading, blurb in [
        (
            "更正",
            "更正：改正了笔记的错误",
            "笔记的原话、本站的改正与理由；原话框里保留原文，错误由框后的脚注指出。",
        ),
        (
            "说明",
            "说明：与笔记或原书不同的取舍",
            "本站的写法与笔记或原书（d2l-zh、d2l-en）不同、但不是改错的地方：出处、编辑取舍、两版原书的差别。",
        ),
    ]:
        items = [e for e in errata if e.kind == kind]
        out += [f"## {heading}（{len(items)} 处）", "", blurb, ""]
        page = None
        for e in items:
            link = posixpath.relpath(e.page, posixpath.dirname(here) or ".")
            if e.page != page:
                page = e.page
                out += [f"### [{e.page_title}]({link})", ""]
            where = e.section or e.page_title
            head = f"- [{where}]({link}#{e.anchor})"
            head += f" · {'、'.join(e.sources)}" if e.sources else ""
            if e.quote:
                q = e.quote
                head += f" · 原文 {q}" if q[0] in "`$" else f" · 原文「{q}」"
            out += [head, "", f"    {_relink(e.body, e.page, here)}", ""]
    return "\n".join(out).rstrip() + "\n"


def nav_pages(nav) -> list[str]:
    """mkdocs.yml 的 ``nav`` 设置 → 按导航顺序的页面路径。"""
    found: list[str] = []

    def walk(item):
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            for v in item.values():
                walk(v)
        elif isinstance(item, list):
            for v in item:
                walk(v)

    walk(nav or [])
    return found


def fill(markdown: str, page_src_uri: str, docs_dir: Path, nav) -> str:
    """把页面中的占位注释换成勘误表（``execbook-appendix`` 插件在 on_page_markdown 调用）。"""
    if ERRATA_PLACEHOLDER not in markdown:
        return markdown
    pages = [p for p in nav_pages(nav) if p != page_src_uri]
    table = errata_markdown(collect(docs_dir, pages), page_src_uri)
    return markdown.replace(ERRATA_PLACEHOLDER, table)
