"""报错：每个失败都写明 页面:行号；traceback 中的 ``Cell In[n], line m`` 换算成页面的文件行号。"""

from __future__ import annotations

import re

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
_CELL_RE = re.compile(r"Cell In\[(\d+)\], line (\d+)")


def format_error(block, exc: Exception, blocks_by_count: dict | None = None) -> str:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    head = f"{block.where}: 代码块运行失败"
    if isinstance(exc, CellTimeoutError):
        hint = (
            "若确实需要更久，改大 notebook metadata 里的 execution.timeout（秒）。"
            if getattr(block, "is_notebook", False)
            else "若确实需要更久，在块前加 <!--pytest.mark.timeout(秒)-->。"
        )
        return f"{block.where}: 代码块运行超过 {block.timeout} 秒，已被中止。{hint}"
    if isinstance(exc, CellExecutionError):
        text = _ANSI_RE.sub("", str(exc))
        # nbclient 的消息先重复整段代码，再给 traceback；只保留 traceback 部分
        marker = "------------------"
        if text.count(marker) >= 2:
            text = text.split(marker, 2)[-1].strip()

        where_fail = []

        def to_page_line(m):
            b = (blocks_by_count or {}).get(int(m.group(1)))
            if b is None:
                return m.group(0)
            loc = b.where_line(int(m.group(2)))
            if b is block:
                where_fail.append(loc)
            return loc

        text = _CELL_RE.sub(to_page_line, text)
        if where_fail and getattr(block, "is_notebook", False):
            head = f"{where_fail[-1]}: 代码块运行失败"  # notebook：cell N, line M
        return f"{head}：\n{text}"
    return f"{head}：{type(exc).__name__}: {exc}"


def display_error(block, figures: list[str], errors: list[dict]) -> str:
    """块本身运行成功，但显示它的输出时出错（例如 matplotlib 渲染 SVG 时遇到坏的公式宏）。"""
    detail = "\n".join(
        _ANSI_RE.sub("", f"{e.get('ename', 'Error')}: {e.get('evalue', '')}").strip()
        for e in errors
    )
    if figures:
        head = (
            f"{block.where}: 图没有画出来（matplotlib 渲染图时出错，页面上只会剩下 {figures[0]}）"
        )
    else:
        head = f"{block.where}: 显示代码块的输出时出错"
    return head + (f"：\n{detail[-3000:]}" if detail else "")
