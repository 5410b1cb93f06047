"""MkDocs 插件 ``execbook-mathjax``：MathJax 4 由站点自己提供，不用 CDN。

来源是 MathJax 官方的 npm 发行版（``mathjax`` 与它的默认字体 ``@mathjax/mathjax-newcm-font``，版本锁定在
package.json / package-lock.json，由 ``npm ci`` 安装到 node_modules/）：PyPI 上没有提供 MathJax 4 的包。
插件只发布站点会加载的文件（见 ``SITE_FILES``），放在站点的 ``assets/mathjax/`` 下：

- ``tex-chtml.js``：TeX 输入 + CHTML 输出 + newcm 字体的基本数据 + 菜单（一个组件）；
- ``a11y/assistive-mml.js``：给读屏软件的隐藏 MathML（菜单「Include Hidden MathML」，与 MathJax 3 的默认一样）；
- ``input/tex/extensions/``：autoload 按需加载的 TeX 扩展（\\boldsymbol、\\cancel……），以及 noundefined；
- ``fonts/mathjax-newcm-font/chtml/``：字体文件（woff2）与按需加载的字符区段（dynamic/）。

mathjax-config.js 把字体路径（``loader.paths.fonts``）指向这里，所以没有任何请求离开站点。
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

REPO = Path(__file__).resolve().parents[2]

# (npm 包, 包里的文件或目录, 站点里 <prefix>/ 下的位置)
SITE_FILES = (
    ("mathjax", "tex-chtml.js", ""),
    ("mathjax", "a11y/assistive-mml.js", "a11y"),
    ("mathjax", "input/tex/extensions", "input/tex/extensions"),
    ("@mathjax/mathjax-newcm-font", "chtml/woff2", "fonts/mathjax-newcm-font/chtml/woff2"),
    ("@mathjax/mathjax-newcm-font", "chtml/dynamic", "fonts/mathjax-newcm-font/chtml/dynamic"),
)


def node_modules(config_dir: Path | None = None) -> Path:
    """npm ci 安装的 node_modules/：先找 mkdocs.yml 旁边的，再找本仓库的（测试用的小站点在临时目录里）。"""
    for base in (config_dir, REPO):
        if base is not None and (base / "node_modules" / "mathjax" / "tex-chtml.js").exists():
            return base / "node_modules"
    raise PluginError(
        "找不到 MathJax 4（node_modules/mathjax/tex-chtml.js）：公式由 npm 包 mathjax 与 "
        "@mathjax/mathjax-newcm-font 提供，请先在仓库根目录运行 `npm ci`（见 README「两条命令」）"
    )


def mathjax_files(modules: Path) -> Iterator[tuple[Path, str]]:
    """(源文件, 站点内相对 <prefix>/ 的路径)。"""
    for package, rel, dest in SITE_FILES:
        src = modules / package / rel
        if not src.exists():
            raise PluginError(
                f"npm 包 {package} 里缺少 {rel}（{src}）：请在仓库根目录重新运行 `npm ci`"
            )
        if src.is_file():
            yield src, f"{dest}/{src.name}".lstrip("/")
            continue
        for p in sorted(src.rglob("*")):
            if p.is_file():
                yield p, f"{dest}/{p.relative_to(src).as_posix()}"


class MathJaxConfig(Config):
    # 站点中的目录；mkdocs.yml 的 extra_javascript 引用 <prefix>/tex-chtml.js
    prefix = config_options.Type(str, default="assets/mathjax")


class MathJaxPlugin(BasePlugin[MathJaxConfig]):
    def on_files(self, files: Files, config) -> Files:
        modules = node_modules(Path(config.config_file_path).parent)
        prefix = self.config.prefix.strip("/")
        for src, dest in mathjax_files(modules):
            files.append(File.generated(config, f"{prefix}/{dest}", abs_src_path=str(src)))
        return files
