"""MkDocs 插件 ``execbook-execute``：运行页面与 notebook 的代码块，把输出嵌入页面，提供 notebook 下载。

事件（插件在 mkdocs.yml 中排在 mkdocs-jupyter 之前）：

- ``on_pre_build``：清理被杀掉的构建留下的临时文件与内核目录；建本次构建的内核池、指纹与摘要；
- ``on_files``（在 mkdocs-jupyter 之后）：为每个有代码的页面加入 notebook 下载文件；
- ``on_pre_page``（在 mkdocs-jupyter 之前）：notebook 经执行引擎运行，换成带输出的副本；
- ``on_page_markdown``：抽取 ```python 块 → 执行引擎（缓存）→ 在块后放一个占位注释；
  ``<!--pytest.mark.check-->`` 块改写成折叠的「构建检查」；
- ``on_page_content``：占位注释换成渲染好的输出 HTML（Markdown 转换之后：输出只是数据）；
- ``on_post_build``：写构建摘要 JSON（``<cache_dir>/build-summary.json``），打印由它生成的一行摘要。

``mkdocs serve``（由 ``on_startup(command="serve")`` 识别）：构建不等代码运行。缺输出的页面先显示占位说明
（「本页代码正在运行……」），它们的代码在后台的 PageRunner 里运行（第一次构建写完站点之后才开始）；
一页算完就改动一个被监视的文件（``<cache_dir>/serve/done``），MkDocs 重建，浏览器经 livereload 自动刷新。
失败的块不让服务器停下：错误（页面:行号与 traceback）显示在那一页上；改好之后页面的缓存键变了，又在后台运行。
``mkdocs build`` 照旧同步执行、严格：``on_post_page`` 保证占位说明和错误框绝不会出现在构建出的站点里。
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
import secrets
import sys
import threading
import time
import warnings
from pathlib import Path

import yaml
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from dlnotes.results import RESULT_MIME

from ..colab import colab_link_markdown
from ..engine import (
    BlockError,
    BlockResult,
    BuildSummary,
    Cache,
    DependencyChecker,
    KernelPool,
    OutputLimits,
    PageResult,
    block_keys,
    execute_notebook,
    execute_page,
    extract_blocks,
    fingerprint,
    human_line,
    missing_blocks,
    summary_path,
)
from ..engine.blocks import blocks_from_notebook, read_page
from ..engine.execute import (
    cap_notebook_outputs,
    code_cell,
    lookup,
    markdown_cell,
    new_notebook,
    notebook_bytes,
)
from ..engine.files import atomic_write, clean_stale_kernel_dirs
from ..engine.outputs import Budget, render_block, skip_note
from ..engine.parallel import PageRunner, default_workers, kernel_threads
from ..paths import display_path

log = logging.getLogger("mkdocs.plugins.execbook")

# 缓存的问题（条目损坏、resolver 出错）会让块重新执行，不让严格构建失败：用不在 mkdocs 名下的记录器报告
cache_log = logging.getLogger("execbook")
if not cache_log.handlers:
    _h = logging.StreamHandler(sys.stderr)
    _h.setFormatter(logging.Formatter("%(levelname)-7s -  execbook: %(message)s"))
    cache_log.addHandler(_h)
    cache_log.propagate = False

# mkdocs.utils.meta 识别 front matter 的方式
_FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)
CHECK_TITLE = "构建检查"
# mkdocs serve 的占位说明与错误框（构建出的站点里绝不能有它们：on_post_page 检查这两个类名）
PENDING_CLASS = "execbook-pending"
FAILED_CLASS = "execbook-failed"
PENDING_TITLE = "本页代码正在运行……"
PENDING_TEXT = "输出计算完成后页面会自动刷新（mkdocs serve 在后台运行本页的代码块）。"


def pending_html() -> str:
    return (
        f'<div class="admonition info {PENDING_CLASS}"><p class="admonition-title">'
        f"{PENDING_TITLE}</p><p>{PENDING_TEXT}</p></div>"
    )


def failed_html(error: str, title: str = "代码块运行失败") -> str:
    return (
        f'<div class="admonition failure {FAILED_CLASS}"><p class="admonition-title">'
        f"{html.escape(title)}</p><pre><code>{html.escape(error)}</code></pre>"
        "<p>改好之后保存，mkdocs serve 会重新运行并刷新本页。</p></div>"
    )


class ExecuteConfig(Config):
    # auto：执行缺缓存的块；never：只用缓存，缺了就报错；plain：不执行也不嵌入输出（纯 MkDocs 构建，基准用）
    execute = config_options.Choice(("auto", "never", "plain"), default="auto")
    # 执行缓存目录（相对 mkdocs.yml 所在目录）；构建摘要也写在这里
    cache_dir = config_options.Type(str, default=".cache/dlnotes")
    # 输出的大小上限（字节 / 行），见 CONTRIBUTING.md「输出的大小上限」
    max_block_output_bytes = config_options.Type(int, default=OutputLimits.block_bytes)
    max_page_output_bytes = config_options.Type(int, default=OutputLimits.page_bytes)
    max_notebook_bytes = config_options.Type(int, default=OutputLimits.notebook_bytes)
    max_output_lines = config_options.Type(int, default=OutputLimits.lines)
    fold_output_lines = config_options.Type(int, default=OutputLimits.fold_lines)


class ExecutePlugin(BasePlugin[ExecuteConfig]):
    supports_multiple_instances = False
    serving = False  # mkdocs serve（on_startup 设定；直接调用 mkdocs 的 build() 时没有这个事件）
    _background: PageRunner | None = None
    _trigger_dir: Path | None = None

    # ------------------------------------------------------------ mkdocs serve

    def on_startup(self, *, command, dirty):
        """有 on_startup 的插件在 mkdocs serve 的各次重建之间保留同一个实例（MkDocs ≥ 1.4）。"""
        self.serving = command == "serve"
        self._jobs: dict[tuple, object] = {}  # (页面, 各块的缓存键) → Future[PageResult]
        self._queued: list = []  # 本次构建里缺输出的页面，构建写完后才交给后台
        self._jobs_lock = threading.Lock()

    def on_serve(self, server, config, builder):
        """监视一个目录：后台一页算完就在里面写文件，MkDocs 重建，浏览器自动刷新。"""
        self._trigger_dir = self.cache_root / "serve"
        self._trigger_dir.mkdir(parents=True, exist_ok=True)
        server.watch(str(self._trigger_dir))
        if any(f.done() for f in self._jobs.values()):
            self._poke()
        return server

    def _poke(self, *_):
        if self._trigger_dir is not None:
            atomic_write(self._trigger_dir / "done", f"{time.time()}\n")

    def _background_result(self, path: Path, blocks, job) -> PageResult | None:
        """serve：这一页的结果（全部有缓存，或后台已经算完）；还没算完返回 None（页面显示占位说明）。"""
        keys = tuple(block_keys(blocks, self.fp))
        ident = (str(path), keys)
        with self._jobs_lock:
            fut = self._jobs.get(ident)
        if fut is not None and fut.done():
            try:
                return fut.result()
            except Exception as exc:  # 引擎本身出错：显示在页面上
                return PageResult(
                    path,
                    [BlockResult(blocks[0], "failed", error=f"{blocks[0].where}: {exc!r}")]
                    + [BlockResult(b, "not-run") for b in blocks[1:]],
                )
        if fut is None:
            with warnings.catch_warnings(record=True):
                warnings.simplefilter("always")
                _, first_miss = lookup(blocks, list(keys), self.cache, self.checker)
            if first_miss is None:
                return job(None)
            with self._jobs_lock:
                self._queued.append((ident, job))
        return None

    def _start_background(self):
        """构建写完之后：把缺输出的页面交给后台（第一次构建不和代码抢 CPU，页面尽快可看）。"""
        with self._jobs_lock:
            queued, self._queued = self._queued, []
            if not queued:
                return
            if self._background is None:
                workers = default_workers()
                self._background = PageRunner(workers, kernel_threads(workers))
            for ident, job in queued:
                if ident in self._jobs:
                    continue
                fut = self._background.submit(job)
                fut.add_done_callback(self._poke)
                self._jobs[ident] = fut
        cache_log.info("mkdocs serve：%d 页的代码在后台运行，算完一页刷新一页", len(queued))

    def _serve_run(self, path: Path, blocks, job) -> PageResult | None:
        result = self._background_result(path, blocks, job)
        if result is not None:
            for note in result.notes:
                log.info("%s", note)
            self.summary.add(result)
            if (failure := result.failure) is not None:
                cache_log.error("%s", failure.error)
        return result

    # ------------------------------------------------------------ config / build

    def on_config(self, config):
        self.repo_url = config.repo_url
        base = Path(config.config_file_path or ".").resolve().parent
        self.cache_root = (base / self.config.cache_dir).resolve()
        self.nb_dir = self.cache_root / "notebooks"
        self.summary_file = summary_path(self.cache_root)
        self.snippets = (
            config.mdx_configs.get("pymdownx.snippets")
            if ("pymdownx.snippets" in config.markdown_extensions)
            else None
        )
        self.limits = OutputLimits(
            block_bytes=self.config.max_block_output_bytes,
            page_bytes=self.config.max_page_output_bytes,
            notebook_bytes=self.config.max_notebook_bytes,
            lines=self.config.max_output_lines,
            fold_lines=self.config.fold_output_lines,
        )
        self.records: list[dict] = []
        self.summary = BuildSummary()
        try:
            default_workers(), kernel_threads()
        except ValueError as exc:  # $EXECBOOK_WORKERS / $EXECBOOK_KERNEL_THREADS 写错了
            raise PluginError(str(exc)) from None
        return config

    def on_pre_build(self, config):
        self.fp = fingerprint()  # 每次构建计算一次（mkdocs serve 重建时辅助包可能变了）
        self.cache = Cache(self.cache_root)
        self.checker = DependencyChecker()
        self.pool = KernelPool() if self.config.execute == "auto" else None
        self.nonce = secrets.token_hex(8)
        self.prefetched: dict[str, PageResult | BaseException] = {}
        self.rendered: dict[str, list[tuple[str, str, str]]] = {}  # src_uri → [(占位注释, HTML)]
        self.status: dict[str, str] = {}  # serve：notebook 页面顶部的占位说明或错误框
        removed = self.cache.clean() + clean_stale_kernel_dirs()
        for p in removed:
            cache_log.info("清理了被中断的构建留下的 %s", p)

    def _close_pool(self):
        if getattr(self, "pool", None) is not None:
            self.pool.close()
            self.pool = None

    def on_build_error(self, error):
        self._close_pool()

    def on_shutdown(self):
        self._close_pool()
        if self._background is not None:
            self._background.close()
            self._background = None

    # ------------------------------------------------------------ files

    def _extract(self, path: Path, text: str):
        """页面的代码块（一次构建里同一页的同一文本只抽取一次：on_files 预先运行时抽过，渲染时再用）。"""
        hit = self._extracted.get(str(path))
        if hit is not None and hit[0] == text:
            return hit[1]
        blocks = extract_blocks(path, text, snippets=self.snippets)
        self._extracted[str(path)] = (text, blocks)
        return blocks

    @event_priority(-100)  # 在 mkdocs-jupyter 之后：我们生成的 .ipynb 下载文件不是页面
    def on_files(self, files: Files, config):
        self.downloads: dict[str, str] = {}
        self._extracted: dict[str, tuple[str, list]] = {}
        if self.config.execute == "plain":
            return files
        for f in list(files.documentation_pages()):
            if not f.src_uri.endswith(".md") or f.abs_src_path is None:
                continue
            try:
                text = read_page(Path(f.abs_src_path))
            except BlockError as exc:
                raise PluginError(str(exc)) from None
            if "```python" not in text:
                continue
            nb_uri = f.src_uri[: -len(".md")] + ".ipynb"
            self.downloads[f.src_uri] = nb_uri
            files.append(
                File.generated(config, nb_uri, abs_src_path=str(self.nb_dir / "downloads" / nb_uri))
            )
        if self.config.execute == "auto" and default_workers() > 1 and not self.serving:
            self._prefetch(files)
        if self.config.execute == "never":
            self._require_all_cached(files)
        return files

    def _require_all_cached(self, files: Files):
        """DLNOTES_EXECUTE=never：先检查所有页面，一次列出每一个没有最新输出的页面（页面:行号）。"""
        missing: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for f in files.documentation_pages():
                src = f.abs_src_path
                if not src or not (
                    src.endswith(".ipynb") or (src.endswith(".md") and f.src_uri in self.downloads)
                ):
                    continue
                path = Path(src)
                try:
                    blocks = (
                        blocks_from_notebook(path)[1]
                        if src.endswith(".ipynb")
                        else self._extract(path, read_page(path))
                    )
                except BlockError:
                    continue  # 渲染这一页时报出
                b = missing_blocks(blocks, self.cache, self.fp, self.checker)
                if b is not None:
                    missing.append(b.where)
        for w in caught:
            cache_log.warning("%s", w.message)
        if missing and not self.serving:
            raise PluginError(
                f"{len(missing)} 页没有最新的执行输出（DLNOTES_EXECUTE=never 时构建不运行代码）：\n  "
                + "\n  ".join(missing)
                + "\n刷新：python -m pytest "
                + " ".join(m.rsplit(":", 1)[0] for m in missing)
            )

    def _prefetch(self, files: Files):
        """页面并行：在渲染任何页面之前，把所有页面与 notebook 交给 PageRunner 同时运行（或取缓存）。"""
        jobs: dict[str, object] = {}
        for f in files.documentation_pages():
            src = f.abs_src_path
            if not src:
                continue
            path = Path(src)
            if src.endswith(".md") and f.src_uri in self.downloads:
                try:
                    blocks = self._extract(path, read_page(path))
                except BlockError:
                    continue  # on_page_markdown 会报出这个错误
                if blocks:
                    jobs[src] = lambda pool, p=path, b=blocks: execute_page(
                        p, b, cache=self.cache, fp=self.fp, pool=pool, checker=self.checker
                    )
            elif src.endswith(".ipynb"):
                out = self.nb_dir / "executed" / f.src_uri
                jobs[src] = lambda pool, p=path, o=out: execute_notebook(
                    p,
                    o,
                    cache=self.cache,
                    fp=self.fp,
                    pool=pool,
                    checker=self.checker,
                    max_bytes=self.limits.notebook_bytes,
                )
        if len(jobs) < 2:
            return
        workers = default_workers()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with PageRunner(workers, kernel_threads(workers)) as runner:
                futures = {src: runner.submit(job) for src, job in jobs.items()}
                for src, fut in futures.items():
                    try:
                        self.prefetched[src] = fut.result()
                    except Exception as exc:  # 渲染这一页时再按一页一页的方式运行并报错
                        self.prefetched[src] = exc
        for w in caught:
            cache_log.warning("%s", w.message)

    # ------------------------------------------------------------ engine calls

    def _run(self, fn, path: Path, *args, **kwargs) -> PageResult:
        """调用引擎（页面已经并行运行过就用那个结果）；CacheWarning 之类的警告经 execbook 记录器报告。"""
        result = self.prefetched.pop(str(path), None)
        if not isinstance(result, PageResult):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fn(path, *args, **kwargs)
            for w in caught:
                cache_log.warning("%s", w.message)
        for note in result.notes:
            log.info("%s", note)
        self.summary.add(result)
        return result

    def _require_cached(self, path: Path, blocks):
        """DLNOTES_EXECUTE=never：每个块都必须有最新的缓存（notebook 的「行号」是 cell 序号）。"""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            missing = missing_blocks(blocks, self.cache, self.fp, self.checker)
        for w in caught:
            cache_log.warning("%s", w.message)
        if missing is not None:
            raise PluginError(
                f"{missing.where}：没有最新的执行输出（DLNOTES_EXECUTE=never 时构建不运行代码）。"
                f"刷新：python -m pytest {display_path(path)}"
            )

    # ------------------------------------------------------------ notebooks

    @event_priority(100)  # 在 mkdocs-jupyter 之前：它渲染的是执行过的副本
    def on_pre_page(self, page, config, files):
        src = page.file.abs_src_path
        if not src or not src.endswith(".ipynb") or self.config.execute == "plain":
            return page
        src_path = Path(src)
        out = self.nb_dir / "executed" / page.file.src_uri
        if self.config.execute == "never":
            self._require_cached(src_path, blocks_from_notebook(src_path)[1])
        kwargs = dict(
            cache=self.cache, fp=self.fp, checker=self.checker, max_bytes=self.limits.notebook_bytes
        )
        if self._serving_auto():
            result = self._serve_run(
                src_path,
                blocks_from_notebook(src_path)[1],
                lambda pool: execute_notebook(src_path, out, pool=pool, **kwargs),
            )
            if result is None or result.failure is not None:  # 显示没有输出的 notebook 与说明
                self.status[page.file.src_uri] = (
                    pending_html() if result is None else failed_html(result.failure.error)
                )
                return page
        else:
            result = self._run(execute_notebook, src_path, out, pool=self.pool, **kwargs)
        if (failure := result.failure) is not None:
            raise PluginError(failure.error)
        page.file.abs_src_path = str(out)
        return page

    def _serving_auto(self) -> bool:
        return self.serving and self.config.execute == "auto"

    # ------------------------------------------------------------ markdown pages

    @staticmethod
    def _check_front_matter(full: str, markdown: str, where: str):
        """坏的 YAML front matter：MkDocs 会把它当正文发布；这里让构建失败并指明行号。"""
        m = _FRONT_MATTER_RE.match(full)
        if not m or not markdown.lstrip("\ufeff").startswith("---"):
            return
        try:
            data = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = 2 + mark.line if mark is not None else 1
            problem = getattr(exc, "problem", None) or str(exc)
            raise PluginError(
                f"{where}:{line}: front matter 不是合法的 YAML（{problem}）"
            ) from None
        if not isinstance(data, dict):
            raise PluginError(
                f"{where}:1: front matter 应是「键: 值」的表，得到 {type(data).__name__}"
            )

    @event_priority(100)  # 在其他插件改动 Markdown 之前：行号与源文件一致
    def on_page_markdown(self, markdown: str, page, config, files):
        src = page.file.abs_src_path
        if not src or not src.endswith(".md"):
            return markdown
        path = Path(src)
        where = display_path(path)
        try:
            full = read_page(path)
        except BlockError as exc:
            raise PluginError(str(exc)) from None
        self._check_front_matter(full, markdown, where)
        if self.config.execute == "plain":
            return markdown
        # on_page_markdown 拿到的是去掉 front matter 之后的文本：offset = 去掉的行数
        offset = (
            full.count("\n") - markdown.count("\n")
            if full.rstrip().endswith(markdown.rstrip())
            else 0
        )
        try:
            blocks = self._extract(path, full)
        except BlockError as exc:
            raise PluginError(str(exc)) from exc
        if not blocks:
            return markdown
        lines = markdown.split("\n")
        for b in blocks:
            fence = lines[b.lineno - 1 - offset] if 0 <= b.lineno - 1 - offset < len(lines) else ""
            if not fence.lstrip().startswith("```"):
                raise PluginError(
                    f"{b.where}: 页面的 Markdown 在执行前被改动了，找不到代码块的围栏"
                )
        if self.config.execute == "never":
            self._require_cached(path, blocks)
        kwargs = dict(cache=self.cache, fp=self.fp, checker=self.checker)
        status_html = ""
        if self._serving_auto():
            result = self._serve_run(
                path, blocks, lambda pool: execute_page(path, blocks, pool=pool, **kwargs)
            )
            if result is None:  # 还在后台运行：代码照常显示，没有输出，标题下是占位说明
                status_html = pending_html()
                result = PageResult(path, [BlockResult(b, "not-run") for b in blocks])
            elif (failure := result.failure) is not None:
                status_html = failed_html(
                    f"本页有代码块运行失败：{failure.block.where}（错误见该代码块下方）",
                    "本页的输出不完整",
                )
        else:
            result = self._run(execute_page, path, blocks, pool=self.pool, **kwargs)
            if (failure := result.failure) is not None:
                raise PluginError(failure.error)

        budget = Budget(self.limits.page_bytes)
        slots: list[tuple[str, str, str]] = []
        inserts: dict[int, list[str]] = {}  # Markdown 行号（从 1 开始）→ 插在它后面的行
        checks: dict[int, int] = {}  # 检查块的开始行 → 结束行（Markdown 行号）
        for r in result.results:
            b = r.block
            if r.status == "skipped":
                html_out = skip_note(b.skip_reason)
            elif r.status == "failed":  # 只在 mkdocs serve 中出现（构建在上面就失败了）
                html_out = failed_html(r.error or b.where)
            else:
                html_out = render_block(r.outputs, self.limits, budget, b.where)
            for o in r.outputs:
                rec = (o.get("data") or {}).get(RESULT_MIME)
                if rec:
                    self.records.append(dict(rec, page_url=page.url, page_title=page.title))
            if b.check:
                checks[b.lineno - offset] = b.end_lineno - offset
            if html_out:
                token = f"<!--execbook-output-{self.nonce}-{len(slots)}-->"
                slots.append((token, html_out, b.where))
                inserts[b.end_lineno - offset] = ["", (b.indent + token), ""]
        for hit in budget.hits:
            log.info("%s", hit)
        if where in self.summary.pages:  # serve：还在后台运行的页面不在摘要里
            self.summary.pages[where]["notes"] += budget.hits
        self.rendered[page.file.src_uri] = slots

        out: list[str] = []
        check_end = None
        for i, line in enumerate(lines, start=1):
            if i in checks:
                indent = line[: len(line) - len(line.lstrip())]
                out += [f'{indent}??? success "{CHECK_TITLE}"', ""]
                check_end = checks[i]
            if check_end is not None:
                out.append(("    " + line) if line.strip() else "")
                if i == check_end:
                    check_end = None
            else:
                out.append(line)
            if i in inserts:
                out += inserts[i]
        nb_uri = self.downloads.get(page.file.src_uri)
        if nb_uri:  # serve 中还没算完时 notebook 暂时没有输出
            self._write_download_notebook(full, result, self.nb_dir / "downloads" / nb_uri, where)
        header = self._page_header(nb_uri, result)
        if status_html:
            token = f"<!--execbook-output-{self.nonce}-{len(slots)}-->"
            slots.append((token, status_html, where))
            header = token + ("\n\n" + header if header else "")
        return self._insert_after_title("\n".join(out), header)

    def on_page_content(self, html_text, page, config, files):
        if page.file.src_uri.endswith(".ipynb"):
            html_text = self._rewrite_notebook_links(html_text, page, files)
        if (status := self.status.pop(page.file.src_uri, None)) is not None:
            html_text = status + html_text
        return html_text

    def on_post_page(self, output, page, config):
        """放进代码块的输出；mkdocs build 绝不发布占位说明或错误框（它们只属于 mkdocs serve）。

        输出到这里才换掉占位注释，不在 on_page_content：search 插件在两者之间（on_page_context）解析
        page.content 建索引，输出都标了 data-search-exclude、不进索引，却要被逐个标签解析一遍
        （内联的 SVG 图占了全站 HTML 的三成）。
        """
        slots = getattr(self, "rendered", {}).pop(page.file.src_uri, [])
        if slots:
            # 一遍替换所有占位注释（Markdown 可能把它们包进 <p>）
            pattern = re.compile(
                r"(?:<p>\s*)?<!--execbook-output-" + self.nonce + r"-(\d+)-->(?:\s*</p>)?"
            )
            seen: set[int] = set()

            def fill(m):
                i = int(m.group(1))
                seen.add(i)
                return slots[i][1]

            output = pattern.sub(fill, output)
            for i, (_token, _html, block_where) in enumerate(slots):
                if i not in seen:
                    raise PluginError(
                        f"{block_where}: 输出的位置在渲染后找不到了（代码块是否在不支持的结构里？）"
                    )
        if not self.serving and (PENDING_CLASS in output or FAILED_CLASS in output):
            raise PluginError(
                f"docs/{page.file.src_uri}：页面里有 mkdocs serve 的占位说明，不能发布"
            )
        return output

    def _page_header(self, nb_uri: str | None, result: PageResult) -> str:
        provs = [r.provenance for r in result.results if r.provenance]
        parts = []
        if nb_uri:
            parts.append(
                f"[:material-download: 下载本页 notebook]({Path(nb_uri).name}){{ .dl-download }}"
            )
            # 在 Colab 中运行：打开发布分支里执行过的同一个 notebook（见 execbook/colab.py）；
            # 只是一个链接，读者点击之前不发任何请求
            if colab := colab_link_markdown(self.repo_url, nb_uri):
                parts.append(colab)
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

    def _write_download_notebook(self, full: str, result: PageResult, out: Path, where: str):
        """页面 → notebook：代码块为 code cell（带输出），其间文字为 markdown cell；原子写入。"""
        text = full.split("\n")
        cells: list[dict] = []
        prev = 0
        for r in result.results:
            b = r.block
            md = "\n".join(text[prev : b.lineno - 1]).strip()
            if md:
                cells.append(markdown_cell(md, len(cells)))
            tags = ["check"] if b.check else None
            cells.append(code_cell(b.source.rstrip("\n"), list(r.outputs), len(cells), tags))
            prev = b.end_lineno
        md = "\n".join(text[prev:]).strip()
        if md:
            cells.append(markdown_cell(md, len(cells)))
        nb = new_notebook(cells)
        hits = cap_notebook_outputs(nb["cells"], self.limits.notebook_bytes, where)
        for hit in hits:
            log.info("%s", hit)
        if hits:
            self.summary.pages[where]["notes"] += hits
        atomic_write(out, notebook_bytes(nb), skip_same=True)

    _NB_HREF_RE = re.compile(r'href="(?![a-z]+:|#|/)([^"#]+\.(?:md|ipynb))(#[^"]*)?"')

    def _rewrite_notebook_links(self, html_text, page, files):
        """notebook 页面里的 .md 链接：mkdocs-jupyter 不改写它们，这里换成站点上的地址。"""

        def repl(m):
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(page.file.src_uri), m.group(1))
            )
            f = files.get_file_from_path(target)
            if f is None:
                raise PluginError(f"docs/{page.file.src_uri}：链接 {m.group(1)} 指向不存在的文件")
            return f'href="{f.url_relative_to(page.file)}{m.group(2) or ""}"'

        return self._NB_HREF_RE.sub(repl, html_text)

    # ------------------------------------------------------------ summary

    def on_post_build(self, config):
        self._close_pool()
        if self.config.execute == "plain":
            return
        if self._serving_auto():
            self._start_background()
        data = self.summary.write(self.summary_file)
        print(human_line(data, self.summary_file), flush=True)
