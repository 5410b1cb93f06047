"""可靠性探针（issue 14）：输出只是数据、坏图失败、输出有上限、写入是原子的、被杀的构建不留垃圾、
报错都有 页面:行号、指纹包含影响输出的版本与设置。每个测试在没有相应修复时会失败。"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, build_fixture_site, mini_site, write_page
from execbook.engine import (
    Cache,
    CacheWarning,
    block_keys,
    execute_notebook,
    execute_page,
    extract_blocks,
    fingerprint,
)
from execbook.engine.execute import cap_notebook_outputs, notebook_bytes
from execbook.engine.files import (
    KERNEL_DIR_PREFIX,
    atomic_write,
    clean_stale_kernel_dirs,
    clean_stale_temp_files,
)
from execbook.engine.outputs import Budget, OutputLimits, cap_for_store, render_block

# ---------------------------------------------------------------- 1. 输出只是数据

INJECTION_PAGE = """
    # 注入

    ```python
    print('--8<-- "secret.txt"')
    print("--8<--\\nsecret.txt\\n--8<--")
    print('--8<-- "no/such/file.txt"')
    print("**粗体** $x^2$ <script>alert(1)</script> [链接](nope.md)")
    ```
    """


def test_printed_text_is_never_read_as_page_source(tmp_path):
    """代码打印的 snippet 行、Markdown、HTML 原样显示：不嵌入文件、不报缺文件、不变成链接或脚本。"""
    config = mini_site(tmp_path, INJECTION_PAGE, files={"secret.txt": "TOP-SECRET-TOKEN\n"})
    build = build_fixture_site(tmp_path, config)
    assert build.returncode == 0, build.output[-3000:]
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "TOP-SECRET-TOKEN" not in html
    assert "--8&lt;-- &quot;secret.txt&quot;" in html and "no/such/file.txt" in html
    assert "**粗体** $x^2$ &lt;script&gt;alert(1)&lt;/script&gt; [链接](nope.md)" in html
    assert "<script>alert(1)" not in html and 'href="nope.md"' not in html


# ---------------------------------------------------------------- 2. 画不出来的图


def test_figure_that_fails_to_draw_fails_the_block(tmp_path):
    page = write_page(
        tmp_path,
        """
        # 图

        ```python
        import matplotlib.pyplot as plt
        plt.plot([1, 2, 3])
        plt.title(r"$\\notamacro{x}$")
        plt.show()
        ```
        """,
    )
    result = execute_page(page, extract_blocks(page), cache=Cache(tmp_path / "cache"))
    assert result.failure is not None, [r.outputs for r in result.results]
    err = result.failure.error
    assert "page.md:3" in err and "图没有画出来" in err and "notamacro" in err
    assert not list((tmp_path / "cache" / "exec").rglob("*.json")), "失败的块不能进缓存"


# ---------------------------------------------------------------- 3. 输出的大小上限


def test_output_is_capped_in_bytes_per_block_and_page():
    limits = OutputLimits(block_bytes=20_000, page_bytes=50_000)
    budget = Budget(limits.page_bytes)
    one_line = [{"output_type": "stream", "name": "stdout", "text": "x" * 5_000_000}]
    html = render_block(one_line, limits, budget, "docs/p.md:3")
    assert len(html.encode()) < 21_000 and "省略" in html
    assert budget.hits == ["docs/p.md:3: 输出超过每块上限 20000 字节，只显示开头和结尾"]
    svg = [
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"image/svg+xml": "<svg>" + "p" * 30_000 + "</svg>"},
        }
    ]
    html = render_block(svg, limits, budget, "docs/p.md:9")
    assert "<svg>" not in html and "没有显示" in html
    assert budget.hits[-1].startswith("docs/p.md:9: 输出超过每块上限")
    for i in range(4):  # 每块都在上限以内，但一页的总量超过上限
        render_block(
            [{"output_type": "stream", "name": "stdout", "text": "y" * 15_000}],
            limits,
            budget,
            f"docs/p.md:{20 + i}",
        )
    assert any("每页上限 50000" in h for h in budget.hits), budget.hits
    assert budget.remaining >= 0


def test_store_and_notebook_caps():
    big = [{"output_type": "stream", "name": "stdout", "text": "z" * 3_000_000}]
    stored, capped = cap_for_store(big, limit=100_000)
    assert capped and len(json.dumps(stored)) < 110_000
    import nbformat

    nb = nbformat.v4.new_notebook()
    for _ in range(3):
        cell = nbformat.v4.new_code_cell("print()")
        cell.outputs = [
            nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "w" * 40_000})
        ]
        nb.cells.append(cell)
    hits = cap_notebook_outputs(nb.cells, 100_000, "docs/p.md")
    assert hits and "docs/p.md" in hits[0]
    text = notebook_bytes(nb)  # 引擎写 notebook 的方式
    assert len(text.encode()) < 100_000
    nbformat.validate(nbformat.reads(text, as_version=4))


def test_build_caps_page_and_download_notebook_and_reports_it(tmp_path):
    page = """
        # 大输出

        ```python
        print("a" * 3_000_000)
        ```
        """
    config = mini_site(tmp_path, page)
    text = (
        config.read_text(encoding="utf-8")
        .replace("max_block_output_bytes: 2000000", "max_block_output_bytes: 50000")
        .replace("max_notebook_bytes: 16000000", "max_notebook_bytes: 60000")
    )
    config.write_text(text, encoding="utf-8")
    build = build_fixture_site(tmp_path, config)
    assert build.returncode == 0, build.output[-3000:]
    assert "docs/index.md:3: 输出超过每块上限 50000 字节" in build.output
    assert "notebook 的输出超过上限 60000 字节" in build.output
    assert (tmp_path / "site" / "index.html").stat().st_size < 200_000
    assert (tmp_path / "site" / "index.ipynb").stat().st_size < 70_000
    import nbformat

    nb = nbformat.read(tmp_path / "site" / "index.ipynb", as_version=4)
    nbformat.validate(nb)  # 下载的 notebook 是合法的 nbformat（写入时不校验，这里校验）
    assert "notebook 上限" in nb.cells[-1].outputs[-1]["text"]
    assert (tmp_path / "site" / "search" / "search_index.json").stat().st_size < 200_000
    (page_entry,) = build.summary["pages"]
    assert any("每块上限" in n for n in page_entry["notes"])


# ---------------------------------------------------------------- 4. 原子写入与被杀的构建


def test_concurrent_notebook_writes_do_not_collide(tmp_path):
    """两个构建同时写同一个执行过的 notebook（mkdocs serve 与 pytest）：不出错，结果完整。"""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('nb')"), nbformat.v4.new_code_cell("1 + 1")]
    src = tmp_path / "nb.ipynb"
    nbformat.write(nb, src)
    cache = Cache(tmp_path / "cache")
    out = tmp_path / "out" / "nb.ipynb"
    execute_notebook(src, out, cache=cache)  # 填好缓存：之后只取缓存并写文件
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            for _ in range(15):
                execute_notebook(src, out, cache=cache)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert nbformat.read(out, as_version=4).cells[0].outputs[0]["text"] == "nb\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["nb.ipynb"]


def test_concurrent_atomic_writes_of_different_content(tmp_path):
    """不同内容的并发写（两个构建的输出不同）：每次都是某个完整的版本，不出错，不留临时文件。"""
    target = tmp_path / "entry.json"
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker(n):
        try:
            barrier.wait()
            for i in range(50):
                atomic_write(target, json.dumps({"writer": n, "i": i, "pad": "x" * 20000}))
                json.loads(target.read_text())  # 读到的总是完整的 JSON
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert [p.name for p in tmp_path.iterdir()] == ["entry.json"]


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "a.json"
    atomic_write(target, "old")

    with pytest.raises(TypeError):
        atomic_write(target, 12345)  # type: ignore[arg-type]
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.json"]
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert (
        target.stat().st_mode == plain.stat().st_mode
    )  # 权限与普通写入的文件相同（不是 mkstemp 的 0600）


def test_killed_build_leaves_only_what_the_next_build_cleans(tmp_path, request):
    """kill -9 一个正在运行代码块的引擎进程；下一次构建开始时清理它留下的内核目录与临时文件。"""
    page = write_page(tmp_path, "```python\nimport time\ntime.sleep(60)\n```\n")
    short_tmp = Path(tempfile.mkdtemp(prefix="k", dir="/tmp"))  # IPC 套接字路径不能太长
    request.addfinalizer(lambda: shutil.rmtree(short_tmp, ignore_errors=True))
    cache = tmp_path / "cache"
    code = (
        "from pathlib import Path\n"
        "from execbook.engine import Cache, execute_page, extract_blocks\n"
        f"p = Path({str(page)!r})\n"
        f"execute_page(p, extract_blocks(p), cache=Cache(Path({str(cache)!r})))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env={**os.environ, "TMPDIR": str(short_tmp)}, cwd=REPO
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not list(short_tmp.glob(KERNEL_DIR_PREFIX + "*")):
            time.sleep(0.2)
        time.sleep(3)  # 内核启动、开始运行 sleep
        assert list(short_tmp.glob(KERNEL_DIR_PREFIX + "*")), "内核目录没有出现"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # 被杀的构建还可能留下写了一半的临时文件（旧版本的名字 *.tmp<PID>，以及 .<名字>.*.tmp）
    stale = [cache / "exec" / "ab" / "x.json.tmp123", cache / "notebooks" / ".n.ipynb.abc.tmp"]
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("half")
        os.utime(p, (time.time() - 3600, time.time() - 3600))
    fresh = cache / "exec" / "ab" / ".y.json.def.tmp"  # 另一个正在写的构建：不能删
    fresh.write_text("writing")
    live = Path(tempfile.mkdtemp(prefix=f"{KERNEL_DIR_PREFIX}{os.getpid()}-", dir=short_tmp))
    legacy = short_tmp / "dlnotes-ab12cd34"  # 旧版本引擎的内核目录（名字里没有 PID）
    (legacy / ".ipython" / "profile_default").mkdir(parents=True)
    (legacy / ".ipython" / "profile_default" / "ipython_kernel_config.py").write_text("c = 1")
    os.utime(legacy, (time.time() - 3600, time.time() - 3600))
    other = short_tmp / "dlnotes-bench-xyz"  # 别的工具的目录：不碰
    other.mkdir()
    os.utime(other, (time.time() - 3600, time.time() - 3600))

    removed_dirs = clean_stale_kernel_dirs(short_tmp)
    removed_files = clean_stale_temp_files(cache)
    assert [d.name for d in removed_dirs if d != live] and not list(
        d for d in short_tmp.glob(KERNEL_DIR_PREFIX + "*") if d != live
    )
    assert live.exists(), "还活着的进程的内核目录不能删"
    assert legacy in removed_dirs and not legacy.exists() and other.exists()
    assert sorted(removed_files) == sorted(stale) and fresh.exists()


# ---------------------------------------------------------------- 5. 报错都有 页面:行号


@pytest.mark.parametrize(
    "raw, expected",
    [
        (
            "# 标题\n\n正文 ".encode() + b"\xff\xfe" + " 乱码\n".encode(),
            [r"docs/index\.md:3", "UTF-8"],
        ),
        (
            "---\ntitle: [没闭合\n---\n\n# 标题\n".encode(),
            [r"docs/index\.md:\d", "front matter", "YAML"],
        ),
    ],
    ids=["non-utf8", "broken-front-matter"],
)
def test_bad_page_source_fails_naming_page_line(tmp_path, raw, expected):
    config = mini_site(tmp_path, "# 占位\n")
    (tmp_path / "docs" / "index.md").write_bytes(raw)
    build = build_fixture_site(tmp_path, config)
    assert build.returncode != 0, "坏页面竟然构建成功了"
    for pattern in expected:
        assert re.search(pattern, build.output), build.output[-3000:]
    assert "Traceback" not in build.output, build.output[-3000:]


def test_cache_entry_that_is_a_directory_is_replaced_with_a_warning(tmp_path):
    page = write_page(tmp_path, "```python\nprint('hello')\n```\n")
    (key,) = block_keys(extract_blocks(page), fingerprint())
    cache = Cache(tmp_path / "cache")
    cache.path(key).mkdir(parents=True)
    (cache.path(key) / "junk").write_text("x")
    with pytest.warns(CacheWarning, match=r"page\.md:1: 执行缓存条目损坏"):
        result = execute_page(page, extract_blocks(page), cache=cache)
    assert result.results[0].status == "ran" and cache.path(key).is_file()
    assert execute_page(page, extract_blocks(page), cache=cache).results[0].status == "cached"


# ---------------------------------------------------------------- 6. 指纹


def test_fingerprint_covers_output_shaping_versions_and_settings(monkeypatch):
    fp = fingerprint()
    for dist in (
        "ipython",
        "ipykernel",
        "tqdm",
        "matplotlib-inline",
        "torch",
        "numpy",
        "matplotlib",
    ):
        assert fp["versions"][dist] != "-", dist
    monkeypatch.setenv("DLNOTES_OFFLINE", "1")
    offline = fingerprint()
    monkeypatch.setenv("DLNOTES_OFFLINE", "0")
    assert fingerprint() != offline
    fp_mod = importlib.import_module("execbook.engine.fingerprint")  # 模块（包里同名的是函数）
    real = fp_mod.version
    monkeypatch.setattr(fp_mod, "version", lambda d: "9.9" if d == "tqdm" else real(d))
    assert fingerprint()["versions"]["tqdm"] == "9.9" and fingerprint() != offline
