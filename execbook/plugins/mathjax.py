"""MkDocs 插件 ``execbook-mathjax``：MathJax 3 由站点自己提供（来自 PyPI 包 django-static-mathjax），不用 CDN。"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

# 站点需要的 MathJax 文件：tex-chtml 组件，以及它按需加载的 TeX 扩展、CHTML 字体、菜单与无障碍模块
SUBDIRS = ("input", "output/chtml", "ui", "a11y", "adaptors", "sre")


def mathjax_root() -> Path:
    """pip 包 django-static-mathjax 中的 MathJax 3 es5 目录。"""
    import mathjax  # django-static-mathjax

    root = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (root / "tex-chtml.js").exists():
        raise PluginError(f"找不到 MathJax（{root}）：请按 README 安装 requirements.txt")
    return root


def mathjax_files(root: Path):
    yield root / "tex-chtml.js"
    for sub in SUBDIRS:
        for p in sorted((root / sub).rglob("*")):
            if p.is_file():
                yield p


class MathJaxConfig(Config):
    # 站点中的目录；mkdocs.yml 的 extra_javascript 引用 <prefix>/tex-chtml.js
    prefix = config_options.Type(str, default="assets/mathjax")


class MathJaxPlugin(BasePlugin[MathJaxConfig]):
    def on_files(self, files: Files, config) -> Files:
        root = mathjax_root()
        prefix = self.config.prefix.strip("/")
        for p in mathjax_files(root):
            files.append(
                File.generated(
                    config, f"{prefix}/{p.relative_to(root).as_posix()}", abs_src_path=str(p)
                )
            )
        return files
