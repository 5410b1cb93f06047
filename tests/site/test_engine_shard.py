"""分片（issue 12 第 4 项）：分片 1/2 与 2/2 在两个进程里运行，合并缓存，只用缓存的构建与单进程构建相同。"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, mini_site, run_mkdocs_build


PAGE = """\
# {title}

```python
import numpy as np
rng = np.random.default_rng({seed})
x = rng.normal(size=3)
print("{name}", np.round(x, 3))
```

```python
print("{name} sum", round(float(x.sum()), 3))
```
"""


def _run(args: list[str], env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_pytest_shards_partition_the_pages():
    """``pytest docs --shard i/2``：两个分片的页面合起来是全部页面，互不重叠；非页面的测试不受影响。"""

    def collected(*extra):
        proc = _run(
            ["-m", "pytest", "docs", "--collect-only", "-q", "-p", "no:cacheprovider", *extra], {}
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return {line.split("::")[0] for line in proc.stdout.splitlines() if "::" in line}

    everything = collected()
    one, two = collected("--shard", "1/2"), collected("--shard", "2/2")
    assert one and two and not (one & two)
    assert one | two == everything
    bad = _run(["-m", "pytest", "docs", "--collect-only", "-q", "--shard", "3/2"], {})
    assert bad.returncode != 0 and "i/n" in bad.stderr


def test_shards_merge_and_never_build_equals_single_build(tmp_path):

    files = {
        f"docs/p{i}.md": PAGE.format(title=f"第 {i} 页", name=f"p{i}", seed=i) for i in (1, 2, 3)
    }
    config = mini_site(
        tmp_path,
        PAGE.format(title="首页", name="p0", seed=0),
        files=files,
        nav=["p1.md", "p2.md", "p3.md"],
    )
    docs = str(tmp_path / "docs")
    caches = {k: tmp_path / f"cache-{k}" for k in ("s1", "s2", "merged", "single")}

    for i, key in ((1, "s1"), (2, "s2")):  # 两个进程，各自的缓存目录
        proc = _run(
            ["-m", "execbook", "run", "--shard", f"{i}/2", docs],
            {"DLNOTES_CACHE_DIR": str(caches[key])},
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"分片 {i}/2：2 页" in proc.stdout, proc.stdout
        summary = json.loads((caches[key] / "build-summary.json").read_text(encoding="utf-8"))
        assert summary["totals"]["ran"] == 4 and len(summary["pages"]) == 2
    pages = [
        {p["page"] for p in json.loads((caches[k] / "build-summary.json").read_text())["pages"]}
        for k in ("s1", "s2")
    ]
    assert not (pages[0] & pages[1]) and len(pages[0] | pages[1]) == 4

    # 只有分片 1 的缓存：只用缓存的构建失败，并列出分片 2 的每一页（页面:行号）
    partial = run_mkdocs_build(
        tmp_path / "site-partial",
        config=config,
        env={"DLNOTES_CACHE_DIR": str(caches["s1"]), "DLNOTES_EXECUTE": "never"},
        timeout=300,
    )
    assert partial.returncode != 0
    for page in pages[1]:
        assert re.search(re.escape(page) + r":\d+", partial.output), partial.output[-3000:]
    assert "2 页没有最新的执行输出" in partial.output

    proc = _run(
        [
            "-m",
            "execbook",
            "merge",
            str(caches["s1"]),
            str(caches["s2"]),
            "--into",
            str(caches["merged"]),
        ],
        {},
    )
    assert proc.returncode == 0 and "新增 8 个条目" in proc.stdout, proc.stdout + proc.stderr

    def build(name: str, **env: str):
        return run_mkdocs_build(tmp_path / f"site-{name}", config=config, env=env, timeout=300)

    never = build("merged", DLNOTES_CACHE_DIR=str(caches["merged"]), DLNOTES_EXECUTE="never")
    assert never.returncode == 0, never.output[-3000:]
    assert never.summary["totals"]["cached"] == 8 and never.summary["totals"]["ran"] == 0

    single = build("single", DLNOTES_CACHE_DIR=str(caches["single"]), EXECBOOK_WORKERS="1")
    assert single.returncode == 0, single.output[-3000:]
    assert single.summary["totals"]["ran"] == 8
    for html in ("index.html", "p1/index.html", "p2/index.html", "p3/index.html"):
        merged_html = (tmp_path / "site-merged" / html).read_text(encoding="utf-8")
        single_html = (tmp_path / "site-single" / html).read_text(encoding="utf-8")
        assert merged_html == single_html, html
        assert "p" in merged_html and " sum " in merged_html
        # mkdocs build 绝不发布 mkdocs serve 的占位说明
        assert "execbook-pending" not in single_html and "本页代码正在运行" not in single_html
