"""测试共用的夹具：一次严格构建（整个会话共用），以及仓库路径。"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

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


class _EnvLoader(yaml.SafeLoader):
    """读 mkdocs.yml：``!ENV [NAME, default]`` 按当前环境取值，其他 python 标签忽略。"""


def _env_tag(loader, node):
    if isinstance(node, yaml.SequenceNode):
        *names, default = loader.construct_sequence(node)
    else:
        names, default = [loader.construct_scalar(node)], None
    for name in names:
        if name in os.environ:
            return os.environ[name]
    return default


_EnvLoader.add_constructor("!ENV", _env_tag)
_EnvLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def mkdocs_config() -> dict:
    return yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_EnvLoader)


def nav_pages(cfg: dict) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                for v in item.values():
                    yield from (walk(v) if isinstance(v, list) else [v])

    return list(walk(cfg["nav"]))
