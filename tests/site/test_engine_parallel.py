"""页面并行（issue 12）：互不相关的页面同时运行，输出与一页一页地运行完全相同。"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import mini_site, run_mkdocs_build
from execbook.engine import Cache, KernelPool, execute_page, extract_blocks, fingerprint
from execbook.engine.parallel import PageRunner, kernel_threads

PAGE = """
    ```python
    import json, os, time, pathlib
    import numpy as np
    import torch
    log = pathlib.Path({log!r})
    stamp = log / "{name}.json"
    start = time.time()
    (log / "{name}.start").touch()
    x = torch.randn(300, 300)
    print("{name}", torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS"))
    print(float((x @ x).sum()), float(np.random.rand()))
    ```

    ```python
    # 等到 {expect} 页都开始了再结束（最多 60 秒）：同时运行的几页，运行区间必定重叠，
    # 与机器忙不忙无关；一页一页地运行时 expect=1，不等
    deadline = time.time() + 60
    while len(list(log.glob("*.start"))) < {expect} and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    stamp.write_text(json.dumps([start, time.time()]))
    print("done {name}")
    ```
    """


def _pages(tmp_path: Path, n: int, log: Path, expect: int) -> list[Path]:
    log.mkdir()
    out = []
    for i in range(n):
        p = tmp_path / f"p{i}-{log.name}.md"
        page = PAGE.format(log=str(log), name=f"p{i}", expect=expect)
        p.write_text(textwrap.dedent(page), encoding="utf-8")
        out.append(p)
    return out


def test_pages_run_concurrently_with_identical_outputs(tmp_path):
    serial_log, parallel_log = tmp_path / "serial", tmp_path / "parallel"
    pages = _pages(tmp_path, 3, serial_log, expect=1)
    fp = fingerprint()
    threads = kernel_threads()
    assert fp["kernel_threads"] == threads  # 线程数属于指纹

    with KernelPool(prestart=False) as pool:  # 一页一页地运行
        serial = [
            execute_page(p, extract_blocks(p), cache=Cache(tmp_path / "c1"), fp=fp, pool=pool)
            for p in pages
        ]
    spans_serial = [json.loads((serial_log / f"p{i}.json").read_text()) for i in range(3)]
    pages = _pages(tmp_path, 3, parallel_log, expect=3)

    with PageRunner(workers=3, threads=threads) as runner:  # 同时运行（独立的缓存：真的运行）
        futures = [
            runner.submit(
                lambda pool, p=p: execute_page(
                    p, extract_blocks(p), cache=Cache(tmp_path / "c2"), fp=fp, pool=pool
                )
            )
            for p in pages
        ]
        parallel = [f.result() for f in futures]
    spans = [json.loads((parallel_log / f"p{i}.json").read_text()) for i in range(3)]

    for a, b in zip(serial, parallel):
        assert [r.status for r in a.results] == [r.status for r in b.results] == ["ran", "ran"]
        assert [r.outputs for r in a.results] == [r.outputs for r in b.results]
    first = parallel[0].results[0].outputs[0]["text"].split()
    assert first[1] == str(threads) and first[2] == str(threads), first  # torch 与 OMP 的线程数
    # 一页一页：区间互不重叠；并行：三页的运行区间有重叠
    assert all(spans_serial[i][1] <= spans_serial[i + 1][0] for i in range(2))
    assert max(s[0] for s in spans) < min(s[1] for s in spans), spans


def test_build_runs_pages_in_parallel_and_never_build_uses_the_result(tmp_path):
    """mkdocs build：两页同时运行（EXECBOOK_WORKERS=2），之后 DLNOTES_EXECUTE=never 的构建只用缓存。"""
    import re


    log = tmp_path / "log"
    log.mkdir()
    second = textwrap.dedent(PAGE.format(log=str(log), name="second", expect=2))
    config = mini_site(
        tmp_path,
        "# 首页\n\n" + textwrap.dedent(PAGE.format(log=str(log), name="first", expect=2)),
        files={"docs/second.md": "# 第二页\n\n" + second},
        nav=["second.md"],
    )
    env = {"DLNOTES_CACHE_DIR": str(tmp_path / "cache"), "EXECBOOK_WORKERS": "2"}
    build = run_mkdocs_build(tmp_path / "site", config=config, env=env, timeout=300)
    assert build.returncode == 0, build.output[-3000:]
    spans = [json.loads((log / f"{n}.json").read_text()) for n in ("first", "second")]
    assert max(s[0] for s in spans) < min(s[1] for s in spans), spans  # 两页的运行区间重叠
    assert build.summary["totals"]["ran"] == 4 and len(build.summary["pages"]) == 2
    for name, html in (("first", "index.html"), ("second", "second/index.html")):
        text = (tmp_path / "site" / html).read_text(encoding="utf-8")
        assert re.search(rf"<code>{name} \d+ \d+", text) and f"done {name}" in text
    never = run_mkdocs_build(
        tmp_path / "site2", config=config, env={**env, "DLNOTES_EXECUTE": "never"}, timeout=300
    )
    assert never.returncode == 0, never.output[-3000:]
    assert never.summary["totals"]["cached"] == 4
