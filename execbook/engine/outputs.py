"""输出：整理内核给出的 nbformat 输出，并按 MIME 类型渲染成 HTML。

只有一种输出模型：nbformat 的输出字典（``output_type``、``name``/``text`` 或 ``data``/``metadata``）。
缓存里存的就是它们（整理过：相邻的同名流合并，``\\r`` 只保留最后状态），页面与下载的 notebook 都从它们渲染。

渲染出来的是 **HTML**，由 MkDocs 插件在 Markdown 转换**之后**放进页面（见 plugins/execute/splice.py）：
代码打印的任何东西都只是数据，不会被 Markdown、pymdownx.snippets 或公式扩展当作页面源文来解读。
输出（文字、图、HTML）带 ``data-search-exclude``：Material 的搜索只索引正文与代码，不索引输出
（日志、数字和 SVG 路径对搜索没有用，还会让构建变慢）；训练记录框照常可搜。

渲染器按 MIME 类型登记（``register``）：一个输出取它带有的、优先级最高的已登记类型；一个也没有时，
发出 ``OutputWarning``（写明页面:行号），不让输出悄悄消失。引擎登记通用的类型（图、HTML、公式、文字）；
只属于本书的类型（训练记录）由 MkDocs 插件从引擎之外登记（见 plugins/execute/renderers.py）。
"""

from __future__ import annotations

import base64
import html
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

FIGURE_FALLBACK_RE = re.compile(r"^<Figure size [\d.]+x[\d.]+ with \d+ Axes>$")
STORE_LIMIT_BYTES = 8 * 2**20  # 每块存进缓存的输出上限（固定，属于引擎格式）

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")  # traceback 里的终端颜色
_SVG_PROLOG_RE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)
_SVG_METADATA_RE = re.compile(r"<metadata>.*?</metadata>", re.S)


@dataclass
class OutputLimits:
    """渲染时的输出上限（mkdocs.yml 中执行插件的设置，见 CONTRIBUTING.md「输出的大小上限」）。"""

    block_bytes: int = 2_000_000  # 每个块的输出
    page_bytes: int = 8_000_000  # 每页全部输出
    notebook_bytes: int = 16_000_000  # 下载的 notebook 中的全部输出
    lines: int = 400  # 每段文字输出的行数（超过只保留头尾）
    fold_lines: int = 25  # 超过这么多行的文字输出折叠起来


@dataclass
class Budget:
    """一页（或一个 notebook）剩余的输出字节数，以及触到上限的记录。"""

    remaining: int
    hits: list[str] = field(default_factory=list)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _clean_stream(text: str) -> str:
    """处理回车（tqdm 进度条只保留最后状态）。"""
    lines = []
    for line in text.split("\n"):
        if "\r" in line:
            parts = [p for p in line.split("\r") if p]
            line = parts[-1] if parts else ""
        lines.append(line)
    return "\n".join(lines)


def normalize(outputs) -> list[dict]:
    """内核输出 → 可 JSON 序列化的 nbformat 输出字典（相邻同名流合并、回车处理、执行序号去掉）。"""
    out: list[dict] = []
    for o in outputs:
        o = json.loads(json.dumps(o))  # NotebookNode → 普通字典
        kind = o.get("output_type")
        if kind == "stream":
            o["text"] = _text(o.get("text", ""))
            if out and out[-1]["output_type"] == "stream" and out[-1]["name"] == o["name"]:
                out[-1]["text"] += o["text"]
                continue
        elif kind == "execute_result":
            o["execution_count"] = None  # 重跑时序号不同；输出应与序号无关
        out.append(o)
    for o in out:
        if o["output_type"] == "stream":
            o["text"] = _clean_stream(o["text"])
    return out


def failed_figures(outputs: list[dict]) -> list[str]:
    """没画出来的图：matplotlib 渲染 SVG 出错时，IPython 只留下 ``<Figure size … with N Axes>`` 文字。"""
    bad = []
    for o in outputs:
        data = o.get("data") or {}
        if o.get("output_type") in ("display_data", "execute_result") and set(data) == {
            "text/plain"
        }:
            text = _text(data["text/plain"]).strip()
            if FIGURE_FALLBACK_RE.match(text):
                bad.append(text)
    return bad


