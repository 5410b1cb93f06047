"""MkDocs 插件 ``execbook-appendix``：由各页面内容与执行记录生成的附录内容，从不手写。

- 术语表、学习感悟汇总（``execbook/reports/glossary.py``）：在页面的占位注释处填入；页面描述（``<meta name=description>``）；
- 「勘误与说明」（``execbook/reports/errata.py``）：由各页面的更正与说明脚注生成；
- 「实验结果」表（``execbook/reports/results_table.py``）：由执行插件收集的训练记录生成；
- 「构建报告」（``execbook/reports/build_report.py``）：由本次构建的摘要生成。

后两者在 ``on_page_context`` 填入：那时所有页面都已执行。本插件要排在 ``execbook-execute`` 之后。
"""

from __future__ import annotations

import html
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.utils import get_relative_url

from ..reports import build_report, errata, glossary
from ..reports import results_table as results_mod
from .execute import ExecutePlugin

RESULTS_PLACEHOLDER = "<!-- dlnotes:results-table -->"


class AppendixConfig(Config):
    results_page = config_options.Type(str, default="appendix/results.md")
    report_page = config_options.Type(str, default="appendix/build-report.md")


class AppendixPlugin(BasePlugin[AppendixConfig]):
    def on_config(self, config):
        self.docs_dir = config.docs_dir
        return config

    def _executor(self, config) -> ExecutePlugin | None:
        return next((p for p in config.plugins.values() if isinstance(p, ExecutePlugin)), None)

    @event_priority(110)  # 在执行插件之前：描述取自作者写的文字（占位注释所在的页面没有代码块）
    def on_page_markdown(self, markdown: str, page, config, files):
        docs = Path(config.docs_dir)
        if glossary.GLOSSARY_PLACEHOLDER in markdown:
            markdown = markdown.replace(
                glossary.GLOSSARY_PLACEHOLDER,
                glossary.glossary_table(docs / "_includes" / "glossary"),
            )
        if glossary.REFLECTIONS_PLACEHOLDER in markdown:
            markdown = markdown.replace(
                glossary.REFLECTIONS_PLACEHOLDER, glossary.reflections(page.file.src_uri, docs)
            )
        markdown = errata.fill(markdown, page.file.src_uri, docs, config.nav)
        if not page.meta.get("description") and (desc := glossary.describe(markdown)):
            page.meta["description"] = desc
        return markdown

    @event_priority(100)  # 在 search 插件收集页面内容之前
    def on_page_context(self, context, page, config, nav):
        uri = page.file.src_uri
        if uri not in (self.config.results_page, self.config.report_page) or not page.content:
            return context
        executor = self._executor(config)
        if uri == self.config.results_page:
            records = executor.records if executor else []
            table = results_mod.render_table(records, page.url, [p.url for p in nav.pages])
            if RESULTS_PLACEHOLDER not in page.content:
                raise PluginError(f"docs/{uri} 缺少占位注释 {html.escape(RESULTS_PLACEHOLDER)}")
            page.content = page.content.replace(RESULTS_PLACEHOLDER, table)
        else:
            summary = (
                executor.summary.to_json()
                if executor and executor.config.execute != "plain"
                else None
            )
            by_src = {f"docs/{p.file.src_uri}": p for p in nav.pages}
            links = {k: get_relative_url(p.url, page.url) for k, p in by_src.items()}
            titles = {k: p.title for k, p in by_src.items() if p.title}
            try:
                page.content = build_report.fill_placeholder(
                    page.content,
                    build_report.report_html(summary, links=links, titles=titles),
                    where=f"docs/{uri}",
                )
            except ValueError as exc:
                raise PluginError(str(exc)) from None
        return context
