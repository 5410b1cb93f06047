"""「构建报告」附录页：由构建摘要（``<缓存目录>/build-summary.json``）生成，从不手写。

类似 MyST-NB 的执行统计（execution statistics）与 sphinx-gallery 的运行时间表（computation times）：
每页的代码块数、运行时间、运行还是取自缓存、设备、数据，外加总计与库版本。

纯函数，不碰文件系统与 MkDocs：

- ``report_markdown(summary, links=…, titles=…)`` → Markdown（表格 + 提示框）；
- ``report_html(...)`` → 同样内容的 HTML（插件在 ``on_page_context`` 里替换页面中的占位注释时用）；
- ``fill_placeholder(text, replacement)`` → 替换 ``REPORT_PLACEHOLDER``，缺占位注释时报错。

命令行：``python -m execbook report [build-summary.json]`` 打印 Markdown（例如追加到 CI 的作业摘要）。
"""

from __future__ import annotations

import json
from pathlib import Path

from ..engine.protocol import STATUSES

REPORT_PLACEHOLDER = "<!-- execbook:build-report -->"
SUMMARY_VERSION = 1

_ENV_LABELS = (
    ("python", "Python"),
    ("torch", "PyTorch"),
    ("numpy", "NumPy"),
    ("matplotlib", "Matplotlib"),
    ("device", "设备"),
    ("data", "数据"),
)


def format_seconds(seconds: float | None) -> str:
    """12.34 → 「12.3 秒」，125 → 「2 分 05 秒」，None → 「—」。"""
    if seconds is None:
        return "—"
    s = float(seconds)
    if s < 60:
        return f"{s:.1f} 秒"
    m, s = divmod(round(s), 60)
    if m < 60:
        return f"{m} 分 {s:02d} 秒"
    h, m = divmod(m, 60)
    return f"{h} 小时 {m:02d} 分 {s:02d} 秒"


def format_started(started) -> str:
    """ISO 时间 → 「2026-11-29 09:41 UTC」；读不懂时原样返回。"""
    import datetime as _dt

    if not started:
        return "—"
    try:
        t = _dt.datetime.fromisoformat(str(started))
    except ValueError:
        return _cell(started)
    if t.tzinfo is not None:
        t = t.astimezone(_dt.UTC)
        return t.strftime("%Y-%m-%d %H:%M UTC")
    return t.strftime("%Y-%m-%d %H:%M")


def page_state(page: dict) -> str:
    """一页的执行方式：失败 / 全部跳过 / 取自缓存 / 运行 / 部分运行。"""
    n = {k: int(page.get(k) or 0) for k in STATUSES}
    runnable = n["ran"] + n["replayed"] + n["cached"] + n["failed"]
    if n["failed"]:
        return "❌ 失败"
    if runnable == 0:
        return "跳过" if n["skipped"] else "无代码"
    if n["ran"] + n["replayed"] == 0:
        return "缓存"
    if n["cached"] == 0:
        return "运行"
    return "部分运行"


def _cell(text) -> str:
    """表格单元格：None → 「—」，竖线转义，换行变空格。"""
    if text is None or text == "":
        return "—"
    return str(text).replace("|", "\\|").replace("\n", " ")


def _page_label(path: str, links: dict | None, titles: dict | None) -> str:
    title = (titles or {}).get(path) or path.removeprefix("docs/")
    href = (links or {}).get(path)
    title = _cell(title).replace("[", "\\[").replace("]", "\\]")
    return f"[{title}]({href})" if href else title


def _check(summary: dict) -> None:
    if not isinstance(summary, dict):
        raise TypeError(f"构建摘要应为 dict，得到 {type(summary).__name__}")
    version = summary.get("version")
    if version != SUMMARY_VERSION:
        raise ValueError(f"不认识的构建摘要版本 {version!r}（本模块读版本 {SUMMARY_VERSION}）")


def report_markdown(
    summary: dict | None,
    *,
    links: dict[str, str] | None = None,
    titles: dict[str, str] | None = None,
) -> str:
    """构建摘要（COMMON.md 接口 3）→「构建报告」页的 Markdown 正文（不含一级标题）。

    ``links`` / ``titles``：摘要中的页面路径（如 ``docs/chapter_x/page.md``）→ 链接地址 / 页面标题；
    缺省时显示路径、不加链接。页面按运行时间从长到短排列（与 sphinx-gallery 相同），时间相同按路径。
    ``summary`` 为 None（例如 ``DLNOTES_EXECUTE=plain`` 的构建）时返回一段说明。
    """
    if summary is None:
        return (
            '!!! info "没有构建摘要"\n\n'
            "    这次构建没有执行代码块（例如 `DLNOTES_EXECUTE=plain`），所以没有可报告的内容。\n"
        )
    _check(summary)
    pages = list(summary.get("pages") or [])
    out = _totals_section(summary, pages, links, titles)
    out += _environment_section(summary.get("environment") or {})
    out += ["## 各页", ""]
    if not pages:
        out.append("这次构建没有含代码块的页面。")
        return "\n".join(out) + "\n"
    ordered = sorted(pages, key=lambda p: (-float(p.get("seconds") or 0.0), str(p.get("page"))))
    out += _pages_table(ordered, links, titles, summary.get("environment") or {})
    noted = [(p, n) for p in ordered for n in (p.get("notes") or [])]
    if noted:
        out += ["## 备注", ""]
        for p, note in noted:
            out.append(f"- {_page_label(str(p.get('page', '?')), links, titles)}：{_cell(note)}")
        out.append("")
    return "\n".join(out)


