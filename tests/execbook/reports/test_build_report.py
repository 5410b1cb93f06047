"""「构建报告」页：由合成的构建摘要（COMMON.md 接口 3）生成 Markdown / HTML。"""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from execbook.__main__ import main
from execbook.reports import build_report as report

SUMMARY = {
    "version": 1,
    "started": "2026-11-29T09:00:00+00:00",
    "seconds": 321.5,
    "totals": {"ran": 10, "replayed": 3, "cached": 40, "skipped": 1, "failed": 1},
    "environment": {
        "python": "3.11.7",
        "torch": "2.13.0",
        "numpy": "2.4.6",
        "matplotlib": "3.11.2",
        "device": "cpu",
        "data": "样本（2000 张）",
    },
    "pages": [
        {
            "page": "docs/chapter_a/fast.md",
            "blocks": 20,
            "ran": 0,
            "replayed": 0,
            "cached": 20,
            "skipped": 0,
            "failed": 0,
            "seconds": 1.25,
            "device": "cpu",
            "data": None,
        },
        {
            "page": "docs/chapter_a/slow.md",
            "blocks": 14,
            "ran": 10,
            "replayed": 3,
            "cached": 1,
            "skipped": 0,
            "failed": 0,
            "seconds": 125.0,
            "device": "cuda",
            "data": "sample",
        },
        {
            "page": "docs/chapter_b/broken.ipynb",
            "blocks": 21,
            "ran": 0,
            "replayed": 0,
            "cached": 19,
            "skipped": 1,
            "failed": 1,
            "seconds": 3.0,
            "device": "cpu",
            "data": "full",
            "notes": ["第 3 个 cell 的输出超过 1 MB，下载用的 notebook 里已截短"],
        },
    ],
}


def table_rows(md: str, header_start: str) -> list[list[str]]:
    lines = md.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[i + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


def test_totals_and_environment():
    md = report.report_markdown(SUMMARY)
    assert "构建开始于 2026-11-29 09:00 UTC，用时 **5 分 22 秒**" in md
    assert "共 3 页、55 个代码块" in md
    assert table_rows(md, "| 运行 |") == [["13", "3", "40", "1", "1"]]
    env = dict(tuple(r) for r in table_rows(md, "| 项目 |"))
    assert env == {
        "Python": "3.11.7",
        "PyTorch": "2.13.0",
        "NumPy": "2.4.6",
        "Matplotlib": "3.11.2",
        "设备": "cpu",
        "数据": "样本（2000 张）",
    }


def test_pages_sorted_by_time_with_state_links_and_titles():
    md = report.report_markdown(
        SUMMARY,
        links={"docs/chapter_a/slow.md": "../../chapter_a/slow/"},
        titles={"docs/chapter_a/slow.md": "慢页面 [训练]"},
    )
    rows = table_rows(md, "| 页面 |")
    assert [r[0] for r in rows] == [
        "[慢页面 \\[训练\\]](../../chapter_a/slow/)",
        "chapter_b/broken.ipynb",
        "chapter_a/fast.md",
    ]
    slow, broken, fast = rows
    # 运行时间紧跟页面；设备、数据与「环境」表不同的页面存在，所以两列都在
    assert slow[1:] == ["2 分 05 秒", "14", "部分运行", "13", "1", "0", "0", "cuda", "sample"]
    assert broken[3] == "❌ 失败" and broken[7] == "1"
    assert fast[3] == "缓存" and fast[1] == "1.2 秒" and fast[9] == "—"
    assert '!!! failure "1 页有代码块运行失败"' in md


def test_all_zero_and_uniform_columns_are_folded():
    """发布的构建通常全部取自缓存、没有跳过和失败、设备与数据都一样：这些列不占地方，运行时间看得见。"""
    pages = [
        dict(
            p,
            ran=0,
            replayed=0,
            skipped=0,
            failed=0,
            cached=p["blocks"],
            device="cpu",
            data=None if p["page"].endswith("fast.md") else "样本（2000 张）",  # 不读数据的页面
        )
        for p in SUMMARY["pages"]
    ]
    md = report.report_markdown({**SUMMARY, "pages": pages})
    header = next(line for line in md.splitlines() if line.startswith("| 页面 |"))
    assert header == "| 页面 | 运行时间 | 代码块 | 方式 | 缓存 |"
    assert "各页的运行、跳过、失败块数都是 0，不列出。" in md
    assert "各页的设备、数据都与上面「环境」表相同（没有用到的页面为空）。" in md
    assert table_rows(md, "| 页面 |")[0] == ["chapter_a/slow.md", "2 分 05 秒", "14", "缓存", "14"]


@pytest.mark.parametrize(
    ("counts", "state"),
    [
        ({"ran": 3}, "运行"),
        ({"cached": 3}, "缓存"),
        ({"ran": 1, "cached": 2}, "部分运行"),
        ({"replayed": 1, "cached": 2}, "部分运行"),
        ({"skipped": 2}, "跳过"),
        ({}, "无代码"),
        ({"cached": 1, "failed": 1}, "❌ 失败"),
    ],
)
def test_page_state(counts, state):
    assert report.page_state(counts) == state


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "—"),
        (0, "0.0 秒"),
        (59.94, "59.9 秒"),
        (61, "1 分 01 秒"),
        (3725, "1 小时 02 分 05 秒"),
    ],
)
def test_format_seconds(seconds, text):
    assert report.format_seconds(seconds) == text


def test_no_summary_and_bad_version():
    assert "没有构建摘要" in report.report_markdown(None)
    with pytest.raises(ValueError, match="版本"):
        report.report_markdown(dict(SUMMARY, version=2))


def test_html_and_placeholder():
    html = report.report_html(SUMMARY, links={"docs/chapter_a/fast.md": "../x/"})
    assert "<table>" in html and '<a href="../x/">chapter_a/fast.md</a>' in html
    assert 'class="admonition failure"' in html
    page = "# 构建报告\n\n" + report.REPORT_PLACEHOLDER + "\n"
    assert report.fill_placeholder(page, "<p>表</p>") == "# 构建报告\n\n<p>表</p>\n"
    with pytest.raises(ValueError, match="缺少占位注释"):
        report.fill_placeholder("# 构建报告\n", "x")


def test_page_file_has_placeholder():
    text = (REPO / "docs/appendix/build-report.md").read_text("utf-8")
    assert text.count(report.REPORT_PLACEHOLDER) == 1


def test_cli_reads_summary_file(tmp_path, capsys):
    path = tmp_path / "build-summary.json"
    path.write_text(json.dumps(SUMMARY, ensure_ascii=False), encoding="utf-8")
    assert main(["report", str(path)]) == 0
    assert "## 各页" in capsys.readouterr().out
    assert main(["report", str(tmp_path / "missing.json")]) == 0
    assert "没有构建摘要" in capsys.readouterr().out


def test_notes_are_listed():
    md = report.report_markdown(SUMMARY)
    assert "## 备注\n\n- chapter_b/broken.ipynb：第 3 个 cell 的输出超过 1 MB" in md
