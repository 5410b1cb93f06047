"""notebook → 页面的 Markdown：与 Markdown 页面走同一条路（同样的代码样式、输出渲染器、页首）。

markdown cell 原样成为正文；code cell 成为 ```` ```python ```` 代码块，输出的位置放一个占位注释
（由调用者给出：MkDocs 插件把渲染好的输出 HTML 在 Markdown 转换之后放进去，与 Markdown 页面相同）。

cell 标签（MyST-NB 的名字与含义）：

- ``remove-cell``：整个 cell 不出现；``remove-input``：只显示输出；``remove-output``：只显示代码；
  ``remove-stderr``：去掉 stderr 的输出（其他输出照常）；
- ``hide-input`` / ``hide-output`` / ``hide-cell``：代码 / 输出 / 两者折叠起来（Material 的可折叠提示框
  ``??? note``，点击展开），不是删掉；
- ``skip-execution``、``raises-exception``：执行时的标签，见 engine/blocks.py。
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

REMOVE_CELL, REMOVE_INPUT, REMOVE_OUTPUT, REMOVE_STDERR = (
    "remove-cell",
    "remove-input",
    "remove-output",
    "remove-stderr",
)
HIDE_CELL, HIDE_INPUT, HIDE_OUTPUT = "hide-cell", "hide-input", "hide-output"
HIDE_TITLES = {HIDE_CELL: "显示代码与输出", HIDE_INPUT: "显示代码", HIDE_OUTPUT: "显示输出"}

_BACKTICKS_RE = re.compile(r"`{3,}")


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def visible_outputs(outputs: list[dict], tags) -> list[dict]:
    """按标签筛过的输出（``remove-output`` 全去掉，``remove-stderr`` 去掉 stderr 流）。"""
    if REMOVE_OUTPUT in tags or REMOVE_CELL in tags:
        return []
    if REMOVE_STDERR in tags:
        return [
            o
            for o in outputs
            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
        ]
    return list(outputs)


def cell_outputs(r) -> list[dict]:
    """一个 code cell 的结果（BlockResult）中要显示的输出（按它的标签筛过）。"""
    return visible_outputs(r.outputs, r.block.tags)


def code_fence(code: str) -> list[str]:
    """代码 → ```python 围栏（代码里有 ``` 时围栏更长）。"""
    longest = max((len(m) for m in _BACKTICKS_RE.findall(code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}python", *code.rstrip("\n").split("\n"), ticks]


def _collapsed(title: str, lines: list[str]) -> list[str]:
    """Material 的可折叠提示框（pymdownx.details），内容缩进 4 格。"""
    return [f'??? note "{title}"', ""] + [("    " + ln) if ln.strip() else "" for ln in lines]


def code_cell_markdown(code: str, tags, output_token: str) -> list[str]:
    """一个 code cell 的 Markdown：代码围栏与输出占位，按 remove-*/hide-* 标签取舍或折叠。"""
    tags = set(tags)
    if REMOVE_CELL in tags:
        return []
    code_lines = [] if REMOVE_INPUT in tags or not code.strip() else code_fence(code)
    out_lines = [output_token] if output_token else []
    if HIDE_CELL in tags and (code_lines or out_lines):
        both = code_lines + ([""] if code_lines and out_lines else []) + out_lines
        return _collapsed(HIDE_TITLES[HIDE_CELL], both)
    if HIDE_INPUT in tags and code_lines:
        code_lines = _collapsed(HIDE_TITLES[HIDE_INPUT], code_lines)
    if HIDE_OUTPUT in tags and out_lines:
        out_lines = _collapsed(HIDE_TITLES[HIDE_OUTPUT], out_lines)
    return code_lines + ([""] if code_lines and out_lines else []) + out_lines


def notebook_markdown(
    nb, results: list, output_token: Callable[[object], str], header: str = ""
) -> str:
    """整个 notebook → Markdown。``results``：各 code cell 的 BlockResult（顺序相同）；
    ``output_token(result)``：这个 cell 渲染好的输出的占位注释（没有输出时是空串；输出先按
    ``visible_outputs`` 筛过）；
    ``header``：页首（下载、Colab、出处一行），放在第一个一级标题之后。"""
    parts: list[str] = []
    header_done = not header
    code_results = iter(results)
    for cell in nb["cells"]:
        kind = cell.get("cell_type")
        tags = tuple((cell.get("metadata") or {}).get("tags", []) or ())
        if kind == "code":
            r = next(code_results)
            if REMOVE_CELL in tags:
                continue
            token = output_token(r)
            lines = code_cell_markdown(_text(cell.get("source")), tags, token)
        elif kind == "markdown":
            if REMOVE_CELL in tags:
                continue
            lines = _text(cell.get("source")).split("\n")
            if not header_done:
                for i, line in enumerate(lines):
                    if line.startswith("# "):
                        lines[i + 1 : i + 1] = ["", header, ""]
                        header_done = True
                        break
        else:  # raw cell：不属于页面（MyST-NB 也只按 MIME 类型显示它们；本站的 notebook 不用）
            continue
        if lines:
            parts.append("\n".join(lines))
    text = "\n\n".join(parts) + "\n"
    if not header_done:
        text = header + "\n\n" + text
    return text


def notebook_page_markdown(
    path: Path, results: list, rendered: list[tuple], output_token, header: str
) -> str:
    """读 notebook 文件，转成页面的 Markdown。``rendered`` = [(块, 输出 HTML)]（输出先经
    ``cell_outputs`` 筛过）；``output_token(html, 页面:行号)`` 给出放在 cell 后面的占位注释
    （插件的 ``Slots.token``）；没有输出的 cell 后面不放。"""
    import nbformat

    html_of = {b.index: h for b, h in rendered}

    def token(r) -> str:
        html_out = html_of.get(r.block.index)
        return output_token(html_out, r.block.where) if html_out else ""

    return notebook_markdown(nbformat.read(path, as_version=4), results, token, header)
