"""把引擎记录的输出渲染成 Markdown（插在代码块后面）。"""

from __future__ import annotations

import base64
import html
import re

from .engine import RESULT_MIME, BlockResult

FOLD_LINES = 25  # 超过这么多行的输出折叠起来
CAP_LINES = 400  # 超过这么多行只保留头尾

_SVG_PROLOG_RE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)
_SVG_METADATA_RE = re.compile(r"<metadata>.*?</metadata>", re.S)


def _cap(text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    if len(lines) <= CAP_LINES:
        return "\n".join(lines)
    head, tail = lines[:300], lines[-80:]
    return "\n".join(head + [f"…（省略 {len(lines) - 380} 行）…"] + tail)


def _fence(text: str, title: str) -> list[str]:
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return [f'{ticks}text title="{title}"', *text.split("\n"), ticks]


def _text_block(text: str, title: str) -> list[str]:
    text = _cap(text)
    n = text.count("\n") + 1
    if n <= FOLD_LINES:
        return _fence(text, title)
    return [f'??? note "{title}（{n} 行，点击展开）"', ""] + [
        ("    " + line) if line else "" for line in _fence(text, title)
    ]


def svg_inline(svg: str) -> str:
    """matplotlib 的 SVG → 可内联的一行 HTML。"""
    svg = _SVG_PROLOG_RE.sub("", svg)
    svg = _SVG_METADATA_RE.sub("", svg)
    svg = " ".join(line.strip() for line in svg.strip().splitlines())
    return f'<div class="dl-figure">{svg}</div>'


def result_note(record: dict) -> list[str]:
    """训练记录 → 一个小提示框，写明数据、设备与设置。"""
    parts = [f"数据：{record.get('data', '未知')}", f"设备：{record.get('device', '?')}"]
    settings = [f"{k} = {record[k]}" for k in ("epochs", "lr", "batch_size") if k in record]
    if settings:
        parts.append("设置：" + "，".join(settings))
    parts.append(f"torch {record.get('torch', '?')}，{record.get('date', '')}")
    body = "；".join(parts) + "。"
    return [f'!!! info "训练记录：{record.get("name", "")}"', "", "    " + body]


def render_outputs(result: BlockResult) -> list[str]:
    """一个块的全部输出 → Markdown 行（未缩进）。"""
    out: list[str] = []
    for o in result.outputs:
        if o["type"] == "stream":
            text = o["text"]
            if not text.strip():
                continue
            title = "输出" if o["name"] == "stdout" else "输出（stderr）"
            out += _text_block(text, title) + [""]
            continue
        data = o.get("data", {})
        if RESULT_MIME in data:
            out += result_note(data[RESULT_MIME]) + [""]
        elif "image/svg+xml" in data:
            out += [svg_inline(data["image/svg+xml"]), ""]
        elif "image/png" in data:
            png = data["image/png"]
            if isinstance(png, bytes):
                png = base64.b64encode(png).decode()
            out += [
                f'<div class="dl-figure"><img alt="代码输出的图" src="data:image/png;base64,{png}"></div>',
                "",
            ]
        elif "text/html" in data:
            out += [
                '<div class="dl-html">' + " ".join(str(data["text/html"]).splitlines()) + "</div>",
                "",
            ]
        elif "text/plain" in data:
            out += _text_block(str(data["text/plain"]), "结果") + [""]
    return out


def skip_note(reason: str) -> list[str]:
    return ['!!! warning "此代码块在构建时不运行"', "", f"    原因：{html.escape(reason)}", ""]
