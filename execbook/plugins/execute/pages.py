"""本次构建的页面：每个源文件只读一次，代码块只抽取一次，有代码的页面配一个下载用的 notebook。"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

from ...engine import BlockError
from ...engine.blocks import read_page
from ...engine.session import Job, load_job


class NotebookPageFile(File):
    """docs/ 里的 .ipynb：一个文档页面（地址与同名 .md 页面的相同，如 chapter_x/page/）。"""

    def is_documentation_page(self) -> bool:
        return True


def notebook_pages(files: Files) -> Files:
    """docs/ 里的每个 .ipynb 成为页面（由本插件转成 Markdown，见 notebook_page.py）。"""
    return Files(
        [
            NotebookPageFile(
                f.src_uri, f.src_dir, f.dest_dir, f.use_directory_urls, inclusion=f.inclusion
            )
            if f.src_uri.endswith(".ipynb") and f.abs_src_path and not f.generated_by
            else f
            for f in files
        ]
    )


class PageSet:
    def __init__(self, nb_dir: Path, snippets: dict | None):
        self.nb_dir = nb_dir
        self.snippets = snippets
        self.sources: dict[str, str] = {}  # src_uri → 源文件（每页只读一次）
        self.downloads: dict[str, str] = {}  # src_uri → 下载的 notebook（相对 docs/）
        self.jobs: dict[str, Job | BlockError | None] = {}

    def scan(self, files: Files, config) -> None:
        """读每个 Markdown 页面；有 ```python 块的页面加入 notebook 下载文件。读不了的页面抛出 BlockError。"""
        for f in list(files.documentation_pages()):
            if f.src_uri.endswith(".md") and f.abs_src_path is not None:
                self.sources[f.src_uri] = text = read_page(Path(f.abs_src_path))
                if "```python" in text:
                    self.downloads[f.src_uri] = nb_uri = f.src_uri[: -len(".md")] + ".ipynb"
                    out = str(self.nb_dir / "downloads" / nb_uri)
                    files.append(File.generated(config, nb_uri, abs_src_path=out))

    def job(self, f) -> Job | BlockError | None:
        """页面或 notebook 的 Job（None：没有代码；抽取出错时是那个 BlockError，渲染这一页时报出）。"""
        if f.src_uri in self.jobs:
            return self.jobs[f.src_uri]
        src = f.abs_src_path
        job = None
        if src and (src.endswith(".ipynb") or f.src_uri in self.downloads):
            try:
                job = load_job(Path(src), self.snippets, self.sources.get(f.src_uri))
                if src.endswith(".ipynb"):
                    job.notebook_out = self.nb_dir / "executed" / f.src_uri
            except BlockError as exc:
                job = exc
        self.jobs[f.src_uri] = job
        return job

    def runnable(self, files: Files) -> dict[str, Job]:
        """有代码块的页面与 notebook：{src_uri: Job}（抽取出错的不在其中）。"""
        jobs = {f.src_uri: self.job(f) for f in files.documentation_pages()}
        return {uri: j for uri, j in jobs.items() if isinstance(j, Job) and j.blocks}
