"""``execbook-execute`` 的事件：

- ``on_pre_build``：引擎的 ``Session`` 开始（指纹、缓存、内核池；清理被杀掉的构建留下的文件）；
- ``on_files``：docs/ 里的 .ipynb 成为页面；每页只读一次源文件；为有代码的页面加入 notebook 下载文件；
  页面并行地预先运行（或 ``never`` 时检查每一页都有缓存）；
- ``on_page_read_source``：把读过的源文件交给 MkDocs（不再读第二次）；notebook 经引擎运行，转成与 Markdown
  页面相同的 Markdown（代码块、输出占位、页首；cell 标签见 notebook_page.py）；
- ``on_page_markdown``：代码块 → 引擎（缓存）→ 检查块折叠、块后放占位注释（见 splice.py）；写下载的 notebook；
- ``on_post_page``：占位注释换成渲染好的输出 HTML；``mkdocs build`` 不发布 serve 的占位说明与错误框；
  notebook 页面旁边写执行过的 notebook（标签与 metadata 原样）供下载；
- ``on_post_build``：写构建摘要 JSON，打印由它生成的一行摘要。

``mkdocs serve``（``on_startup(command="serve")``）的后台运行见 serve.py。
"""

from __future__ import annotations

import logging
import posixpath
import secrets
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files

from ...engine import BlockError, PageResult
from ...engine.files import atomic_write
from ...engine.notebooks import page_notebook
from ...engine.parallel import default_workers, kernel_threads
from ...engine.session import Job, Session
from ...paths import display_path
from . import serve, splice
from .config import ExecuteConfig
from .notebook_page import cell_outputs, notebook_page_markdown
from .pages import PageSet, notebook_pages
from .render import render_page
from .renderers import register_book_renderers

log = logging.getLogger("mkdocs.plugins.execbook")

# 缓存的问题（条目损坏、resolver 出错）会让块重新执行，不让严格构建失败：用不在 mkdocs 名下的记录器报告
cache_log = logging.getLogger("execbook")
if not cache_log.handlers:
    _h = logging.StreamHandler(sys.stderr)
    _h.setFormatter(logging.Formatter("%(levelname)-7s -  execbook: %(message)s"))
    cache_log.addHandler(_h)
    cache_log.propagate = False


