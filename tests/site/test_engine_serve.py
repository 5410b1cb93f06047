"""mkdocs serve 立即可看（issue 12 第 3 项）：没算完的页面显示占位说明，算完自动重建；失败的块显示在页面上，
服务器不停，改好后恢复。``mkdocs build`` 绝不发布占位说明（另见 test_engine_shard.py 的单进程构建）。"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from conftest import REPO, free_port, mini_site
from execbook.plugins.execute.serve import PENDING_CLASS, PENDING_TITLE


SLOW = """\
# 首页

```python
import time
time.sleep(4)
print("slow-output-ready")
```
"""

BROKEN = """\
# 坏页

```python
x = 41
```

```python
1 / 0
```
"""

FIXED = BROKEN.replace("1 / 0", 'print("fixed", x + 1)')


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, needle: str, proc, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    text = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, "mkdocs serve 退出了"
        text = _get(url)
        if text is not None and needle in text:
            return text
        time.sleep(0.5)
    raise AssertionError(
        f"{timeout} 秒内 {url} 没有出现 {needle!r}；最后的页面：{(text or '')[:2000]}"
    )


def test_serve_shows_placeholder_then_outputs_and_recovers_from_errors(tmp_path):

    config = mini_site(tmp_path, SLOW, files={"docs/bad.md": BROKEN}, nav=["bad.md"])
    port = free_port()
    env = {**os.environ, "DLNOTES_CACHE_DIR": str(tmp_path / "cache"), "NO_MKDOCS_2_WARNING": "1"}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/d2l-notes/"
    try:
        # 第一次构建不等代码：首页先带着占位说明出现
        first = _wait_for(base, "<title>", proc, 120)
        assert PENDING_CLASS in first and PENDING_TITLE in first, first[:3000]
        assert "<code>slow-output-ready" not in first
        # 后台算完 → 重建 → 输出出现，占位说明消失
        done = _wait_for(base, "<code>slow-output-ready", proc, 120)
        assert PENDING_CLASS not in done
        # 失败的块：错误（页面:行号与 traceback）显示在它的页面上，服务器继续运行
        bad = _wait_for(base + "bad/", "ZeroDivisionError", proc, 120)
        assert "execbook-failed" in bad and "bad.md:7" in bad, bad[:3000]
        # 改好之后恢复
        (tmp_path / "docs" / "bad.md").write_text(FIXED, encoding="utf-8")
        fixed = _wait_for(base + "bad/", "fixed 42", proc, 120)
        assert "execbook-failed" not in fixed and "ZeroDivisionError" not in fixed
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)  # 像 Ctrl-C：mkdocs 调用 on_shutdown，关掉后台的内核
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        print((tmp_path / "serve.log").read_text()[-3000:])
