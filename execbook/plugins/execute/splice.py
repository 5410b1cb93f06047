"""把执行结果放进页面的 Markdown：构建检查折叠框、输出的占位注释、页面顶部的下载与来源说明。

输出是 HTML，Markdown 转换之后才换掉占位注释（``Slots.fill``）：代码打印的任何东西都只是数据，不会被
Markdown、snippet 或公式扩展当作页面源文。行号精确对应：MkDocs 交给插件的 Markdown 是源文件去掉 front matter
之后的后缀，去掉的行数就是源文件行号与 Markdown 行号之差（``source_offset``）。
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ...engine import PageResult
from ...reports.colab import colab_link_markdown

CHECK_TITLE = "构建检查"


class SpliceError(ValueError):
    """输出放不进页面（页面:行号 开头）。"""


def source_offset(full: str, markdown: str, where: str) -> int:
    """源文件的行号 − Markdown 的行号（front matter 占去的行数）。Markdown 不是源文件的后缀时报错。"""
    if not full.endswith(markdown):
        raise SpliceError(f"{where}: 页面的 Markdown 在执行前被改动了，找不到代码块的围栏")
    return full[: len(full) - len(markdown)].count("\n")


def check_fences(lines: list[str], blocks, offset: int) -> None:
    """每个块的开始行在 Markdown 里必须是围栏（否则行号对不上，输出会放错地方）。"""
    for b in blocks:
        i = b.lineno - 1 - offset
        fence = lines[i] if 0 <= i < len(lines) else ""
        if not fence.lstrip().startswith("```"):
            raise SpliceError(f"{b.where}: 页面的 Markdown 在执行前被改动了，找不到代码块的围栏")


class Slots:
    """输出的占位注释（带每次构建不同的随机串）→ HTML；Markdown 转换之后一次换掉。"""

    def __init__(self, nonce: str):
        self.nonce = nonce
        self.items: list[tuple[str, str]] = []  # (HTML, 页面:行号)

    def token(self, html_text: str, where: str) -> str:
        self.items.append((html_text, where))
        return f"<!--execbook-output-{self.nonce}-{len(self.items) - 1}-->"

    def fill(self, output: str) -> str:
        """一遍替换所有占位注释（Markdown 可能把它们包进 <p>）；找不到的占位注释报错。"""
        pattern = re.compile(
            r"(?:<p>\s*)?<!--execbook-output-" + self.nonce + r"-(\d+)-->(?:\s*</p>)?"
        )
        seen: set[int] = set()

        def repl(m):
            i = int(m.group(1))
            seen.add(i)
            return self.items[i][0]

        output = pattern.sub(repl, output)
        for i, (_html, where) in enumerate(self.items):
            if i not in seen:
                raise SpliceError(
                    f"{where}: 输出的位置在渲染后找不到了（代码块是否在不支持的结构里？）"
                )
        return output


def splice(lines: list[str], rendered: list[tuple], offset: int, slots: Slots) -> list[str]:
    """``rendered`` = [(块, HTML)]：检查块改写成折叠的「构建检查」，有输出的块后面放一个占位注释。"""
    inserts: dict[int, list[str]] = {}  # Markdown 行号（从 1 开始）→ 插在它后面的行
    checks: dict[int, int] = {}  # 检查块的开始行 → 结束行（Markdown 行号）
    for b, html_out in rendered:
        if b.check:
            checks[b.lineno - offset] = b.end_lineno - offset
        if html_out:
            inserts[b.end_lineno - offset] = ["", b.indent + slots.token(html_out, b.where), ""]
    out: list[str] = []
    check_end = None
    for i, line in enumerate(lines, start=1):
        if i in checks:
            indent = line[: len(line) - len(line.lstrip())]
            out += [f'{indent}??? success "{CHECK_TITLE}"', ""]
            check_end = checks[i]
        if check_end is not None:
            out.append(("    " + line) if line.strip() else "")
            if i == check_end:
                check_end = None
        else:
            out.append(line)
        out += inserts.get(i, [])
    return out


def page_header(
    nb_uri: str | None, result: PageResult, repo_url: str | None, download_href: str | None = None
) -> str:
    """页面标题下的一行：下载本页 notebook、在 Colab 中运行、输出的来源（日期、设备、torch）。

    ``download_href``：notebook 页面的下载链接（原始 HTML：Markdown 链接 ``page.ipynb`` 会被 MkDocs
    解析成这个 notebook 页面自己）。
    """
    provs = [r.provenance for r in result.results if r.provenance]
    parts = []
    if nb_uri:
        parts.append(
            f'<a class="dl-download" href="{html.escape(download_href)}">'
            ":material-download: 下载本页 notebook</a>"
            if download_href
            else f"[:material-download: 下载本页 notebook]({Path(nb_uri).name}){{ .dl-download }}"
        )
        # 在 Colab 中运行：打开发布分支里执行过的同一个 notebook（见 execbook/reports/colab.py）；
        # 只是一个链接，读者点击之前不发任何请求
        if colab := colab_link_markdown(repo_url, nb_uri):
            parts.append(colab)
    if provs:
        date = max(p.get("date", "") for p in provs)
        devices = sorted({p.get("device", "?") for p in provs})
        torch_v = provs[-1].get("torch", "?")
        parts.append(
            f"本页输出由执行引擎运行代码生成：{date}，设备 {'/'.join(devices)}，torch {torch_v}。"
        )
    if not parts:
        return ""
    return '<div class="dl-page-meta" markdown>\n' + " ".join(parts) + "\n</div>"


def insert_after_title(markdown: str, header: str) -> str:
    if not header:
        return markdown
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join(lines[: i + 1] + ["", header, ""] + lines[i + 1 :])
    return header + "\n\n" + markdown
