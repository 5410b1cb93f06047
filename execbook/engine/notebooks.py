"""notebook 的写出：执行过的 notebook 与「下载本页 notebook」（页面 → nbformat 4，带输出）。"""

from __future__ import annotations

import json

from .blocks import expand_snippets
from .outputs import size
from .protocol import KERNELSPEC


def new_notebook(cells: list) -> dict:
    """nbformat 4 的 notebook（普通字典，不做校验；cell id 按序号给出，同样的内容得到同样的文件）。"""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": KERNELSPEC},
        "cells": cells,
    }


def markdown_cell(source: str, n: int) -> dict:
    return {"id": f"cell-{n}", "cell_type": "markdown", "metadata": {}, "source": source}


def code_cell(source: str, outputs: list[dict], n: int, tags: list[str] | None = None) -> dict:
    meta = {"tags": tags} if tags else {}
    return {
        "id": f"cell-{n}",
        "cell_type": "code",
        "metadata": meta,
        "execution_count": None,
        "source": source,
        "outputs": outputs,
    }


def notebook_bytes(nb) -> str:
    """notebook → JSON 文本，与 nbformat 写出的格式相同（缩进 1、键排序），但不做校验也不复制：
    输出来自内核、结构已知；多行字符串保持为一个字符串（nbformat 的 schema 允许）。"""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def cap_notebook_outputs(cells, limit: int, where: str) -> list[str]:
    """下载/执行的 notebook：全部输出超过 limit 字节时，之后的输出换成一行说明。返回触到上限的记录。"""
    used, hits = 0, []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for o in cell.get("outputs", []):
            n = size(o)
            if used + n > limit:
                if not hits:
                    hits.append(
                        f"{where}: notebook 的输出超过上限 {limit} 字节，之后的输出没有放进 notebook"
                    )
                kept.append(
                    {
                        "output_type": "stream",
                        "name": "stdout",
                        "text": f"（输出超过 notebook 上限 {limit} 字节，已省略；请在本地运行）\n",
                    }
                )
                break
            used += n
            kept.append(o)
        cell["outputs"] = kept
    return hits


def download_tags(b) -> list[str] | None:
    """页面的块在下载的 notebook 里的标签（Jupyter、nbclient、MyST-NB 照同样的方式运行它）。"""
    tags = (
        ["check"] * b.check
        + ["raises-exception"] * b.raises
        + ["skip-execution"] * (b.skip_reason is not None)
    )
    return tags or None


def page_notebook(
    text: str, result, limit: int, where: str, snippets: dict | None = None
) -> tuple[str, list[str]]:
    """页面源文 + 运行结果 → (notebook 的 JSON 文本, 触到上限的记录)。

    代码块为 code cell（带输出；标签见 ``download_tags``），其间的文字为 markdown cell；
    文字里的 ``--8<--`` 行（``python-show`` 块嵌入的 dlnotes 源码）按 ``snippets`` 设置展开，
    notebook 里显示的是源码而不是嵌入行。
    """

    def markdown(md: str) -> str:
        return expand_snippets(md, snippets).strip()

    lines = text.split("\n")
    cells: list[dict] = []
    prev = 0
    for r in result.results:
        b = r.block
        md = "\n".join(lines[prev : b.lineno - 1]).strip()
        if md:
            cells.append(markdown_cell(markdown(md), len(cells)))
        tags = download_tags(b)
        cells.append(code_cell(b.source.rstrip("\n"), list(r.outputs), len(cells), tags))
        prev = b.end_lineno
    md = "\n".join(lines[prev:]).strip()
    if md:
        cells.append(markdown_cell(markdown(md), len(cells)))
    nb = new_notebook(cells)
    hits = cap_notebook_outputs(nb["cells"], limit, where)
    return notebook_bytes(nb), hits
