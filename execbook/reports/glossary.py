"""由各页面内容生成的附录内容：术语表、学习感悟汇总、页面描述。

术语表的行由各章作者写在 docs/_includes/glossary/*.md（`| 中文 | English | [页面](…) |`，
可选的第四列是不用的写法，如 `| 汇聚层 | pooling | [汇聚层](…) | 池化层、池化 |`，tests/content/test_terms.py
据此检查页面正文），这里合并同一术语、按英文排序；学习感悟汇总扫描所有页面里的 `!!! quote "学习感悟…"` 框。
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from ..paths import DOCS_DIR

GLOSSARY_PLACEHOLDER = "<!-- dlnotes:glossary -->"
REFLECTIONS_PLACEHOLDER = "<!-- dlnotes:reflections -->"

_ROW_RE = re.compile(
    r"^\|\s*(?P<zh>[^|]+?)\s*\|\s*(?P<en>[^|]+?)\s*\|\s*(?P<links>[^|]+?)\s*\|"
    r"(?:\s*(?P<aliases>[^|]*?)\s*\|)?\s*$"
)
_LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _glossary_terms(include_dir: Path | None = None) -> dict[str, dict]:
    include_dir = include_dir or DOCS_DIR / "_includes" / "glossary"
    terms: dict[str, dict] = {}
    for f in sorted(include_dir.glob("*.md")):
        for line in f.read_text(encoding="utf-8").splitlines():
            m = _ROW_RE.match(line.strip())
            if not m or set(m.group("zh")) <= {"-", ":", " "} or m.group("zh") == "中文":
                continue
            zh = m.group("zh").strip()
            entry = terms.setdefault(zh, {"en": m.group("en").strip(), "links": {}, "aliases": []})
            for text, target in _LINK_RE.findall(m.group("links")):
                entry["links"].setdefault(target, text)
            for alias in re.split(r"[、，,]", m.group("aliases") or ""):
                if alias.strip() and alias.strip() not in entry["aliases"]:
                    entry["aliases"].append(alias.strip())
    return terms


def glossary_aliases(include_dir: Path | None = None) -> dict[str, list[str]]:
    """首选术语 → 不用的写法（术语表第四列）。"""
    return {zh: e["aliases"] for zh, e in _glossary_terms(include_dir).items() if e["aliases"]}


def glossary_table(include_dir: Path | None = None) -> str:
    terms = _glossary_terms(include_dir)
    rows = ["| 中文 | English | 不用的写法 | 出现的页面 |", "|---|---|---|---|"]
    for zh, e in sorted(terms.items(), key=lambda kv: (kv[1]["en"].lower(), kv[0])):
        links = "，".join(f"[{t}]({u})" for u, t in e["links"].items())
        rows.append(f"| {zh} | {e['en']} | {'、'.join(e['aliases'])} | {links} |")
    return "\n".join(rows)


def reflections(page_src_uri: str, docs_dir: Path | None = None) -> str:
    """所有「学习感悟」框的汇总（引用原文并链接回所在页面）。"""
    docs_dir = docs_dir or DOCS_DIR
    here = posixpath.dirname(page_src_uri)
    found: list[tuple[int, str, list[str]]] = []
    for f in sorted(docs_dir.rglob("*.md")):
        rel = f.relative_to(docs_dir).as_posix()
        if rel == page_src_uri or rel.startswith("_includes/"):
            continue
        lines = f.read_text(encoding="utf-8").split("\n")
        title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), rel)
        for i, line in enumerate(lines):
            m = re.match(r'^(\s*)[!?]{3}\+?\s+quote\s+"(学习感悟[^"]*)"', line)
            if not m:
                continue
            indent = m.group(1) + "    "
            body = []
            for nxt in lines[i + 1 :]:
                if nxt.strip() and not nxt.startswith(indent):
                    break
                body.append(nxt[len(indent) :] if nxt.startswith(indent) else "")
            link = posixpath.relpath(rel, here or ".")
            # 脚注引用只在原页面有定义，汇总页里去掉
            body = [re.sub(r"\[\^[^\]]+\]", "", ln) for ln in body]
            note = re.search(r"笔记([一二三四五])", m.group(2))
            order = "一二三四五".index(note.group(1)) if note else 5
            found.append((order, f"### {m.group(2)}：[{title}]({link})", body))
    # 按笔记编号汇总（同一份笔记内按页面路径）
    out: list[str] = []
    for _, heading, body in sorted(found, key=lambda t: t[0]):
        out += [heading, "", *body, ""]
    return "\n".join(out) if out else "（还没有学习感悟。）"


def describe(markdown: str, limit: int = 120) -> str | None:
    """页面描述（<meta name="description">）：第一段正文，去掉 Markdown 标记。"""
    in_fence = False
    for block in re.split(r"\n\s*\n", markdown):
        s = block.strip()
        if s.startswith("```") or in_fence:
            in_fence = not in_fence if s.count("```") % 2 else in_fence
            continue
        if not s or s[0] in "#<!|=>-*$[`" or s.startswith("---"):
            continue
        text = re.sub(r"\$\$?[^$]*\$\$?", "", s)
        text = _LINK_RE.sub(r"\1", text)
        text = re.sub(r"[*_`=]|\[\^[^\]]+\]", "", text)
        text = " ".join(text.split())
        if len(text) >= 10:
            return text[:limit] + ("…" if len(text) > limit else "")
    return None