def _totals_section(summary: dict, pages: list[dict], links, titles) -> list[str]:
    """「总计」：开始时间与用时、各状态的块数、失败的页面。"""
    totals = {k: int((summary.get("totals") or {}).get(k) or 0) for k in STATUSES}
    n_blocks = sum(int(p.get("blocks") or 0) for p in pages)
    run_seconds = sum(float(p.get("seconds") or 0.0) for p in pages)
    ran = totals["ran"] + totals["replayed"]
    out = ["## 总计", ""]
    started = summary.get("started")
    out.append(
        f"构建开始于 {format_started(started)}，用时 **{format_seconds(summary.get('seconds'))}**；"
        f"共 {len(pages)} 页、{n_blocks} 个代码块，各页运行时间合计 {format_seconds(run_seconds)}。"
    )
    out.append("")
    out.append("| 运行 | 其中为恢复内核状态重跑 | 取自缓存 | 跳过 | 失败 |")
    out.append("|---:|---:|---:|---:|---:|")
    out.append(
        f"| {ran} | {totals['replayed']} | {totals['cached']} | {totals['skipped']} | {totals['failed']} |"
    )
    out.append("")
    failed = [p for p in pages if int(p.get("failed") or 0)]
    if failed:
        out.append(f'!!! failure "{len(failed)} 页有代码块运行失败"')
        out.append("")
        for p in failed:
            out.append(
                f"    - {_page_label(p.get('page', '?'), links, titles)}：{int(p['failed'])} 块失败"
            )
        out.append("")
    return out


def _environment_section(env: dict) -> list[str]:
    out = ["## 环境", "", "| 项目 | 版本或取值 |", "|---|---|"]
    for key, label in _ENV_LABELS:
        out.append(f"| {label} | {_cell(env.get(key))} |")
    for key in sorted(set(env) - {k for k, _ in _ENV_LABELS}):
        out.append(f"| {_cell(key)} | {_cell(env.get(key))} |")
    return out + [""]


def _pages_table(ordered: list[dict], links, titles, env: dict) -> list[str]:
    """「各页」：每页一行（按运行时间从长到短）。

    为阅读设计（手机上也一样）：运行时间紧跟页面名；全为 0 的计数列（运行/缓存/跳过/失败）不显示，
    表前一句话说明；所有页面的设备（数据）都与「环境」表相同时不占一列。
    """
    counts = {
        "运行": lambda p: int(p.get("ran") or 0) + int(p.get("replayed") or 0),
        "缓存": lambda p: int(p.get("cached") or 0),
        "跳过": lambda p: int(p.get("skipped") or 0),
        "失败": lambda p: int(p.get("failed") or 0),
    }
    shown = [name for name, f in counts.items() if any(f(p) for p in ordered)]
    hidden = [name for name in counts if name not in shown]
    columns = (("device", "设备"), ("data", "数据"))
    # 没有读数据的页面（data 为空）不算不同
    extra = [
        (k, label)
        for k, label in columns
        if any(p.get(k) not in (None, "", env.get(k)) for p in ordered)
    ]
    same = [label for k, label in columns if (k, label) not in extra]
    note = (
        "「运行时间」是这一页各代码块的执行时间之和；「方式」说明这次构建里代码是真正运行了、"
        "全部取自执行缓存，还是部分运行（改动的块及其后的块重新运行）。"
    )
    if hidden:
        note += f"各页的{'、'.join(hidden)}块数都是 0，不列出。"
    if same:
        note += f"各页的{'、'.join(same)}都与上面「环境」表相同（没有用到的页面为空）。"
    head = ["页面", "运行时间", "代码块", "方式", *shown, *(label for _k, label in extra)]
    align = ["---", "---:", "---:", "---", *("---:" for _ in shown), *("---" for _ in extra)]
    out = [note, "", "| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for p in ordered:
        cells = [
            _page_label(str(p.get("page", "?")), links, titles),
            format_seconds(p.get("seconds")),
            str(int(p.get("blocks") or 0)),
            page_state(p),
            *(str(counts[name](p)) for name in shown),
            *(_cell(p.get(k)) for k, _label in extra),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return out + [""]


def report_html(
    summary: dict | None,
    *,
    links: dict[str, str] | None = None,
    titles: dict[str, str] | None = None,
) -> str:
    """与 ``report_markdown`` 相同的内容，转成 HTML（表格、提示框用 Material 认识的标记）。"""
    import markdown

    md = report_markdown(summary, links=links, titles=titles)
    return markdown.markdown(md, extensions=["tables", "admonition", "toc"])


def fill_placeholder(
    text: str, replacement: str, *, where: str = "docs/appendix/build-report.md"
) -> str:
    """把 ``text`` 中的占位注释换成 ``replacement``；没有占位注释时报错（指明文件）。"""
    if REPORT_PLACEHOLDER not in text:
        raise ValueError(f"{where} 缺少占位注释 {REPORT_PLACEHOLDER}")
    return text.replace(REPORT_PLACEHOLDER, replacement)


def load_summary(path: Path | str) -> dict | None:
    """读 build-summary.json；文件不存在时返回 None。"""
    path = Path(path)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
