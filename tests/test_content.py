"""内容约定：每页有「来源」，代码块信息串统一，公式块内无空行，notebook 不带输出，
笔记中的每个图片引用都有替代品并记录在「来源与致谢」中。"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO

DOCS = REPO / "docs"
SEEDS = REPO.parent / "shared" / "seeds"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_includes" not in p.parts and p.name != "404.md")
NOTEBOOKS = sorted(DOCS.rglob("*.ipynb"))

IMAGE_PATTERNS = [
    re.compile(r"!\[\[([^\]|]+)(?:\|[^\]]*)?\]\]"),  # Obsidian ![[name|400]]
    re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)"),  # Markdown ![alt](path)
    re.compile(r"<img\s[^>]*src=\"([^\"]+)\""),  # HTML <img src="…">
]


def seed_image_refs() -> list[tuple[str, str]]:
    refs = []
    for seed in sorted(SEEDS.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        for pat in IMAGE_PATTERNS:
            refs += [(seed.name, m.group(1).strip()) for m in pat.finditer(text)]
    return refs


def rel(p: Path) -> str:
    return p.relative_to(REPO).as_posix()


@pytest.mark.parametrize("page", PAGES, ids=[rel(p) for p in PAGES])
def test_page_ends_with_sources_section(page):
    text = page.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings and headings[-1].strip() == "来源", f"{rel(page)} 应以「## 来源」一节结尾"


@pytest.mark.parametrize("page", PAGES, ids=[rel(p) for p in PAGES])
def test_code_fences_and_math_blocks(page):
    problems = []
    lines = page.read_text(encoding="utf-8").split("\n")
    in_math, math_start = False, 0
    for i, line in enumerate(lines, start=1):
        s = line.strip()
        m = re.match(r"^`{3,}\s*([\w+-]*)", s)
        if m and re.fullmatch(r"(?i)py|python3?|ipython3?|pycon", m.group(1)) and m.group(1) != "python":
            problems.append(f"{rel(page)}:{i}: 可运行代码的围栏信息串必须恰好是 python（现在是 {m.group(1)!r}）")
        if s == "$$":
            in_math, math_start = (not in_math), i
        elif in_math and s == "":
            problems.append(f"{rel(page)}:{i}: $$ 公式块（第 {math_start} 行开始）里有空行")
        if re.search(r"\b(TODO|TBD|FIXME)\b|占位", line):
            problems.append(f"{rel(page)}:{i}: 占位内容：{s[:60]}")
    assert not in_math, f"{rel(page)}:{math_start}: $$ 公式块没有闭合"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[rel(p) for p in NOTEBOOKS])
def test_notebooks_are_stored_without_outputs(nb):
    data = json.loads(nb.read_text(encoding="utf-8"))
    for i, cell in enumerate(data["cells"], start=1):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None, (
                f"{rel(nb)} 的第 {i} 个 cell 带着输出：notebook 提交时不带输出，构建会执行它"
            )


def test_every_seed_image_has_a_recorded_replacement():
    if not SEEDS.is_dir():
        pytest.skip(f"没有源笔记目录 {SEEDS}（CI 中位于 ../shared/seeds）")
    refs = seed_image_refs()
    assert len(refs) >= 85, f"只找到 {len(refs)} 个图片引用——抽取规则出错了？"
    table = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "_includes" / "image-map").glob("*.md"))
    missing = []
    for seed, ref in refs:
        name = ref.rstrip("/").rsplit("/", 1)[-1]
        stem = name.rsplit(".", 1)[0]
        if name not in table and stem not in table:
            missing.append(f"{seed}: {ref}")
    assert not missing, f"{len(missing)} 个图片引用没有记录替代品：\n" + "\n".join(missing)


def test_sources_page_embeds_the_maps():
    text = (DOCS / "appendix" / "sources.md").read_text(encoding="utf-8")
    for kind in ("image-map", "section-map"):
        for part in sorted((DOCS / "_includes" / kind).glob("*.md")):
            assert f"docs/_includes/{kind}/{part.name}" in text, f"来源与致谢页没有嵌入 {kind}/{part.name}"


def test_every_seed_heading_has_a_home():
    """源笔记的每个标题都登记在「各笔记的每一节在本站的位置」表中（按标题文字匹配）。"""
    if not SEEDS.is_dir():
        pytest.skip(f"没有源笔记目录 {SEEDS}（CI 中位于 ../shared/seeds）")

    def norm(s: str) -> str:
        return re.sub(r"[\s*_`$\\{}()（）:：，,、?？!！.。'\"=-]", "", s).lower()

    table = norm("\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "_includes" / "section-map").glob("*.md")))
    missing = []
    for seed in sorted(SEEDS.glob("*.txt")):
        in_code = False
        for line in seed.read_text(encoding="utf-8").split("\n"):
            if line.strip().startswith("```"):
                in_code = not in_code
            elif not in_code and (m := re.match(r"^#{1,6}\s+(.*)", line)):
                if norm(m.group(1)) and norm(m.group(1)) not in table:
                    missing.append(f"{seed.name}: {m.group(1).strip()}")
    assert not missing, "这些笔记标题没有登记去向：\n" + "\n".join(missing)
