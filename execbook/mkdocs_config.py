"""不经 MkDocs 读 mkdocs.yml（pytest 插件与测试用）：``!ENV [NAME, 默认值]`` 按当前环境取值，
``!!python/…`` 标签忽略。构建时插件直接用 MkDocs 解析好的配置。"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .paths import REPO_ROOT


class EnvLoader(yaml.SafeLoader):
    """``!ENV`` 按环境取值；其他 python 标签读成 None。"""


def _env_tag(loader, node):
    if isinstance(node, yaml.SequenceNode):
        *names, default = loader.construct_sequence(node)
    else:
        names, default = [loader.construct_scalar(node)], None
    for name in names:
        if name in os.environ:
            return os.environ[name]
    return default


EnvLoader.add_constructor("!ENV", _env_tag)
EnvLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def load(path: Path) -> dict:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=EnvLoader) or {}


def snippet_settings(path: Path) -> dict | None:
    """mkdocs.yml 中 pymdownx.snippets 的设置（没有该文件时返回 None = 引擎的默认设置）。

    相对的 ``base_path`` 按 mkdocs.yml 所在目录解析（``mkdocs build`` 在那里运行），
    所以从任何目录运行 pytest 都展开同样的 snippet。
    """
    path = Path(path)
    if not path.is_file():
        return None
    for ext in load(path).get("markdown_extensions") or []:
        if ext == "pymdownx.snippets":
            settings: dict = {}
            break
        if isinstance(ext, dict) and "pymdownx.snippets" in ext:
            settings = dict(ext["pymdownx.snippets"] or {})
            break
    else:
        return None
    base = settings.get("base_path", ["."])
    base = [base] if isinstance(base, str) else list(base)
    settings["base_path"] = [str((path.parent / b).resolve()) for b in base]
    return settings


def site_snippets() -> dict | None:
    """本站 mkdocs.yml 的 snippet 设置（pytest 插件与命令行用；构建时插件用 MkDocs 解析好的配置）。"""
    return snippet_settings(REPO_ROOT / "mkdocs.yml")
