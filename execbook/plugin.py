"""MkDocs 插件 ``dlnotes``：执行代码块并把输出嵌入页面，提供离线 MathJax、notebook 下载与实验结果表。

事件顺序（见 mkdocs.yml 中的插件列表）：

- ``on_files``（在 mkdocs-jupyter 之后）：加入 MathJax 静态文件和每个代码页面的 notebook 下载文件；
- ``on_pre_page``（在 mkdocs-jupyter 之前）：notebook 页面经执行引擎运行，换成带输出的副本；
- ``on_page_markdown``：抽取 ```python 块 → 执行引擎（缓存）→ 输出插在块后；
- ``on_page_context``：所有页面执行完后，生成「实验结果」表；
- ``on_post_build``：打印一行执行摘要。
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
import time
from pathlib import Path

import nbformat
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from . import collect
from . import results as results_mod
from .blocks import BlockError, extract_blocks
from .engine import (
    RESULT_MIME,
    Cache,
    PageResult,
    block_keys,
    execute_notebook,
    execute_page,
    fingerprint,
    page_blocks_from_notebook,
)
from .paths import cache_dir, display_path
from .render import render_outputs, skip_note

log = logging.getLogger("mkdocs.plugins.dlnotes")

MATHJAX_PREFIX = "assets/mathjax"
RESULTS_PLACEHOLDER = "<!-- dlnotes:results-table -->"


def mathjax_root() -> Path:
    """pip 包 django-static-mathjax 中的 MathJax 3 es5 目录。"""
    import mathjax  # django-static-mathjax

    root = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (root / "tex-chtml.js").exists():
        raise PluginError(f"找不到 MathJax（{root}）：请按 README 安装 requirements.txt")
    return root


def mathjax_files(root: Path):
    """站点需要的 MathJax 文件：tex-chtml 组件、TeX 扩展、CHTML 字体、菜单与无障碍模块。"""
    yield root / "tex-chtml.js"
    for sub in ("input", "output/chtml", "ui", "a11y", "adaptors", "sre"):
        for p in sorted((root / sub).rglob("*")):
            if p.is_file():
                yield p


class ExecuteConfig(Config):
    # auto：执行缺缓存的块；never：只用缓存，缺了就报错；plain：不执行也不嵌入输出（纯 MkDocs 构建，基准测试用）
    execute = config_options.Choice(("auto", "never", "plain"), default="auto")
    results_page = config_options.Type(str, default="appendix/results.md")


class ExecutePlugin(BasePlugin[ExecuteConfig]):
    def on_pre_build(self, config):
        self.fp = fingerprint()  # 每次构建计算一次（mkdocs serve 重建时辅助包可能变了）

    def on_config(self, config):
        self.cache = Cache()
        self.stats = {"ran": 0, "replayed": 0, "cached": 0, "skipped": 0, "failed": 0}
        self.records: list[dict] = []
        self.t0 = time.perf_counter()
        self.nb_dir = cache_dir() / "notebooks"
        self.repo_url = (config.repo_url or "").rstrip("/")
        return config

    # ------------------------------------------------------------ files

    @event_priority(-100)  # 在 mkdocs-jupyter 之后：我们生成的 .ipynb 下载文件不是页面
    def on_files(self, files: Files, config):
        root = mathjax_root()
        for p in mathjax_files(root):
            files.append(
                File.generated(
                    config,
                    f"{MATHJAX_PREFIX}/{p.relative_to(root).as_posix()}",
                    abs_src_path=str(p),
                )
            )
        self.downloads: dict[str, str] = {}
        for f in list(files.documentation_pages()) if self.config.execute != "plain" else []:
            if not f.src_uri.endswith(".md") or f.abs_src_path is None:
                continue
            text = Path(f.abs_src_path).read_text(encoding="utf-8")
            if "```python" not in text:
                continue
            nb_uri = f.src_uri[: -len(".md")] + ".ipynb"
            nb_path = self.nb_dir / "downloads" / nb_uri
            self.downloads[f.src_uri] = nb_uri
            files.append(File.generated(config, nb_uri, abs_src_path=str(nb_path)))
        return files

    # ------------------------------------------------------------ notebooks

    @event_priority(100)  # 在 mkdocs-jupyter 之前：它渲染的是执行过的副本
    def on_pre_page(self, page, config, files):
        src = page.file.abs_src_path
        if not src or not src.endswith(".ipynb") or self.config.execute == "plain":
            return page
        src_path = Path(src)
        out = self.nb_dir / "executed" / page.file.src_uri
        if self.config.execute == "never":
            self._require_cached(src_path, page_blocks_from_notebook(src_path)[1])
        result = execute_notebook(src_path, out, cache=self.cache, fp=self.fp)
        self._account(result)
        if (failure := result.failure) is not None:
            raise PluginError(failure.error)
        page.file.abs_src_path = str(out)
        return page

    # ------------------------------------------------------------ markdown pages

    def on_page_markdown(self, markdown: str, page, config, files):
        src = page.file.abs_src_path
        if not src or not src.endswith(".md"):
            return markdown
        path = Path(src)
        if collect.GLOSSARY_PLACEHOLDER in markdown:
            markdown = markdown.replace(collect.GLOSSARY_PLACEHOLDER, collect.glossary_table())
        if collect.REFLECTIONS_PLACEHOLDER in markdown:
            markdown = markdown.replace(
                collect.REFLECTIONS_PLACEHOLDER, collect.reflections(page.file.src_uri)
            )
        if not page.meta.get("description") and (desc := collect.describe(markdown)):
            page.meta["description"] = desc
        full = path.read_text(encoding="utf-8")
        offset = (
            full.count("\n") - markdown.count("\n")
            if full.rstrip().endswith(markdown.rstrip())
            else 0
        )
        try:
            blocks = extract_blocks(path, markdown)
        except BlockError as exc:
            raise PluginError(str(exc)) from exc
        for b in blocks:
            b.lineno += offset
            b.end_lineno += offset
        if not blocks or self.config.execute == "plain":
            return markdown
        if self.config.execute == "never":
            self._require_cached(path, blocks)
        result = execute_page(path, blocks, cache=self.cache, fp=self.fp)
        self._account(result)
        if (failure := result.failure) is not None:
            raise PluginError(failure.error)

        lines = markdown.split("\n")
        inserts: dict[int, list[str]] = {}
        for r in result.results:
            b = r.block
            rendered = skip_note(b.skip_reason) if r.status == "skipped" else render_outputs(r)
            for o in r.outputs:
                rec = o.get("data", {}).get(RESULT_MIME)
                if rec:
                    self.records.append(dict(rec, page_url=page.url, page_title=page.title))
            if rendered:
                inserts[b.end_lineno - offset] = [""] + [
                    (b.indent + x) if x else "" for x in rendered
                ]
        out: list[str] = []
        for i, line in enumerate(lines, start=1):
            out.append(line)
            if i in inserts:
                out += inserts[i]
        header = self._page_header(page, result)
        return self._insert_after_title("\n".join(out), header)

    def _require_cached(self, path: Path, blocks):
        """DLNOTES_EXECUTE=never：页面或 notebook 的每个块都必须有缓存（notebook 的「行号」是 cell 序号）。"""
        for b, k in zip(blocks, block_keys(blocks, self.fp)):
            if k is not None and self.cache.get(k) is None:
                raise PluginError(
                    f"{b.where}：没有最新的执行输出（DLNOTES_EXECUTE=never 时构建不运行代码）。"
                    f"刷新：pytest {display_path(path)}"
                )

    def _page_header(self, page, result: PageResult) -> str:
        nb_uri = self.downloads.get(page.file.src_uri)
        if nb_uri:
            self._write_download_notebook(page, result, self.nb_dir / "downloads" / nb_uri)
        provs = [r.provenance for r in result.results if r.provenance]
        parts = []
        if nb_uri:
            parts.append(
                f"[:material-download: 下载本页 notebook]({Path(nb_uri).name}){{ .dl-download }}"
            )
        if provs:
            date = max(p.get("date", "") for p in provs)
            devices = sorted({p.get("device", "?") for p in provs})
            torch_v = provs[-1].get("torch", "?")
            parts.append(
                f"本页输出由执行引擎运行代码生成：{date}，设备 {'/'.join(devices)}，torch {torch_v}。"
            )
        if not parts:
            return ""
        return '<div class="dl-page-meta" markdown>\n' + " ".join(parts) + "\n</div>"

    @staticmethod
    def _insert_after_title(markdown: str, header: str) -> str:
        if not header:
            return markdown
        lines = markdown.split("\n")
        for i, line in enumerate(lines):
            if line.startswith("# "):
                return "\n".join(lines[: i + 1] + ["", header, ""] + lines[i + 1 :])
        return header + "\n\n" + markdown

    def _write_download_notebook(self, page, result: PageResult, out: Path):
        """页面 → notebook：代码块为 code cell（带输出），其间文字为 markdown cell。"""
        from .engine import to_nbformat_output

        text = Path(page.file.abs_src_path).read_text(encoding="utf-8").split("\n")
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        prev = 0
        for r in result.results:
            b = r.block
            md = "\n".join(text[prev : b.lineno - 1]).strip()
            if md:
                nb.cells.append(nbformat.v4.new_markdown_cell(md))
            cell = nbformat.v4.new_code_cell(b.source.rstrip("\n"))
            cell.outputs = [to_nbformat_output(o) for o in r.outputs]
            nb.cells.append(cell)
            prev = b.end_lineno
        md = "\n".join(text[prev:]).strip()
        if md:
            nb.cells.append(nbformat.v4.new_markdown_cell(md))
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)

    _NB_HREF_RE = re.compile(r'href="(?![a-z]+:|#|/)([^"#]+\.(?:md|ipynb))(#[^"]*)?"')

    def on_page_content(self, html_text, page, config, files):
        """notebook 页面里的 .md 链接：mkdocs-jupyter 不改写它们，这里换成站点上的地址（在线和离线副本都能用）。"""
        if not page.file.src_uri.endswith(".ipynb"):
            return html_text

        def repl(m):
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(page.file.src_uri), m.group(1))
            )
            f = files.get_file_from_path(target)
            if f is None:
                raise PluginError(f"docs/{page.file.src_uri}：链接 {m.group(1)} 指向不存在的文件")
            return f'href="{f.url_relative_to(page.file)}{m.group(2) or ""}"'

        return self._NB_HREF_RE.sub(repl, html_text)

    # ------------------------------------------------------------ results table

    @event_priority(100)  # 在 search 插件收集页面内容之前
    def on_page_context(self, context, page, config, nav):
        if page.file.src_uri == self.config.results_page and page.content:
            table = results_mod.render_table(self.records, page.url, [p.url for p in nav.pages])
            if RESULTS_PLACEHOLDER not in page.content:
                raise PluginError(
                    f"{self.config.results_page} 缺少占位注释 {html.escape(RESULTS_PLACEHOLDER)}"
                )
            page.content = page.content.replace(RESULTS_PLACEHOLDER, table)
        return context

    # ------------------------------------------------------------ summary

    def _account(self, result: PageResult):
        for r in result.results:
            if r.status in self.stats:
                self.stats[r.status] += 1

    def on_post_build(self, config):
        s = self.stats
        print(
            f"dlnotes 执行摘要：运行 {s['ran'] + s['replayed']} 块（其中 {s['replayed']} 块为恢复内核状态重跑），"
            f"取自缓存 {s['cached']} 块，跳过 {s['skipped']} 块，失败 {s['failed']} 块；"
            f"用时 {time.perf_counter() - self.t0:.1f} 秒",
            flush=True,
        )
