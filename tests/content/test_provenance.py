"""每一节的出处（issue 10）：读者在每一节开头就能看到这一节依据哪份笔记、哪些是依据 d2l-zh 补写的讲解。

写法（CONTRIBUTING.md「出处标记」）：标题下面第一段是

    出处：笔记一、笔记三 · 补写自 d2l-zh
    { .provenance }

条目用「 · 」分开，每一条是下面三种之一：
- 笔记名（`笔记一`……`笔记五`，几份用「、」连起来），可以在括号里注明用到笔记的哪部分；
- `补写自 d2l-zh`：依据原书补写的讲解（可在括号里注明）；
- `本站补充`：本站为了能运行、能复现而写的说明（CPU 默认设置、构建检查……），可在括号里注明。
页首（一级标题与第一个二级标题之间的引言）也有一条；「来源」一节没有。
"""

from __future__ import annotations

import re

import pytest

from conftest import REPO

DOCS = REPO / "docs"
CHAPTER_PAGES = sorted(p for p in DOCS.glob("chapter_*/*.md") if "_includes" not in p.parts)
NOTE_ANCHORS = {
    "一": "note-nagisa",
    "二": "note-pytorch",
    "三": "note-dl-notes",
    "四": "note-thdlrt",
    "五": "note-limu-08-09",
}
NOTES = "一二三四五"
ITEM_RE = re.compile(
    rf"^(?:(?P<notes>笔记[{NOTES}](?:、笔记[{NOTES}])*)|(?P<book>补写自 d2l-zh)|(?P<site>本站补充))"
    r"(?:（[^（）]+）)?$"
)
ATTR = "{ .provenance }"


def rel(p) -> str:
    """报错用的路径：仓库里的页面相对仓库根目录，其他（规则自测的临时页面）原样。"""
    return p.relative_to(REPO).as_posix() if p.is_relative_to(REPO) else str(p)


def sections(text: str):
    """(标题行号, 标题, 正文行列表[(行号, 行)])，代码围栏里的 # 不算标题。页首的标题是一级标题。"""
    out, fence = [], None
    for i, line in enumerate(text.split("\n"), start=1):
        m = re.match(r"^(`{3,}|~{3,})", line.strip())
        if m:
            if fence is None:
                fence = m.group(1)
            elif line.strip().startswith(fence):
                fence = None
        h = fence is None and re.match(r"^(#{1,2}) (.+?)(?:\s*\{#[^}]*\})?\s*$", line)
        if h and (h.group(1) == "##" or not out):
            out.append((i, h.group(2).strip(), []))
        elif out:
            out[-1][2].append((i, line))
    return out


def marker(body):
    """节的第一段：(行号, 条目列表)，不是出处标记时 (行号, None)。"""
    lines = [(i, s) for i, s in body if s.strip()]
    if len(lines) >= 2 and lines[1][1].strip() == ATTR:
        m = re.match(r"^出处：(.+)$", lines[0][1].strip())
        if m:
            return lines[0][0], m.group(1).split(" · ")
    return (lines[0][0] if lines else None), None


def parse(page):
    """每一节（来源除外）：(行号, 标题, 笔记集合, 问题列表)。"""
    text = page.read_text(encoding="utf-8")
    result = []
    for lineno, title, body in sections(text):
        if title == "来源":
            continue
        if not [s for _, s in body if s.strip()]:
            continue  # 只有标题没有内容的页首（直接进入第一节）
        at, items = marker(body)
        problems, notes = [], set()
        if items is None:
            problems.append(
                f"{rel(page)}:{at or lineno}: 「{title}」一节的第一段应是出处标记"
                f"「出处：…」加一行「{ATTR}」"
            )
        else:
            for item in items:
                m = ITEM_RE.match(item.strip())
                if not m:
                    problems.append(
                        f"{rel(page)}:{at}: 出处条目「{item}」不是「笔记X」「补写自 d2l-zh」「本站补充」之一"
                    )
                elif m.group("notes"):
                    notes |= set(re.findall(rf"笔记([{NOTES}])", m.group("notes")))
        result.append((lineno, title, notes, problems, body))
    return text, result


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=[rel(p) for p in CHAPTER_PAGES])
def test_every_section_shows_its_sources(page):
    _, secs = parse(page)
    problems = [p for *_, probs, _ in secs for p in probs]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=[rel(p) for p in CHAPTER_PAGES])
def test_quote_boxes_belong_to_the_notes_of_their_section(page):
    """一节里有「笔记X原文」或「学习感悟（笔记X）」框，这一节的出处就要列出笔记X。"""
    _, secs = parse(page)
    problems = []
    for _lineno, title, notes, probs, body in secs:
        if probs:
            continue
        for i, line in body:
            m = re.match(r'^\s*[!?]{3}\+?\s+quote\s+"[^"]*笔记([一二三四五])', line)
            if m and m.group(1) not in notes:
                problems.append(
                    f"{rel(page)}:{i}: 框引用了笔记{m.group(1)}，但「{title}」一节的出处没有列出它"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=[rel(p) for p in CHAPTER_PAGES])
def test_section_sources_agree_with_page_sources(page):
    """各节出处里的笔记，正好是页末「来源」一节链接的笔记。"""
    text, secs = parse(page)
    sources = text[text.rfind("\n## 来源") :]
    cited = {n for n, anchor in NOTE_ANCHORS.items() if f"#{anchor})" in sources}
    named = set().union(*(notes for _, _, notes, _, _ in secs)) if secs else set()
    assert named == cited, (
        f"{rel(page)}: 各节出处列出笔记{'、'.join(sorted(named, key=NOTES.index)) or '（无）'}，"
        f"「来源」一节链接的是笔记{'、'.join(sorted(cited, key=NOTES.index)) or '（无）'}"
    )


def test_marker_rules_can_fail(tmp_path):
    """规则本身：缺标记、未知条目、框与出处不符都会被找出来。"""
    page = tmp_path / "docs" / "chapter_x" / "p.md"
    page.parent.mkdir(parents=True)
    page.write_text(
        "# 标题\n\n出处：笔记六\n{ .provenance }\n\n引言\n\n"
        "## 甲\n\n没有标记的一段\n\n"
        '## 乙\n\n出处：补写自 d2l-zh\n{ .provenance }\n\n!!! quote "笔记二原文"\n    原话\n\n'
        "## 来源\n",
        encoding="utf-8",
    )
    _, secs = parse(page)
    probs = [p for *_, ps, _ in secs for p in ps]
    assert any("笔记六" in p for p in probs) and any("「甲」" in p for p in probs)
    second = [s for s in secs if s[1] == "乙"][0]
    assert not second[3] and second[2] == set()  # 出处里没有笔记二 → 框的测试会报告
