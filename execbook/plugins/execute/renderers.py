"""登记到引擎的渲染器中只属于本书（或本站设置）的那些：引擎本身不认识它们。

- 训练记录（``dlnotes.report_result`` 的输出，MIME ``RESULT_MIME``）→ 一个小提示框：数据、设备、设置；
- ``text/markdown`` → 用站点的 Markdown 扩展与设置（mkdocs.yml 的 markdown_extensions）转成 HTML。

新的输出类型：写一个 ``(值, 上限, 剩余字节) -> (HTML, 是否截断)`` 的函数，在这里（本书专有）或
``engine/outputs.py``（通用类型）调用 ``register``——只改这一处。
"""

from __future__ import annotations

import html
import json

import markdown

from ...engine.outputs import register
from ...engine.protocol import RESULT_MIME


def result_note(record: dict) -> str:
    """训练记录 → 一个小提示框，写明数据、设备与设置。"""
    parts = [f"数据：{record.get('data', '未知')}", f"设备：{record.get('device', '?')}"]
    settings = [f"{k} = {record[k]}" for k in ("epochs", "lr", "batch_size") if k in record]
    if settings:
        parts.append("设置：" + "，".join(settings))
    parts.append(f"torch {record.get('torch', '?')}，{record.get('date', '')}")
    body = "；".join(parts) + "。"
    return (
        '<div class="admonition info"><p class="admonition-title">'
        f"训练记录：{html.escape(str(record.get('name', '')))}</p><p>{html.escape(body)}</p></div>"
    )


def _result(value, limits, byte_limit):
    return result_note(json.loads(value) if isinstance(value, str) else value), False


def markdown_renderer(extensions: list, configs: dict):
    """``text/markdown`` 的渲染器：与站点的页面用同样的扩展与设置。"""
    md = markdown.Markdown(extensions=extensions, extension_configs=configs)

    def render(value, limits, byte_limit):
        text = "".join(value) if isinstance(value, list) else str(value)
        body = md.reset().convert(text)
        return f'<div class="dl-markdown" data-search-exclude>{body}</div>', False

    return render


def register_book_renderers(extensions: list, configs: dict) -> None:
    register(RESULT_MIME, _result, 100)
    register("text/markdown", markdown_renderer(extensions, configs), 35)