class ExecutePlugin(BasePlugin[ExecuteConfig]):
    supports_multiple_instances = False
    serving = False  # mkdocs serve（on_startup 设定；直接调用 mkdocs 的 build() 时没有这个事件）
    background: serve.ServeRunner | None = None
    session: Session | None = None

    def on_startup(self, *, command, dirty):
        """有 on_startup 的插件在 mkdocs serve 的各次重建之间保留同一个实例（MkDocs ≥ 1.4）。"""
        self.serving = command == "serve"
        self.background = serve.ServeRunner() if self.serving else None

    def on_serve(self, server, config, builder):
        if self.background is not None:
            self.background.watch(server, self.cache_root)
        return server

    def on_config(self, config):
        self.repo_url = config.repo_url
        base = Path(config.config_file_path or ".").resolve().parent
        self.cache_root = (base / self.config.cache_dir).resolve()
        self.nb_dir = self.cache_root / "notebooks"
        exts = config.markdown_extensions
        self.snippets = (
            config.mdx_configs.get("pymdownx.snippets") if "pymdownx.snippets" in exts else None
        )
        self.limits = self.config.limits()
        register_book_renderers(exts, config.mdx_configs)
        self.records: list[dict] = []
        try:
            default_workers(), kernel_threads()
        except ValueError as exc:  # $EXECBOOK_WORKERS / $EXECBOOK_KERNEL_THREADS 写错了
            raise PluginError(str(exc)) from None
        return config

    @property
    def summary(self):
        return self.session.summary

    def on_pre_build(self, config):
        self.session = Session(
            self.cache_root,
            kernels=self.config.execute == "auto",
            notebook_bytes=self.limits.notebook_bytes,
            warn=cache_log.warning,
        )
        for p in self.session.start():  # 每次构建一次（mkdocs serve 重建时辅助包可能变了）
            cache_log.info("清理了被中断的构建留下的 %s", p)
        self.slots: dict[str, splice.Slots] = {}  # src_uri → 这一页的输出
        self.prefetched: dict[str, PageResult | BaseException] = {}
        self.status: dict[str, str] = {}  # serve：notebook 页面顶部的占位说明或错误框
        self.nb_downloads: dict[str, Path] = {}  # notebook 页面 → 写进站点的执行过的 notebook

    def on_build_error(self, error):
        if self.session is not None:
            self.session.close()

    def on_shutdown(self):
        if self.session is not None:
            self.session.close()
        if self.background is not None:
            self.background.close()

    # ------------------------------------------------------------ files

    @event_priority(-100)  # 在其他插件之后：我们生成的 .ipynb 下载文件不是页面
    def on_files(self, files: Files, config):
        self.pages = PageSet(self.nb_dir, self.snippets)
        files = notebook_pages(files)
        if self.config.execute == "plain":
            return files
        try:
            self.pages.scan(files, config)
        except BlockError as exc:
            raise PluginError(str(exc)) from None
        jobs = self.pages.runnable(files)
        if self.config.execute == "never":
            missing = [b.where for j in jobs.values() if (b := self.session.missing(j.blocks))]
            if missing and not self.serving:
                raise PluginError(
                    f"{len(missing)} 页没有最新的执行输出（DLNOTES_EXECUTE=never 时构建不运行代码）：\n  "
                    + "\n  ".join(missing)
                    + "\n刷新：python -m pytest "
                    + " ".join(m.rsplit(":", 1)[0] for m in missing)
                )
        elif not self.serving and self.session.parallel(len(jobs)):
            self.prefetched = self.session.run_all(jobs)  # 页面并行：渲染任何页面之前
        return files

    def on_page_read_source(self, page, config):
        if page.file.src_uri.endswith(".ipynb") and page.file.abs_src_path:
            return self._notebook_markdown(page)
        return self.pages.sources.get(page.file.src_uri) if hasattr(self, "pages") else None

    # ------------------------------------------------------------ engine calls

    def _result(self, f, job: Job) -> PageResult | None:
        """这一页的结果：并行预先运行过的、mkdocs serve 后台的（没算完为 None），或现在运行。"""
        if self.config.execute == "never" and (b := self.session.missing(job.blocks)) is not None:
            raise PluginError(
                f"{b.where}：没有最新的执行输出（DLNOTES_EXECUTE=never 时构建不运行代码）。"
                f"刷新：python -m pytest {display_path(job.path)}"
            )
        if self.serving and self.config.execute == "auto":
            result = self.background.result(job, self.session)
            if result is not None:
                self.session.record(result)
                if (failure := result.failure) is not None:
                    cache_log.error("%s", failure.error)
        else:
            result = self.prefetched.pop(f.src_uri, None)
            if not isinstance(result, PageResult):
                result = self.session.run(job)
            if (failure := result.failure) is not None:
                raise PluginError(failure.error)
        for note in result.notes if result is not None else []:
            log.info("%s", note)
        return result

    # ------------------------------------------------------------ notebooks

    def _notebook_markdown(self, page) -> str:
        """notebook 页面：运行（或取缓存），转成 Markdown（与 Markdown 页面同样的代码块、输出与页首）。"""
        uri = page.file.src_uri
        job = self.pages.job(page.file) if hasattr(self, "pages") else None
        if isinstance(job, BlockError):
            raise PluginError(str(job))
        path = Path(page.file.abs_src_path)
        result = None
        if job is not None and self.config.execute != "plain":
            result = self._result(page.file, job)
            if status := serve.page_status(result):  # serve：先显示，附上说明
                self.status[uri] = status
        if result is None:
            result = serve.not_run(path, job.blocks if job is not None else [])
        out = job.notebook_out if job is not None else None
        self.nb_downloads[uri] = out if out is not None and out.exists() else path
        rendered = self._render(result, page, display_path(path), cell_outputs)
        slots = self.slots[uri] = splice.Slots(secrets.token_hex(8))
        # 下载：站点里与页面同名的 .ipynb（在页面地址的上一层）
        href = posixpath.relpath(uri, posixpath.dirname(page.file.dest_uri) or ".")
        header = splice.page_header(uri, result, self.repo_url, download_href=href)
        return notebook_page_markdown(path, result.results, rendered, slots.token, header)

    # ------------------------------------------------------------ markdown pages

    @event_priority(100)  # 在其他插件改动 Markdown 之前：行号与源文件一致
    def on_page_markdown(self, markdown: str, page, config, files):
        uri = page.file.src_uri
        job = (
            self.pages.job(page.file)
            if uri.endswith(".md") and self.config.execute != "plain"
            else None
        )
        if isinstance(job, BlockError):
            raise PluginError(str(job))
        if job is None or not job.blocks:
            return markdown
        where = display_path(job.path)
        lines = markdown.split("\n")
        try:
            offset = splice.source_offset(self.pages.sources[uri], markdown, where)
            splice.check_fences(lines, job.blocks, offset)
        except splice.SpliceError as exc:
            raise PluginError(str(exc)) from None
        result = self._result(page.file, job)
        slots = self.slots[uri] = splice.Slots(secrets.token_hex(8))
        status_html = serve.page_status(result)  # serve：标题下的占位说明或错误框
        if result is None:  # serve：还在后台运行：代码照常显示，没有输出
            result = serve.not_run(job.path, job.blocks)
        rendered = self._render(result, page, where)
        out = splice.splice(lines, rendered, offset, slots)
        if nb_uri := self.pages.downloads.get(uri):  # serve 中还没算完时 notebook 暂时没有输出
            self._write_download(
                self.pages.sources[uri], result, self.nb_dir / "downloads" / nb_uri, where
            )
        header = splice.page_header(nb_uri, result, self.repo_url)
        if status_html:
            header = slots.token(status_html, where) + ("\n\n" + header if header else "")
        return splice.insert_after_title("\n".join(out), header)

    def _render(self, result: PageResult, page, where: str, shown=None) -> list[tuple]:
        """各块的输出 HTML（见 render.py）；训练记录收集给「实验结果」表，触到上限的说明记进摘要。"""
        with self.session.capture(log.warning):  # 显示不了的输出：严格构建失败（页面:行号）
            rendered = render_page(result, self.limits, shown)
        self.records += [
            dict(r, page_url=page.url, page_title=page.title) for r in rendered.records
        ]
        self._notes(where, rendered.hits)
        return rendered.blocks

    def _notes(self, where: str, hits: list[str]):
        for hit in hits:
            log.info("%s", hit)
        if hits and where in self.summary.pages:  # serve：还在后台运行的页面不在摘要里
            self.summary.pages[where]["notes"] += hits

    def _write_download(self, full: str, result: PageResult, out: Path, where: str):
        """页面 → notebook（代码块为带输出的 code cell，其间文字为 markdown cell）；原子写入。"""
        text, hits = page_notebook(
            full, result, self.limits.notebook_bytes, where, snippets=self.snippets
        )
        self._notes(where, hits)
        atomic_write(out, text, skip_same=True)

    def on_page_content(self, html_text, page, config, files):
        if (status := self.status.pop(page.file.src_uri, None)) is not None:
            html_text = status + html_text
        return html_text

    def on_post_page(self, output, page, config):
        """放进代码块的输出；mkdocs build 绝不发布占位说明或错误框（它们只属于 mkdocs serve）。

        输出到这里才换掉占位注释，不在 on_page_content：search 插件在两者之间（on_page_context）解析
        page.content 建索引，输出都标了 data-search-exclude、不进索引，却要被逐个标签解析一遍
        （内联的 SVG 图占了全站 HTML 的三成）。
        """
        if (slots := getattr(self, "slots", {}).pop(page.file.src_uri, None)) is not None:
            try:
                output = slots.fill(output)
            except splice.SpliceError as exc:
                raise PluginError(str(exc)) from None
        if not self.serving and serve.has_serve_markup(output):
            raise PluginError(
                f"docs/{page.file.src_uri}：页面里有 mkdocs serve 的占位说明，不能发布"
            )
        nb_src = getattr(self, "nb_downloads", {}).pop(page.file.src_uri, None)
        if nb_src is not None:  # notebook 页面：执行过的 notebook（标签与 metadata 原样保留）供下载
            atomic_write(
                Path(config.site_dir) / page.file.src_uri, Path(nb_src).read_bytes(), skip_same=True
            )
        return output

    def on_post_build(self, config):
        self.session.close()
        if self.config.execute == "plain":
            return
        if self.background is not None and self.config.execute == "auto":
            if n := self.background.start():
                cache_log.info("mkdocs serve：%d 页的代码在后台运行，算完一页刷新一页", n)
        print(self.session.write_summary(), flush=True)
