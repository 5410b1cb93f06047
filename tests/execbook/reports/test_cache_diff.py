"""python -m execbook diff：比较两份合成的执行缓存。"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

from execbook.reports import cache_diff as diff

SVG_A = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L1 1"/></svg>'
SVG_B = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L2 2"/></svg>'
RESULT = "application/vnd.dlnotes.result+json"


def put(root, key, page, lineno, outputs, mtime):
    """按引擎的格式写一个缓存条目（带校验和），并设定修改时间。"""
    payload = {
        "key": key,
        "page": page,
        "lineno": lineno,
        "outputs": outputs,
        "provenance": {"device": "cpu", "duration_s": 0.1},
    }
    checksum = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    path = root / "exec" / key[:2] / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"checksum": checksum, "payload": payload}), encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def figure(svg):
    return {"output_type": "display_data", "data": {"image/svg+xml": svg, "text/plain": "<Figure>"}}


def result(**rec):
    return {"output_type": "display_data", "data": {RESULT: rec, "text/plain": "summary"}}


def make_caches(tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    p = "docs/chapter_x/page.md"
    # 不变：同一个键在两边都有（PR 的缓存由 main 的缓存恢复而来）
    for root in (base, head):
        put(root, "aa01", p, 10, [stream("same\n")], 100)
    # 重新运行但输出相同（旧的精简形式 vs nbformat 形式，text 为字符串列表）
    put(base, "bb01", p, 20, [{"type": "stream", "name": "stdout", "text": "x = 1\n"}], 100)
    put(
        head,
        "bb02",
        p,
        20,
        [{"output_type": "stream", "name": "stdout", "text": ["x = ", "1\n"]}],
        200,
    )
    # 文字改变；head 里还有一个更旧的同位置条目（应被最新的取代）
    put(base, "cc01", p, 30, [stream("loss 0.50\nacc 0.80\n")], 100)
    put(head, "cc00", p, 30, [stream("stale\n")], 50)
    put(head, "cc02", p, 30, [stream("loss 0.40\nacc 0.80\n")], 200)
    # 图：一张改变，一张不变
    put(base, "dd01", p, 40, [figure(SVG_A), figure(SVG_A)], 100)
    put(head, "dd02", p, 40, [figure(SVG_A), figure(SVG_B)], 200)
    # 实验结果移动
    put(base, "ee01", p, 50, [result(name="LeNet", test_acc=0.70, epochs=10)], 100)
    put(head, "ee02", p, 50, [result(name="LeNet", test_acc=0.75, epochs=10)], 200)
    # 新增与已不存在的块；另一页只在 base 中
    put(head, "ff02", p, 60, [stream("new block\n")], 200)
    put(base, "gg01", "docs/chapter_x/gone.md", 5, [stream("bye\n")], 100)
    # 损坏的条目：读不了，被忽略并报告
    (head / "exec" / "zz").mkdir(parents=True)
    (head / "exec" / "zz" / "zz99.json").write_text('{"checksum": "0", "payload": {}}')
    return base, head


def by_line(diffs):
    return {(d.page.rsplit("/", 1)[-1], d.lineno): d for d in diffs}


def test_compare_caches(tmp_path):
    diffs, info = diff.compare_caches(*make_caches(tmp_path))
    d = by_line(diffs)
    assert d["page.md", 10].status == "unchanged"
    assert d["page.md", 20].status == "unchanged"
    assert d["page.md", 30].status == "changed"
    assert "-loss 0.50" in d["page.md", 30].text_diff and "+loss 0.40" in d["page.md", 30].text_diff
    assert "+stale" not in d["page.md", 30].text_diff
    assert d["page.md", 40].images_changed == 1
    assert d["page.md", 40].images[0] == "图 1：不变" and d["page.md", 40].images[1].startswith(
        "图 2：改变"
    )
    assert not d["page.md", 40].text_diff  # <Figure> 的 text/plain 不比较
    assert d["page.md", 50].results == [("LeNet", "test_acc", 0.70, 0.75)]
    assert not d["page.md", 50].text_diff
    assert d["page.md", 60].status == "added"
    assert d["gone.md", 5].status == "removed"
    assert len(info["head_unreadable"]) == 1 and info["base_unreadable"] == []


def test_markdown_summary(tmp_path):
    md = diff.render_markdown(*diff.compare_caches(*make_caches(tmp_path)))
    assert "比较了 2 页、7 个代码块" in md
    assert "3 块输出改变，1 块新增，1 块已不存在，2 块不变" in md
    assert "| `docs/chapter_x/page.md:50` | LeNet | test_acc | 0.7 | 0.75 | +0.05 |" in md
    assert "<code>docs/chapter_x/page.md:40</code>：1 张图改变" in md
    assert "```diff\n--- main\n+++ PR\n" in md
    assert "docs/chapter_x/page.md:10" not in md  # 不变的块不列出
    assert "1 个条目读不了" in md


def test_no_changes_and_missing_cache(tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    put(base, "aa01", "docs/p.md", 1, [stream("1\n")], 1)
    put(head, "aa02", "docs/p.md", 1, [stream("1\n")], 2)
    md = diff.render_markdown(*diff.compare_caches(base, head))
    assert "没有输出改变" in md
    diffs, _ = diff.compare_caches(tmp_path / "nothing", head)
    assert [d.status for d in diffs] == ["added"]


def test_long_text_diff_is_cut(tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    put(base, "aa01", "docs/p.md", 1, [stream("".join(f"a{i}\n" for i in range(200)))], 1)
    put(head, "aa02", "docs/p.md", 1, [stream("".join(f"b{i}\n" for i in range(200)))], 2)
    (d,), _ = diff.compare_caches(base, head)
    assert len(d.text_diff) == diff.MAX_DIFF_LINES + 1 and d.text_diff[-1].startswith("… 另有")


def test_cli_appends_to_out(tmp_path):
    base, head = make_caches(tmp_path)
    out = tmp_path / "summary.md"
    out.write_text("# 已有的摘要\n", encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "execbook", "diff", str(base), str(head), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 已有的摘要\n## 输出对比")
    assert "+loss 0.40" in text


def test_empty_base_gives_one_line(tmp_path):
    head = tmp_path / "head"
    put(head, "aa02", "docs/p.md", 1, [stream("1\n")], 2)
    md = diff.render_markdown(*diff.compare_caches(tmp_path / "nothing", head))
    assert "没有可比较的基准缓存" in md and "<details>" not in md


def test_summary_keys_select_current_entries(tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    put(base, "aa01", "docs/p.md", 10, [stream("a\n")], 1)
    # PR 的缓存由 main 的恢复而来：旧条目（第 10 行）还在；这次块移到了第 12 行
    put(head, "aa01", "docs/p.md", 10, [stream("a\n")], 1)
    put(head, "aa02", "docs/p.md", 12, [stream("a\n")], 2)
    diffs, _ = diff.compare_caches(base, head)
    assert {(d.lineno, d.status) for d in diffs} == {(10, "unchanged"), (12, "added")}
    summary = {"version": 1, "pages": [{"page": "docs/p.md", "keys": ["aa02"]}]}
    (head / "build-summary.json").write_text(json.dumps(summary), encoding="utf-8")
    diffs, _ = diff.compare_caches(base, head)
    assert {(d.lineno, d.status) for d in diffs} == {(10, "removed"), (12, "added")}