def size(o: dict) -> int:
    return len(json.dumps(o, ensure_ascii=False).encode("utf-8"))


def _cut_bytes(text: str, limit: int) -> tuple[str, int]:
    """保留开头约 3/4、结尾约 1/4 的字节，中间写明省略了多少。"""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text, 0
    head = raw[: limit * 3 // 4].decode("utf-8", "ignore")
    tail = raw[len(raw) - limit // 4 :].decode("utf-8", "ignore")
    omitted = len(raw) - len(head.encode()) - len(tail.encode())
    return f"{head}\n…（省略 {omitted} 字节）…\n{tail}", omitted


def cap_for_store(outputs: list[dict], limit: int = STORE_LIMIT_BYTES) -> tuple[list[dict], bool]:
    """存进缓存前的上限：超出的文字只保留头尾，超出的图/HTML 换成一行说明。"""
    total = sum(size(o) for o in outputs)
    if total <= limit:
        return outputs, False
    per = max(limit // max(len(outputs), 1), 1024)
    out = []
    for o in outputs:
        if size(o) <= per:
            out.append(o)
        elif o["output_type"] == "stream":
            out.append(dict(o, text=_cut_bytes(o["text"], per)[0]))
        else:
            data = o.get("data") or {}
            plain = _text(data.get("text/plain", ""))
            note = f"（输出 {size(o)} 字节，超过引擎的存储上限 {limit} 字节，已省略）"
            out.append(
                dict(o, data={"text/plain": _cut_bytes(plain, per)[0] + "\n" + note}, metadata={})
            )
    return out, True


# ---------------------------------------------------------------- HTML


def _cap_lines(text: str, max_lines: int) -> str:
    lines = text.rstrip("\n").split("\n")
    if len(lines) <= max_lines:
        return "\n".join(lines)
    n_tail = max(max_lines // 5, 1)
    n_head = max_lines - n_tail
    head, tail = lines[:n_head], lines[-n_tail:]
    return "\n".join(head + [f"…（省略 {len(lines) - n_head - n_tail} 行）…"] + tail)


def text_block(text: str, title: str, limits: OutputLimits, byte_limit: int) -> tuple[str, bool]:
    """(HTML, 是否因字节上限截断)。"""
    text = _cap_lines(text, limits.lines)
    text, omitted = _cut_bytes(text, max(byte_limit - 512, 256))
    code = (
        f'<div class="language-text highlight dl-output" data-search-exclude><span class="filename">'
        f"{html.escape(title)}"
        f"</span><pre><span></span><code>{html.escape(text)}</code></pre></div>"
    )
    n = text.count("\n") + 1
    if n > limits.fold_lines:
        code = (
            f'<details class="note" data-search-exclude><summary>{html.escape(title)}（{n} 行，点击展开）'
            "</summary>"
            f"{code}</details>"
        )
    return code, omitted > 0


def svg_inline(svg: str) -> str:
    """matplotlib 的 SVG → 可内联的 HTML。"""
    svg = _SVG_PROLOG_RE.sub("", svg)
    svg = _SVG_METADATA_RE.sub("", svg)
    svg = " ".join(line.strip() for line in svg.strip().splitlines())
    return f'<div class="dl-figure" data-search-exclude>{svg}</div>'


def skip_note(reason: str) -> str:
    return (
        '<div class="admonition warning"><p class="admonition-title">此代码块在构建时不运行</p>'
        f"<p>原因：{html.escape(reason)}</p></div>"
    )


def _note(text: str) -> str:
    return f'<p class="dl-output-limit"><em>{html.escape(text)}</em></p>'


class OutputWarning(UserWarning):
    """输出没法显示（没有渲染器的 MIME 类型）：构建报告为警告，严格构建因此失败。"""


# 渲染器：(值, 上限, 剩余字节) → (HTML, 是否截断)
Renderer = Callable[[object, OutputLimits, int], tuple[str, bool]]
_RENDERERS: dict[str, tuple[int, Renderer]] = {}


def register(mime: str, renderer: Renderer, priority: int) -> None:
    """登记（或替换）一个 MIME 类型的渲染器；一个输出有几种类型时，priority 大的优先。"""
    _RENDERERS[mime] = (priority, renderer)


def renderer_for(data: dict) -> tuple[str, Renderer] | None:
    """输出数据里优先级最高的、有渲染器的 MIME 类型。"""
    known = [(_RENDERERS[m][0], m) for m in data if m in _RENDERERS]
    if not known:
        return None
    mime = max(known)[1]
    return mime, _RENDERERS[mime][1]


def _svg(value, limits, byte_limit):
    return svg_inline(_text(value)), False


def _image(mime: str) -> Renderer:
    def render(value, limits, byte_limit):
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        value = _text(value).replace("\n", "")
        return (
            '<div class="dl-figure" data-search-exclude><img alt="代码输出的图" '
            f'src="data:{mime};base64,{html.escape(value)}"></div>'
        ), False

    return render


def _html(value, limits, byte_limit):
    return f'<div class="dl-html" data-search-exclude>{_text(value)}</div>', False


_MATH_DELIMS = (("$$", "$$"), ("\\[", "\\]"), ("$", "$"))


def latex_html(value, limits=None, byte_limit=0) -> tuple[str, bool]:
    """``text/latex`` → 交给 MathJax 排版的显示公式（站点的 MathJax 只处理 class 为 arithmatex 的元素）。"""
    tex = _text(value).strip()
    for left, right in _MATH_DELIMS:
        if len(tex) > len(left) + len(right) and tex.startswith(left) and tex.endswith(right):
            tex = tex[len(left) : -len(right)].strip()
            break
    return f'<div class="arithmatex" data-search-exclude>\\[{html.escape(tex)}\\]</div>', False


def _plain(value, limits, byte_limit):
    return text_block(_text(value), "结果", limits, byte_limit)


register("image/svg+xml", _svg, 60)
register("image/png", _image("image/png"), 50)
register("image/jpeg", _image("image/jpeg"), 50)
register("text/html", _html, 40)
register("text/latex", latex_html, 30)
register("text/plain", _plain, 0)


def render_output(
    o: dict, limits: OutputLimits, byte_limit: int, where: str = "?"
) -> tuple[str, bool]:
    """一个 nbformat 输出 → (HTML, 是否截断)：按登记的渲染器选最好的表示。"""
    if o.get("output_type") == "stream":
        text = _text(o.get("text", ""))
        if not text.strip():
            return "", False
        title = "输出" if o.get("name") == "stdout" else "输出（stderr）"
        return text_block(text, title, limits, byte_limit)
    if o.get("output_type") == "error":
        tb = _ANSI_RE.sub("", "\n".join(o.get("traceback", [])))  # 有意报错（raises-exception）
        return text_block(tb, "错误", limits, byte_limit)
    data = o.get("data") or {}
    found = renderer_for(data)
    if found is None:
        if data:
            warnings.warn(
                f"{where}: 输出的 MIME 类型（{'、'.join(sorted(data))}）没有渲染器，也没有 text/plain，"
                "页面上不显示这个输出",
                OutputWarning,
                stacklevel=2,
            )
        return "", False
    mime, renderer = found
    return renderer(data[mime], limits, byte_limit)


def render_block(outputs: list[dict], limits: OutputLimits, budget: Budget, where: str) -> str:
    """一个块的全部输出 → HTML，受每块与每页的字节上限约束（触到上限记在 budget.hits）。"""
    parts: list[str] = []
    used = 0
    for o in outputs:
        block_left = limits.block_bytes - used
        left = min(block_left, budget.remaining)
        which, cap = (
            ("每页", limits.page_bytes)
            if budget.remaining < block_left
            else ("每块", limits.block_bytes)
        )
        if left <= 512:
            piece, truncated, too_big = "", False, True
        else:
            piece, truncated = render_output(o, limits, left, where)
            too_big = len(piece.encode("utf-8")) > left
        if too_big or truncated:
            what = "只显示开头和结尾" if truncated and not too_big else "这段输出没有显示"
            msg = f"{where}: 输出超过{which}上限 {cap} 字节，{what}"
            budget.hits.append(msg)
            if too_big:
                parts.append(
                    _note(f"（输出超过{which}上限 {cap} 字节，没有显示；完整输出请在本地运行）")
                )
                continue
        n = len(piece.encode("utf-8"))
        parts.append(piece)
        used += n
        budget.remaining -= n
    return "\n".join(p for p in parts if p)
