"""测试共用的夹具：一次严格构建（整个会话共用），以及仓库路径。"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from execbook.engine.summary import SUMMARY_NAME
from execbook.mkdocs_config import load as load_mkdocs_yml

REPO = Path(__file__).resolve().parents[1]

# pytester：pytest 插件的测试在子进程里运行 pytest
pytest_plugins = ("pytester",)


@dataclass
class Build:
    site: Path
    returncode: int
    output: str
    site_url: str | None = None
    port: int | None = None
    summary: dict | None = None  # 构建写的摘要 JSON（<缓存目录>/build-summary.json）


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
    full_env = {**os.environ, **(env or {})}
    cache = Path(full_env.get("DLNOTES_CACHE_DIR") or REPO / ".cache" / "dlnotes")
    summary_file = cache / SUMMARY_NAME
    before = summary_file.stat().st_mtime_ns if summary_file.exists() else None
    proc = subprocess.run(
        cmd, cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout
    )
    summary = None
    if summary_file.exists() and summary_file.stat().st_mtime_ns != before:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
    return Build(site_dir, proc.returncode, proc.stdout + proc.stderr, summary=summary)


def mini_site(
    tmp_path: Path, page_text: str, files: dict[str, str] | None = None, nav: list[str] = ()
) -> Path:
    """用本站的 mkdocs.yml（主题、扩展、插件），但只有一个页面 docs/index.md（外加结果页）。

    ``files``：另外要写的文件（相对 tmp_path）；``nav``：另外加进导航的页面（相对 docs/）。snippet 的 base_path 是 tmp_path 与仓库根目录。
    返回配置文件的路径。
    """
    docs = tmp_path / "docs"
    (docs / "appendix").mkdir(parents=True)
    (docs / "index.md").write_text(textwrap.dedent(page_text).lstrip(), encoding="utf-8")
    (docs / "appendix" / "results.md").write_text(
        "# 结果\n\n<!-- dlnotes:results-table -->\n", encoding="utf-8"
    )
    for rel, text in (files or {}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    cfg = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    cfg = cfg[: cfg.index("\nnav:")]
    cfg = cfg.replace("custom_dir: overrides", f"custom_dir: {REPO / 'overrides'}")
    for d in ("snippets", "dlnotes", "execbook"):
        cfg = cfg.replace(f"  - {d}\n", f"  - {REPO / d}\n")
    cfg = re.sub(
        r"^(\s*-\s*)(execbook/\S+\.py)\s*$", lambda m: f"{m[1]}{REPO / m[2]}", cfg, flags=re.M
    )
    # 页面历史插件（git）与引擎无关，在没有 git 的临时目录里它们的回退日期还会偶尔互相矛盾而发出警告
    cfg = re.sub(
        r"^  - git-(?:revision-date-localized|authors):\n(?:      .*\n)*", "", cfg, flags=re.M
    )
    assert "  - git-" not in cfg
    assert 'base_path: ["."]' in cfg
    cfg = cfg.replace('base_path: ["."]', f'base_path: ["{tmp_path}", "{REPO}"]')
    cfg += f"\ndocs_dir: {docs}\nnav:\n  - index.md\n  - appendix/results.md\n"
    cfg += "".join(f"  - {page}\n" for page in nav)
    for asset in ("javascripts", "stylesheets"):
        shutil.copytree(REPO / "docs" / asset, docs / asset)
    config = tmp_path / "mkdocs.yml"
    config.write_text(cfg, encoding="utf-8")
    return config


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


def mkdocs_config() -> dict:
    """仓库的 mkdocs.yml（``!ENV`` 按当前环境取值），用 execbook 的同一个读取器。"""
    return load_mkdocs_yml(REPO / "mkdocs.yml")


def nav_pages(cfg: dict) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                for v in item.values():
                    yield from (walk(v) if isinstance(v, list) else [v])

    return list(walk(cfg["nav"]))
