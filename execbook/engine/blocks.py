"""代码块抽取：页面里的 ```python 块 → ``Block`` 列表。

抽取用 pytest-codeblocks 的抽取器（与 ``pytest --codeblocks`` 看到的完全一样，含
``<!--pytest.mark.…-->`` 标记）；块中的 ``--8<-- "snippets/x.py:section"`` 行用 pymdownx.snippets
自己的预处理器展开，设置取自 mkdocs.yml（``snippet_settings``），所以引擎运行的代码就是站点上显示的代码。

行号一律是**源文件**的行号（从 1 开始），front matter 也算在内。
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown
from pytest_codeblocks.main import extract_from_buffer

from ..paths import display_path

DEFAULT_TIMEOUT = 300  # 秒；单个代码块的默认时限
CHECK_MARK = "pytest.mark.check"
# 有意报错的代码块（与 Jupyter/MyST-NB 的 raises-exception 标签同义）：错误作为输出显示，页面继续运行
RAISES_MARK = "pytest.mark.raises-exception"

# notebook 的 cell 标签（MyST-NB / nbclient 的名字与含义，见 CONTRIBUTING.md「notebook 的 cell 标签」）
SKIP_TAG = "skip-execution"  # 不运行，保留 notebook 里保存的输出
RAISES_TAG = "raises-exception"  # 错误作为输出显示，之后的 cell 照常运行

_SKIP_RE = re.compile(r"""^pytest\.mark\.skip\(\s*reason\s*=\s*(['"])(?P<reason>.+)\1\s*\)$""")
_TIMEOUT_RE = re.compile(r"^pytest\.mark\.timeout\(\s*(?P<seconds>\d+)\s*\)$")
_SNIPPET_LINE_RE = re.compile(r"^\s*-{1,}8<-{1,}")

# 没有 mkdocs.yml 时用的 pymdownx.snippets 设置（与仓库的 mkdocs.yml 相同）
DEFAULT_SNIPPETS = {"base_path": ["."], "check_paths": True, "dedent_subsections": True}


class BlockError(Exception):
    """页面里的代码块写法有误（未知标记、没写原因的 skip、找不到的 snippet、不是 UTF-8……）。"""


@dataclass
class Block:
    """页面中一个可运行的 ```python 代码块（或 notebook 的一个 code cell）。"""

    page: Path  # 源文件的绝对路径
    index: int  # 在页面可运行块中的序号（从 0 开始）
    lineno: int  # 开始围栏所在的文件行号（notebook：cell 序号，从 1 开始）
    end_lineno: int  # 结束围栏所在的文件行号
    indent: str  # 围栏的缩进（内容标签页里是 4 个空格）
    code: str  # 页面上写的代码（未展开 snippet）
    source: str  # 实际运行的代码（snippet 已展开）
    skip_reason: str | None = None
    timeout: int = DEFAULT_TIMEOUT
    check: bool = False  # <!--pytest.mark.check-->：构建检查（页面上折叠显示）
    raises: bool = False  # 允许报错（raises-exception 标签 / 标记，或 notebook 的 allow_errors）
    must_raise: bool = False  # Markdown 页面的 raises-exception 标记：不报错反而是错误
    tags: tuple[str, ...] = ()  # notebook cell 的标签（渲染时的 remove-*/hide-*）
    saved_outputs: list | None = None  # notebook 里保存的输出（skip-execution 的 cell 显示它们）

    @property
    def is_notebook(self) -> bool:
        return self.page.suffix == ".ipynb"

    @property
    def where(self) -> str:
        """``docs/page.md:12`` 或 ``docs/nb.ipynb: cell 2`` 形式的位置，用于报错。

        notebook 的 cell 序号从 1 开始，markdown cell 也算（读者在 Jupyter 里从上往下数到的那个）。
        """
        if self.is_notebook:
            return f"{display_path(self.page)}: cell {self.lineno}"
        return f"{display_path(self.page)}:{self.lineno}"

    def where_line(self, line: int) -> str:
        """块内第 ``line`` 行（从 1 开始）的位置：页面的文件行号，或 notebook 的 ``cell N, line M``。"""
        if self.is_notebook:
            return f"{self.where}, line {line}"
        return f"{display_path(self.page)}:{self.lineno + line}"


def _freeze(settings: dict) -> tuple:
    def f(v):
        if isinstance(v, list | tuple):
            return tuple(f(x) for x in v)
        if isinstance(v, dict):
            return tuple(sorted((k, f(x)) for k, x in v.items()))
        return v

    return f(settings)


@lru_cache(maxsize=8)
def _snippet_preprocessor(frozen: tuple):
    settings = {k: (list(v) if isinstance(v, tuple) else v) for k, v in frozen}
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": settings}
    )
    return md.preprocessors["snippet"]


def expand_snippets(code: str, snippets: dict | None = None) -> str:
    """展开代码中的 ``--8<--`` 行（与站点渲染时 pymdownx.snippets 的结果相同）。

    ``snippets`` 是 mkdocs.yml 中 ``pymdownx.snippets`` 的设置（``base_path`` 等）。
    """
    if not any(_SNIPPET_LINE_RE.match(line) for line in code.splitlines()):
        return code
    pre = _snippet_preprocessor(_freeze(snippets if snippets is not None else DEFAULT_SNIPPETS))
    lines = pre.run(code.splitlines())
    return "\n".join(lines).rstrip("\n") + "\n"


def _parse_marks(marks: list[str], where: str) -> dict:
    """块前的 ``<!--pytest.mark.…-->`` 标记 → Block 的字段（不认识的标记、没写原因的 skip 报 页面:行号）。

    Markdown 页面上标了有意报错的块必须真的报错（``must_raise``）。
    """
    skip_reason, timeout, check, raises = None, DEFAULT_TIMEOUT, False, False
    for mark in marks:
        mark = mark.strip()
        if mark == RAISES_MARK:
            raises = True
        elif m := _SKIP_RE.match(mark):
            skip_reason = m.group("reason")
        elif m := _TIMEOUT_RE.match(mark):
            timeout = int(m.group("seconds"))
        elif mark == CHECK_MARK:
            check = True
        elif mark.startswith("pytest.mark.skip"):
            raise BlockError(
                f'{where}: 跳过代码块必须写明原因：<!--pytest.mark.skip(reason="…")-->'
            )
        else:
            raise BlockError(
                f"{where}: 不支持的标记 <!--{mark}-->；可用的只有 "
                'pytest.mark.skip(reason="…")、pytest.mark.timeout(秒)、pytest.mark.check '
                f"和 {RAISES_MARK}"
            )
    if check and skip_reason is not None:
        raise BlockError(f"{where}: 构建检查（pytest.mark.check）不能跳过")
    if check and raises:
        raise BlockError(f"{where}: 构建检查（pytest.mark.check）不能标成有意报错")
    return {
        "skip_reason": skip_reason,
        "timeout": timeout,
        "check": check,
        "raises": raises,
        "must_raise": raises,
    }


def read_page(path: Path) -> str:
    """读页面源文件；不是 UTF-8 时报出 页面:行号。"""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BlockError(
            f"{display_path(path)}:{line}: 不是 UTF-8 编码的文本"
            f"（字节 0x{data[exc.start]:02x} 无法解码）；请把文件存为 UTF-8"
        ) from None


def _fence(lines: list[str], start: int, where: str) -> tuple[str, int, str]:
    """开始围栏在第 ``start`` 行的代码块：(围栏的缩进, 结束围栏的行号, 去掉缩进的代码)。

    结束围栏自己找（pytest-codeblocks 会吞掉缩进块中的空行，行数因此对不上）。
    """
    fence_line = lines[start - 1]
    indent = fence_line[: len(fence_line) - len(fence_line.lstrip())]
    ticks = fence_line.strip()[: len(fence_line.strip()) - len(fence_line.strip().lstrip("`"))]
    end = next(
        (i for i in range(start + 1, len(lines) + 1) if lines[i - 1].strip().startswith(ticks)),
        None,
    )
    if end is None:
        raise BlockError(f"{where}: 找不到代码块的结束围栏")
    body = [
        ln[len(indent) :] if ln.startswith(indent) else ln.lstrip() for ln in lines[start : end - 1]
    ]
    return indent, end, "\n".join(body) + "\n"


def extract_blocks(
    path: Path, text: str | None = None, *, snippets: dict | None = None
) -> list[Block]:
    """抽取页面中所有 ```python 块（信息串必须恰好是 ``python``）。

    ``text`` 是整个源文件的文本（默认读文件）；行号按它计算。
    """
    path = Path(path).resolve()
    if text is None:
        text = read_page(path)
    lines = text.splitlines()
    try:
        raw = extract_from_buffer(io.StringIO(text))
    except RuntimeError as exc:  # 例如围栏没有闭合
        raise BlockError(f"{display_path(path)}: 无法抽取代码块：{exc}") from exc
    blocks: list[Block] = []
    for cb in raw:
        if (cb.syntax or "").strip() != "python":
            continue
        where = f"{display_path(path)}:{cb.lineno}"
        indent, end, code = _fence(lines, cb.lineno, where)
        marks = _parse_marks(cb.marks, where)
        try:
            source = expand_snippets(code, snippets)
        except Exception as exc:  # pymdownx 的 SnippetMissingError 等
            raise BlockError(f"{where}: 无法展开 snippet：{exc}") from exc
        blocks.append(
            Block(
                page=path,
                index=len(blocks),
                lineno=cb.lineno,
                end_lineno=end,
                indent=indent,
                code=code,
                source=source,
                **marks,
            )
        )
    return blocks


def blocks_from_notebook(path: Path) -> tuple[object, list[Block]]:
    """notebook 的 code cell → Block（「行号」是 cell 序号，从 1 开始，markdown cell 也算）。

    cell 标签与 notebook 级的执行设置（``notebook_settings``）在这里变成块的属性：
    ``skip-execution`` → 跳过并保留保存的输出；``raises-exception`` 或 ``allow_errors`` → 允许报错；
    ``timeout`` → 每个 cell 的时限。
    """
    import nbformat

    from .notebook import notebook_settings

    nb = nbformat.read(path, as_version=4)
    settings = notebook_settings(nb, Path(path))
    blocks = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = tuple(cell.get("metadata", {}).get("tags", []) or ())
        skip = None
        if SKIP_TAG in tags:
            skip = f"{SKIP_TAG} 标签：不运行，显示 notebook 里保存的输出"
        elif not settings.execute:
            skip = "notebook 设置了不执行（execution_mode: off），显示保存的输出"
        blocks.append(
            Block(
                page=Path(path).resolve(),
                index=len(blocks),
                lineno=i + 1,
                end_lineno=i + 1,
                indent="",
                code=cell.source,
                source=cell.source,
                skip_reason=skip,
                timeout=settings.timeout,
                raises=RAISES_TAG in tags or settings.allow_errors,
                tags=tags,
                saved_outputs=list(cell.get("outputs", [])) if skip else None,
            )
        )
    return nb, blocks
