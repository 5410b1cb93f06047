"""构建出的每一张图：手机上文字够大，标签是中文。

手机上的字号：页面里的图按 ``max-width: 100%`` 缩放；390 像素宽的手机上正文栏宽
``dlnotes.plotting.PHONE_COLUMN_PX`` 像素，比它宽的图整体缩小。图中文字显示出来的字号 =
SVG 里的字号 × 显示宽度 ÷ SVG 的 viewBox 宽度，要求不小于 ``MIN_TEXT_PX``（9 像素）。

- matplotlib 的图（内联 SVG，``svg.fonttype: path``）把文字画成字形路径：每段文字是一个
  ``<g id="text_N">``，里面有 ``<!-- 原文 -->`` 注释和 ``transform="… scale(s -s)"``，字号 = 100·s 磅
  （matplotlib 的 ``TextToPath.FONT_SCALE`` 是 100；SVG 的单位是磅，宽度写作 ``…pt``）。数学公式里的
  上下标另外缩小（``scale(0.7)``），按排版惯例不计。
- 手写的 SVG 示意图（``<img src="….svg">``）：``font-size`` 属性或样式，显示宽度取 ``width``（没有就取 viewBox）。

中文：每段不是数字、公式或代码名的文字要含汉字（启发式：含常见的英文标签词或两个以上英文单词、又没有汉字的
文字算「只有英文」）。
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

from dlnotes.data.source import FASHION_MNIST_LABELS
from dlnotes.plotting import MIN_TEXT_PX, PHONE_COLUMN_PX

# 还没重画的手写示意图：（当前在手机上的最小字号，像素）。重画后从这里删掉——测试核对这张表只会变短：
# 表里的图如果已经达标，测试失败并提示删掉它。
PENDING_REDRAW: set[str] = set()

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MATH = re.compile(r"\$[^$]*\$")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
CODE = re.compile(r"\S*[_=()\[\]]\S*")  # 代码与函数记号（use_1x1conv=True、relu(x)）
# 图中常见的英文标签词（单独出现也算英文标签）；函数名、模型名（sigmoid、ReLU、Xavier）不在其中
LABEL_WORDS = {
    w.lower()
    for w in (
        "loss train test epoch epochs accuracy acc time step input output kernel data prediction "
        "preds predictions layer std gradient gradients weight weights valid validation fold round "
        "source target true noisy mean norm perplexity truth ground image images label labels "
        "value values activation activations forward backward hidden space separable error "
        "number factors product samples sample iteration iterations learning rate"
    ).split()
} | {w for name in FASHION_MNIST_LABELS for w in name.lower().split()}

SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
TEXT_GROUP = re.compile(
    r'<g id="text_\d+">\s*<!-- (.*?) -->.*?scale\(([\d.]+) -[\d.]+\)', re.S
)  # 一段文字：注释里的原文与第一个字形缩放
DL_FIGURE = re.compile(r'<div class="dl-figure"[^>]*>(<svg\b.*?</svg>)</div>', re.S)
IMG_SVG = re.compile(r'<img\b[^>]*\bsrc="([^"]+\.svg)"', re.S)
FONT_SIZE = re.compile(r'font-size(?:="|:\s*)([\d.]+)(px|pt)?')
SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\b{name}="([^"]*)"', tag)
    return m.group(1) if m else None


def _length_px(value: str | None) -> float | None:
    """SVG 的长度（``460.8pt``、``620``、``620px``）→ CSS 像素。百分比等无法确定的返回 None。"""
    if not value:
        return None
    m = re.fullmatch(r"\s*([\d.]+)\s*(pt|px)?\s*", value)
    if not m:
        return None
    return float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1)


def svg_geometry(svg: str) -> tuple[float, float]:
    """(自然显示宽度 CSS 像素, viewBox 宽度)。"""
    tag = SVG_OPEN.search(svg).group(0)
    vb = _attr(tag, "viewBox")
    vb_width = float(vb.split()[2]) if vb else None
    width = _length_px(_attr(tag, "width"))
    if width is None and vb_width is None:
        raise ValueError("SVG 既没有 width 也没有 viewBox")
    return (width or vb_width), (vb_width or width)


def phone_px_per_unit(svg: str) -> float:
    """在 390 像素宽的手机上，SVG 的一个用户单位显示成多少 CSS 像素。"""
    natural, vb_width = svg_geometry(svg)
    return min(natural, PHONE_COLUMN_PX) / vb_width


def matplotlib_texts(svg: str) -> list[tuple[str, float]]:
    """matplotlib SVG 里的每段文字：(原文, 字号·用户单位)。"""
    return [
        (html_lib.unescape(text), float(scale) * 100) for text, scale in TEXT_GROUP.findall(svg)
    ]


def drawn_texts(svg: str) -> list[tuple[str, float]]:
    """手写 SVG 里的每个 ``<text>``：(文字, 字号·用户单位)；没写字号的继承 ``<svg>``（默认 16）。"""
    root = SVG_OPEN.search(svg).group(0)
    m = FONT_SIZE.search(root)
    default = float(m.group(1)) if m else 16.0
    out = []
    for m in re.finditer(r"<text\b([^>]*)>(.*?)</text>", svg, re.S):
        size = FONT_SIZE.search(m.group(1))
        text = re.sub(r"<[^>]+>", "", m.group(2))
        out.append((html_lib.unescape(text).strip(), float(size.group(1)) if size else default))
    return out


def english_only(text: str) -> bool:
    """只有英文的标签（没有汉字，去掉公式后含常见英文标签词或两个以上英文单词）。"""
    if CJK.search(text):
        return False
    words = [w.lower() for w in WORD.findall(CODE.sub(" ", MATH.sub(" ", text)))]
    return len(words) >= 2 or any(w in LABEL_WORDS for w in words)


def figure_problems(name: str, svg: str, texts: list[tuple[str, float]]) -> list[str]:
    scale = phone_px_per_unit(svg)
    problems = []
    small = [(t, size * scale) for t, size in texts if size * scale < MIN_TEXT_PX - 1e-6]
    if small:
        t, px = min(small, key=lambda x: x[1])
        problems.append(
            f"{name}: {len(small)} 段文字在 390 像素的手机上小于 {MIN_TEXT_PX} 像素"
            f"（最小 {px:.1f} 像素：{t!r}）"
        )
    english = [t for t, _ in texts if english_only(t)]
    if english:
        problems.append(f"{name}: 图中有只用英文的文字：{english[:6]}")
    return problems


# ---- 判据本身能失败（不需要构建） ----

MPL_SVG = """<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}pt" height="180pt"
viewBox="0 0 {w} 180" xmlns="http://www.w3.org/2000/svg" version="1.1">
 <g id="text_1">
  <!-- {label} -->
  <g transform="translate(16 79) rotate(-90) scale({s} -{s})"><use xlink:href="#a"/></g>
 </g>
