"""MkDocs 钩子（mkdocs.yml 的 ``hooks:``）：坏的 YAML front matter 让构建失败并指明 页面:行号。

MkDocs 读不懂 front matter 时不报错，而是把它当正文发布（``---`` 变成分隔线，键值变成文字）。这时交给
``on_page_markdown`` 的 Markdown 仍以 front matter 开头，这里重新解析它，报出 YAML 的错误位置。
钩子按文件路径载入（不经包的导入），所以这里只用绝对导入；不需要登记插件入口。
"""

from __future__ import annotations

import re

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from execbook.paths import display_path

# mkdocs.utils.meta 识别 front matter 的方式
FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)


def check_front_matter(markdown: str, where: str) -> None:
    """MkDocs 没有去掉的 front matter（``markdown`` 仍以它开头）：YAML 错误或不是表时抛出 ValueError。"""
    m = FRONT_MATTER_RE.match(markdown.lstrip("\ufeff"))
    if not m:
        return
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValueError(f"{where}:{line}: front matter 不是合法的 YAML（{problem}）") from None
    if not isinstance(data, dict):
        raise ValueError(f"{where}:1: front matter 应是「键: 值」的表，得到 {type(data).__name__}")


@event_priority(110)  # 在执行插件与其他插件改动 Markdown 之前
def on_page_markdown(markdown: str, page, config, files):
    src = page.file.abs_src_path
    if src and src.endswith(".md"):
        try:
            check_front_matter(markdown, display_path(src))
        except ValueError as exc:
            raise PluginError(str(exc)) from None
    return markdown
