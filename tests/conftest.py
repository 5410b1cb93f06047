"""测试共用的夹具：一次严格构建（整个会话共用），以及仓库路径。"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Build:
    site: Path
    returncode: int
    output: str
    site_url: str | None = None
    port: int | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_mkdocs_build(
    site_dir: Path, config: Path | None = None, env: dict | None = None, timeout: int = 1800
) -> Build:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config is not None:
        cmd += ["--config-file", str(config)]
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Build(site_dir, proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Build:
    """整个站点的严格构建（页面测试先运行并填好执行缓存，所以这里通常只取缓存）。

    site_url 设为浏览器测试将要使用的本地地址：Material 的即时导航只处理 site_url 下的页面。
    """
    port = free_port()
    site_url = f"http://127.0.0.1:{port}/"
    build = run_mkdocs_build(tmp_path_factory.mktemp("site") / "site", env={"SITE_URL": site_url})
    build.site_url, build.port = site_url, port
    return build
