"""一套用语：页面正文使用术语表（docs/_includes/glossary/）中的首选术语，中文引号统一用「」。

术语表每行的第四列（可选）列出不用的写法，例如 `| 汇聚层 | pooling | [汇聚层](…) | 池化层、池化 |`。
这些写法在页面正文中出现就报告「页面:行号」。不检查的地方（允许保留原词）：

- 代码（围栏代码块、行内代码）、公式（`$…$`、`$$…$$`）、HTML 注释、链接地址；
- 笔记原话：`!!! quote` 框（「笔记X原文」「学习感悟」等）、「」引起来的文字（脚注引用笔记与原书的原文都写在「」里；
  脚注其余的文字是本站自己的话，照样检查）；
- 每节开头的出处行（`出处：…`，它按笔记自己的标题点名各节）；
- 第一次出现时的别名括注：含「也常称」「也称」「又称」「译作」的全角括号，例如 汇聚层（pooling，也常称池化层）；
- 页末「## 来源」一节（它按笔记自己的标题列出用到的各节）。

不用的写法里的 `N`（如 `N 轮`）代表一个数：`训练 6 轮` 应写作 `训练 6 个迭代周期`。
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from execbook.reports.glossary import glossary_aliases

DOCS = REPO / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_includes" not in p.parts and p.name != "404.md")

_FENCE_RE = re.compile(r"^(\s*)(`{3,}|~{3,})")
_BOX_RE = re.compile(r"^(\s*)[!?]{3}\+?\s+quote\b")
_ALIAS_PAREN_RE = re.compile(r"（[^（）]*(?:也常称|也称|又称|译作)[^（）]*）")
_EXEMPT_SPANS = [
    re.compile(r"<!--.*?-->"),
    re.compile(r"`[^`]*`"),
    re.compile(r"\$\$?[^$]*\$\$?"),
    re.compile(r"「[^」]*」"),
    re.compile(r"\]\([^)]*\)"),  # 链接地址
    _ALIAS_PAREN_RE,
]


def prose_lines(text: str, footnotes: bool = True):
    """页面正文的行（行号, 文字）；代码、公式、原话框、出处行、来源一节都不算正文，
    行内的代码、公式、引文、别名括注换成空格。``footnotes=False`` 时脚注也不算（引号检查用：
    脚注会逐字引用笔记里的“”）。"""
    lines = text.split("\n")
    fence: str | None = None
    fence_indent = 0
    box_indent: int | None = None
    in_math = False
    for i, line in enumerate(lines, start=1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if fence is not None:
            if stripped.startswith(fence) and indent <= fence_indent + 4:
                fence = None
            continue
        m = _FENCE_RE.match(line)
        if m:
            fence, fence_indent = m.group(2), len(m.group(1))
            continue
        if stripped == "$$":
            in_math = not in_math
            continue
        if in_math:
            continue
        if box_indent is not None:
            if not stripped or indent > box_indent:
                continue
            box_indent = None
        m = _BOX_RE.match(line)
        if m:
            box_indent = len(m.group(1))
            continue
        if re.match(r"^## 来源\s*$", line):
            return
        if stripped.startswith("出处：") or (not footnotes and re.match(r"^\[\^[^\]]+\]:", line)):
            continue
        for pat in _EXEMPT_SPANS:
            line = pat.sub(lambda mm: " " * len(mm.group(0)), line)
        yield i, line


def rel(p: Path) -> str:
    return p.relative_to(REPO).as_posix()


def test_glossary_declares_avoided_variants():
    aliases = glossary_aliases()
    for preferred, avoided in [
        ("汇聚层", "池化层"),
        ("批量规范化", "批量归一化"),
        ("向量化", "矢量化"),
    ]:
        assert avoided in aliases.get(preferred, []), (
            f"术语表应把「{avoided}」列为「{preferred}」不用的写法"
        )


def _alias_regex(alias: str) -> str:
    """不用的写法 → 正则：``N`` 代表一个数（阿拉伯数字或中文数字）。"""
    return r"(?:\d+|[一二三四五六七八九十百千]+)".join(re.escape(p) for p in alias.split("N"))


def alias_hits(text: str, aliases: dict[str, list[str]], where: str = "") -> list[str]:
    """正文（:func:`prose_lines`）里出现的不用的写法：「页面:行号: 「别名」应写作「首选」」。"""
    avoided = {a: pref for pref, alist in aliases.items() for a in alist}
    # 长的先匹配，避免「池化」重复报告「池化层」
    ordered = sorted(avoided, key=len, reverse=True)
    pattern = re.compile("|".join(f"(?P<a{i}>{_alias_regex(a)})" for i, a in enumerate(ordered)))
    problems = []
    for i, line in prose_lines(text):
        for m in pattern.finditer(line):
            alias = ordered[int(m.lastgroup[1:])]
            problems.append(
                f"{where}:{i}: 「{m.group(0)}」应写作「{avoided[alias]}」（术语表，不用「{alias}」）"
            )
    return problems


@pytest.mark.parametrize("page", PAGES, ids=[rel(p) for p in PAGES])
def test_preferred_terms_in_prose(page):
    problems = alias_hits(page.read_text(encoding="utf-8"), glossary_aliases(), rel(page))
    assert not problems, "\n".join(problems)


def test_glossary_names_one_term_of_each_pair():
    """issue 23 的六对混用的词：术语表各选一个（与 d2l-zh 第 2 版一致），另一个列为不用的写法。"""
    aliases = glossary_aliases()
    for preferred, avoided in [
        ("特征图", "特征映射"),
        ("迭代周期", "N 轮"),
        ("分类精度", "准确率"),
        ("活性值", "激活值"),
        ("残差连接", "残余连接"),
        ("真实风险", "实际风险"),
    ]:
        assert avoided in aliases.get(preferred, []), (
            f"术语表应把「{avoided}」列为「{preferred}」不用的写法"
        )


def test_alias_check_catches_prose_and_exempts_quotes():
    """探针：正文用了别名就报告（含 ``N 轮``）；原话框、出处行、脚注里的引文、别名括注、代码不报告。"""
    aliases = {"特征图": ["特征映射"], "迭代周期": ["N 轮", "第一轮"], "活性值": ["激活值"]}
    text = "\n".join(
        [
            "# 页面",
            "出处：笔记三（特征映射） · 补写自 d2l-zh",  # 2 出处行：允许
            "输出叫作特征图（feature map，也称特征映射）。",  # 3 第一次出现的别名括注：允许
            "笔记写作「激活值」，`激活值` 与 $\\text{第一轮}$ 也允许。",  # 4
            '!!! quote "笔记三原文"',  # 5
            "    特征映射的大小",  # 6 原话框：允许
            "",
            "训练 6 轮后，特征映射变小。",  # 8 正文：两处
            "[^x]: **更正**{ .fn-fix }：原笔记（笔记三）写作「激活值」，本站的激活值……",  # 9 脚注自己的话：一处
            "## 来源",
            "笔记三：特征映射",  # 11 来源一节：允许
        ]
    )
    hits = alias_hits(text, aliases, "p.md")
    assert [h.split(":")[1] for h in hits] == ["8", "8", "9"], hits
    assert "「训练 6 轮」" not in hits[0] and "「6 轮」应写作「迭代周期」" in hits[0], hits


@pytest.mark.parametrize("page", PAGES, ids=[rel(p) for p in PAGES])
def test_one_quotation_style(page):
    problems = []
    for i, line in prose_lines(page.read_text(encoding="utf-8"), footnotes=False):
        if "“" in line or "”" in line:
            problems.append(f"{rel(page)}:{i}: 中文引号统一用「」（『』用于引号中的引号），不用“”")
    assert not problems, "\n".join(problems)


def test_prose_filter_catches_and_exempts():
    """过滤规则本身：正文里的旧词会被找到，代码、原话框、引文、别名括注里的不会。"""
    text = "\n".join(
        [
            "汇聚层（pooling，也常称池化层）把高宽减半。",  # 1 别名括注：允许
            "笔记三写作「池化层」。",  # 2 引文：允许
            "`池化层` 和 $\\text{池化层}$",  # 3 代码、公式：允许
            '!!! quote "笔记三原文"',  # 4
            "    池化层缓解卷积层的位置敏感性",  # 5 原话框：允许
            "",
            "这里的池化层没有参数。",  # 7 正文：报告
        ]
    )
    hits = [i for i, line in prose_lines(text) if "池化" in line]
    assert hits == [7]
