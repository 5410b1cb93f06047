"""一页的输出 HTML：各块的输出经登记的 MIME 渲染器变成 HTML（受每块与每页的字节上限约束），
顺便取出训练函数报告的记录（给附录的「实验结果」表）。

插件把这里的 HTML 经占位注释放进页面（splice.py）；渲染器的登记见引擎的 outputs.py 与本包的 renderers.py。
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...engine import Block, BlockResult, PageResult
from ...engine.outputs import Budget, OutputLimits, render_block, skip_note
from ...engine.protocol import RESULT_MIME
from . import serve


@dataclass
class RenderedPage:
    blocks: list[tuple[Block, str]]  # (块, 它的输出 HTML)，按页面顺序
    hits: list[str]  # 触到每页上限的说明（页面:行号 开头）
    records: list[dict]  # 训练记录（RESULT_MIME 输出）


def block_html(r: BlockResult, outputs: list[dict], limits: OutputLimits, budget: Budget) -> str:
    """一个块下面显示什么：跳过的块没有保存的输出时说明它不运行；失败的块显示错误框
    （只在 mkdocs serve 中出现，构建在这之前就失败了）；其余是渲染好的输出。"""
    if r.status == "skipped" and not r.outputs:
        return skip_note(r.block.skip_reason)
    if r.status == "failed":
        return serve.failed_html(r.error or r.block.where)
    return render_block(outputs, limits, budget, r.block.where)


def training_records(result: PageResult) -> list[dict]:
    """页面输出里训练函数报告的记录（``dlnotes.report_result``），按块的顺序。"""
    return [
        rec
        for r in result.results
        for o in r.outputs
        if (rec := (o.get("data") or {}).get(RESULT_MIME))
    ]


def render_page(
    result: PageResult,
    limits: OutputLimits,
    shown: Callable[[BlockResult], list[dict]] | None = None,
) -> RenderedPage:
    """各块的输出 HTML。``shown(r)``：要显示的输出（notebook 按 remove-output/remove-stderr 标签筛过；
    默认全部）；跳过的 notebook cell 显示保存的输出。显示不了的输出发出 OutputWarning（调用者决定怎么报告）。"""
    budget = Budget(limits.page_bytes)
    blocks = [
        (r.block, block_html(r, shown(r) if shown is not None else r.outputs, limits, budget))
        for r in result.results
    ]
    return RenderedPage(blocks, budget.hits, training_records(result))