</svg>"""


@pytest.mark.parametrize(
    ("width_pt", "size_pt", "ok"),
    [
        (252, 10, True),  # 3.5 英寸宽：不缩小，10 磅 = 13.3 像素
        (396, 10, True),  # 5.5 英寸：缩到 358 像素，10 磅 → 9.04 像素
        (864, 10, False),  # 12 英寸的 1×4 图：10 磅 → 4.1 像素
        (252, 6, False),  # 不缩小，但 6 磅 = 8 像素
    ],
)
def test_phone_text_size_rule(width_pt, size_pt, ok):
    svg = MPL_SVG.format(w=width_pt, s=size_pt / 100, label="损失")
    problems = figure_problems("probe", svg, matplotlib_texts(svg))
    assert (not problems) == ok, problems


def test_english_only_labels_are_found():
    for label in ("train loss", "hidden space: separable", "epoch", "L2 loss", "ankle boot"):
        assert english_only(label), label
    for label in (
        "训练损失",
        "$L_2$ 损失",
        "$x_1$",
        "0.5",
        "sigmoid",
        "relu(x)",
        "N(0, 1)",
        "1e-3",
    ):
        assert not english_only(label), label
    svg = MPL_SVG.format(w=252, s=0.1, label="train loss")
    assert figure_problems("probe", svg, matplotlib_texts(svg))


def test_hand_drawn_svg_sizes_are_read():
    svg = '<svg width="900" height="100" viewBox="0 0 900 100" font-size="12"><text x="1" y="1">输入</text><text font-size="20">输出</text></svg>'
    texts = drawn_texts(svg)
    assert texts == [("输入", 12.0), ("输出", 20.0)]
    assert phone_px_per_unit(svg) == pytest.approx(PHONE_COLUMN_PX / 900)
    assert figure_problems("probe", svg, texts)  # 12 像素 × 358/900 = 4.8 像素


# ---- 构建出的站点 ----


def _article(page_html: str) -> str:
    m = re.search(r'<article class="md-content__inner[^"]*"[^>]*>(.*)</article>', page_html, re.S)
    return m.group(1) if m else page_html


def test_every_figure_is_readable_on_a_phone_and_chinese(built_site):
    if built_site.returncode != 0:
        pytest.fail("站点构建失败：\n" + built_site.output[-3000:])
    site = built_site.site
    problems: list[str] = []
    n_plots = n_drawn = 0
    smallest: list[tuple[float, str]] = []
    drawn_seen: dict[str, list[str]] = {}
    for page in sorted(site.rglob("index.html")):
        rel = page.parent.relative_to(site).as_posix()
        if rel.startswith(("assets", "search")):
            continue
        article = _article(page.read_text(encoding="utf-8"))
        for i, svg in enumerate(DL_FIGURE.findall(article), start=1):
            n_plots += 1
            texts = matplotlib_texts(svg)
            name = f"{rel or '.'}/ 第 {i} 张图"
            problems += figure_problems(name, svg, texts)
            if texts:
                scale = phone_px_per_unit(svg)
                smallest.append((min(size for _, size in texts) * scale, name))
        for src in IMG_SVG.findall(article):
            path = (page.parent / src).resolve()
            assert path.is_file(), f"{rel}: 图 {src} 不存在"
            key = path.relative_to(site.resolve()).as_posix()
            if key in drawn_seen:
                continue
            n_drawn += 1
            svg = path.read_text(encoding="utf-8")
            texts = drawn_texts(svg)
            drawn_seen[key] = figure_problems(key, svg, texts)
            if texts:
                smallest.append((min(s for _, s in texts) * phone_px_per_unit(svg), key))
    for key, found in drawn_seen.items():
        if key in PENDING_REDRAW:
            assert found, f"{key} 已经达标：从 PENDING_REDRAW 中删掉它"
        else:
            problems += found
    assert not set(PENDING_REDRAW) - set(drawn_seen), "PENDING_REDRAW 里有不存在的图"
    smallest.sort()
    print(
        f"\n{n_plots} 张代码生成的图，{n_drawn} 张手写示意图（{len(PENDING_REDRAW)} 张待重画）；"
        f"手机上最小的文字：" + "；".join(f"{name} {px:.1f} 像素" for px, name in smallest[:5])
    )
    assert n_plots > 30 and n_drawn > 10
    assert not problems, f"{len(problems)} 个问题：\n" + "\n".join(problems)
