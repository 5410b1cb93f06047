"""让运行的代码看得见（issue 23）：d2l 在某一节定义并显示的辅助函数，本站在对应的页面显示 ``dlnotes`` 里的源码。

d2lbook 用 ``#@save`` 把书里的代码存进 ``d2l`` 包；本站反过来：库（``dlnotes/``）是源头，页面用 pymdownx.snippets
的分段（``# --8<-- [start:名字]`` / ``# --8<-- [end:名字]``）把它嵌入一个只显示、不运行的块：

    ```python-show title="dlnotes/train.py"
    --8<-- "dlnotes/train.py:train_ch3"
    ```

（引擎只运行信息串恰好是 ``python`` 的块，所以这段源码不会在页面的内核里重新定义一遍。）检查：

- 每个辅助函数的分段存在，并在 d2l 定义它的那一节对应的页面上显示；
- 按导航顺序，页面（包括嵌入的 snippets）调用 ``dlnotes.train_ch6(…)`` 等（或 ``from dlnotes import`` 之后直接调用）之前，
  这一页或前面的页面已经显示过它；
- ``python-show`` 块里只放 ``dlnotes/`` 的分段（显示库的源码，不是不运行的页面代码）。
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from execbook.engine.blocks import blocks_from_notebook, expand_snippets, extract_blocks
from execbook.mkdocs_config import load as load_mkdocs_yml

DOCS = REPO / "docs"
SHOW_INFO = "python-show"

# 辅助函数 → (dlnotes 中的分段, 显示它的页面：d2l 定义它的那一节对应的页面；本站没有那一节的页面，
# 或者更早的页面已经调用它时，是第一个调用它的页面——见各条的注释)
HELPERS = {
    # d2l 2.4（微积分）：本站没有这一页，第一个调用 dlnotes.plot 的是 3.1 线性回归（正态分布的图）
    "set_figsize": ("dlnotes/plotting.py:plot", "chapter_linear-networks/linear-regression.md"),
    "set_axes": ("dlnotes/plotting.py:plot", "chapter_linear-networks/linear-regression.md"),
    "plot": ("dlnotes/plotting.py:plot", "chapter_linear-networks/linear-regression.md"),
    # d2l 3.1（向量化加速一段；本站的计时例子在 notebook vectorization.ipynb，它在导航里排在 3.1 之后）
    "Timer": ("dlnotes/utils.py:Timer", "chapter_linear-networks/linear-regression.md"),
    # d2l 3.2 定义它；本站 3.1 的解析解一段已经调用它，所以在 3.1 显示（3.2 页的从零实现照 d2l 写出同样的代码）
    "synthetic_data": (
        "dlnotes/linear.py:synthetic_data",
        "chapter_linear-networks/linear-regression.md",
    ),
    # d2l 3.2：3.2 页的从零实现在页面代码里定义它们，后面的页面调用的是 dlnotes 里逐行相同的副本
    "linreg": (
        "dlnotes/linear.py:from_scratch",
        "chapter_linear-networks/linear-regression-impl.md",
    ),
    "squared_loss": (
        "dlnotes/linear.py:from_scratch",
        "chapter_linear-networks/linear-regression-impl.md",
    ),
    "sgd": ("dlnotes/linear.py:from_scratch", "chapter_linear-networks/linear-regression-impl.md"),
    "data_iter": (
        "dlnotes/linear.py:from_scratch",
        "chapter_linear-networks/linear-regression-impl.md",
    ),
    # d2l 3.3（本站 3.2、3.3 合为一页）
    "load_array": (
        "dlnotes/linear.py:load_array",
        "chapter_linear-networks/linear-regression-impl.md",
    ),
    # d2l 3.5
    "get_fashion_mnist_labels": (
        "dlnotes/data/source.py:get_fashion_mnist_labels",
        "chapter_linear-networks/image-classification-dataset.md",
    ),
    "show_images": (
        "dlnotes/plotting.py:show_images",
        "chapter_linear-networks/image-classification-dataset.md",
    ),
    "load_data_fashion_mnist": (
        "dlnotes/data/loader.py:load_data_fashion_mnist",
        "chapter_linear-networks/image-classification-dataset.md",
    ),
    # d2l 3.6（本站 3.6、3.7 合为一页）
    "Animator": (
        "dlnotes/plotting.py:Animator",
        "chapter_linear-networks/softmax-regression-impl.md",
    ),
    "accuracy": ("dlnotes/train.py:accuracy", "chapter_linear-networks/softmax-regression-impl.md"),
    "evaluate_accuracy": (
        "dlnotes/train.py:evaluate_accuracy",
        "chapter_linear-networks/softmax-regression-impl.md",
    ),
    "Accumulator": (
        "dlnotes/utils.py:Accumulator",
        "chapter_linear-networks/softmax-regression-impl.md",
    ),
    "train_epoch_ch3": (
        "dlnotes/train.py:train_epoch_ch3",
        "chapter_linear-networks/softmax-regression-impl.md",
    ),
    "train_ch3": (
        "dlnotes/train.py:train_ch3",
        "chapter_linear-networks/softmax-regression-impl.md",
    ),
    "evaluate_accuracy_gpu": (
        "dlnotes/train.py:evaluate_accuracy_gpu",
        "chapter_convolutional-neural-networks/lenet.md",
    ),
    "train_ch6": ("dlnotes/train.py:train_ch6", "chapter_convolutional-neural-networks/lenet.md"),
    "try_gpu": ("dlnotes/device.py:try_gpu", "chapter_deep-learning-computation/use-gpu.md"),
    "try_all_gpus": ("dlnotes/device.py:try_gpu", "chapter_deep-learning-computation/use-gpu.md"),
    "grad_clipping": ("dlnotes/rnn.py:grad_clipping", "chapter_recurrent-neural-networks/rnn.md"),
    "predict_ch8": ("dlnotes/rnn.py:predict_ch8", "chapter_recurrent-neural-networks/rnn.md"),
    "train_epoch_ch8": (
        "dlnotes/rnn.py:train_epoch_ch8",
        "chapter_recurrent-neural-networks/rnn.md",
    ),
    "train_ch8": ("dlnotes/rnn.py:train_ch8", "chapter_recurrent-neural-networks/rnn.md"),
    # d2l 6.2 定义它；本站 6.1（why-conv）已经调用它，所以在 6.1 显示（6.2 页照 d2l 写出同样的代码）
    "corr2d": ("dlnotes/cnn.py:corr2d", "chapter_convolutional-neural-networks/why-conv.md"),
    # d2l 7.6
    "Residual": ("dlnotes/cnn.py:Residual", "chapter_convolutional-modern/resnet.md"),
    # d2l 8.2–8.6：本站合为 rnn.md 一页
    "read_corpus": ("dlnotes/text.py:load_corpus", "chapter_recurrent-neural-networks/rnn.md"),
    "load_corpus": ("dlnotes/text.py:load_corpus", "chapter_recurrent-neural-networks/rnn.md"),
    "tokenize": ("dlnotes/text.py:vocab", "chapter_recurrent-neural-networks/rnn.md"),
    "count_corpus": ("dlnotes/text.py:vocab", "chapter_recurrent-neural-networks/rnn.md"),
    "Vocab": ("dlnotes/text.py:vocab", "chapter_recurrent-neural-networks/rnn.md"),
    "seq_data_iter_random": (
        "dlnotes/text.py:seq_data_iter_random",
        "chapter_recurrent-neural-networks/rnn.md",
    ),
    "seq_data_iter_sequential": (
        "dlnotes/text.py:seq_data_iter_sequential",
        "chapter_recurrent-neural-networks/rnn.md",
    ),
    "SeqDataLoader": ("dlnotes/text.py:SeqDataLoader", "chapter_recurrent-neural-networks/rnn.md"),
    "load_data_text": ("dlnotes/text.py:SeqDataLoader", "chapter_recurrent-neural-networks/rnn.md"),
    "RNNModelScratch": (
        "dlnotes/rnn.py:RNNModelScratch",
        "chapter_recurrent-neural-networks/rnn.md",
    ),
    "RNNModel": ("dlnotes/rnn.py:RNNModel", "chapter_recurrent-neural-networks/rnn.md"),
}

_SHOW_RE = re.compile(r"^(\s*)(`{3,})" + re.escape(SHOW_INFO) + r"\b")
_INCLUDE_RE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']([^"']+)["']\s*$""")


def nav_order() -> list[str]:
    found: list[str] = []

    def walk(item):
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict | list):
            for v in item.values() if isinstance(item, dict) else item:
                walk(v)

    walk(load_mkdocs_yml(REPO / "mkdocs.yml")["nav"])
    return [p for p in found if p.endswith((".md", ".ipynb"))]


def shown_sections(text: str) -> list[tuple[int, str]]:
    """页面里只显示的块嵌入的分段：(行号, 'dlnotes/x.py:名字')。"""
    out = []
    lines = text.split("\n")
    for i, line in enumerate(lines, start=1):
        m = _SHOW_RE.match(line)
        if not m:
            continue
        for j in range(i, len(lines)):
            inner = lines[j]
            if inner.strip().startswith(m.group(2)):
                break
            if im := _INCLUDE_RE.match(inner):
                out.append((i, im.group(1)))
    return out


_FROM_IMPORT_RE = re.compile(
    r"^[ \t]*from[ \t]+dlnotes(?:\.\w+)*[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n#]*))", re.M
)


def imported_helpers(source: str) -> dict[str, str]:
    """``from dlnotes[.模块] import 名字 [as 别名]`` 引入的辅助函数：{代码里用的名字: 辅助函数}。"""
    out = {}
    for m in _FROM_IMPORT_RE.finditer(source):
        for item in (m.group(1) or m.group(2)).replace("\\", " ").split(","):
            name, _, alias = item.partition(" as ")
            name = name.strip()
            if name in HELPERS:
                out[alias.strip() or name] = name
    return out


def helper_calls(path: Path, text: str) -> list[tuple[int, str]]:
    """页面可运行的块（snippet 已展开）里对这些辅助函数的调用：(块的行号, 函数名)。

    调用写作 ``dlnotes.train_ch6(…)``，或者先 ``from dlnotes import Residual``（同一页的内核里，
    这一块或前面的块）再 ``Residual(…)``。
    """
    names = "|".join(map(re.escape, HELPERS))
    call = re.compile(rf"\bdlnotes\.({names})\s*\(")
    out = []
    blocks = (
        blocks_from_notebook(path)[1] if path.suffix == ".ipynb" else extract_blocks(path, text)
    )
    imported: dict[str, str] = {}
    for b in blocks:
        for m in call.finditer(b.source):
            out.append((b.lineno, m.group(1)))
        imported |= imported_helpers(b.source)
        if imported:
            bare = "|".join(map(re.escape, imported))
            for m in re.finditer(rf"(?<![\w.])(?<!def )(?<!class )({bare})\s*\(", b.source):
                out.append((b.lineno, imported[m.group(1)]))
    return out


def calls_before_shown(pages: list[tuple[str, Path, str]]) -> list[str]:
    """按顺序读页面 (名字, 路径, 文字)：调用某个辅助函数时它还没有在这一页之前或这一页更早的位置显示过。"""
    section_of = {name: sec for name, (sec, _) in HELPERS.items()}
    shown: set[str] = set()
    problems = []
    for name, path, text in pages:
        here = shown_sections(text) if path.suffix == ".md" else []
        for lineno, helper in helper_calls(path, text):
            sec = section_of[helper]
            if sec in shown or any(sec == s and at < lineno for at, s in here):
                continue
            problems.append(
                f"{name}:{lineno}: 调用 dlnotes.{helper} 之前没有页面显示它的源码"
                f"（在 {HELPERS[helper][1]} 用 ```{SHOW_INFO} 块嵌入 {sec}）"
            )
        shown |= {s for _, s in here}
    return problems


def test_every_helper_has_a_section_and_is_shown_where_d2l_defines_it():
    problems = []
    for helper, (section, page) in HELPERS.items():
        path, _, name = section.partition(":")
        source = (REPO / path).read_text(encoding="utf-8")
        if f"# --8<-- [start:{name}]" not in source:
            problems.append(f"{path} 没有分段 {name}（# --8<-- [start:{name}] … [end:{name}]）")
            continue
        shown = expand_snippets(f'--8<-- "{section}"\n')
        if not re.search(rf"^(def|class) {re.escape(helper)}\b", shown, re.M):
            problems.append(f"{section} 没有包含 {helper} 的定义")
        text = (DOCS / page).read_text(encoding="utf-8") if (DOCS / page).is_file() else ""
        if section not in {s for _, s in shown_sections(text)}:
            problems.append(f"docs/{page} 没有显示 {helper}（```{SHOW_INFO} 块嵌入 {section}）")
    assert not problems, "\n".join(problems)


def test_no_page_calls_a_helper_before_it_is_shown():
    pages = [
        (f"docs/{uri}", DOCS / uri, (DOCS / uri).read_text(encoding="utf-8"))
        for uri in nav_order()
        if (DOCS / uri).is_file()
    ]
    problems = calls_before_shown(pages)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: str(p.relative_to(REPO)))
def test_show_blocks_only_embed_library_source(page):
    """```python-show 块只嵌入 dlnotes 的分段：不运行的页面代码不能藏在这种块里。"""
    lines = page.read_text(encoding="utf-8").split("\n")
    problems = []
    for i, line in enumerate(lines, start=1):
        m = _SHOW_RE.match(line)
        if not m:
            continue
        body = []
        for inner in lines[i:]:
            if inner.strip().startswith(m.group(2)):
                break
            body.append(inner)
        includes = [_INCLUDE_RE.match(x) for x in body if x.strip()]
        if not includes or not all(inc and inc.group(1).startswith("dlnotes/") for inc in includes):
            problems.append(
                f"{page.relative_to(REPO)}:{i}: ```{SHOW_INFO} 块只能嵌入 dlnotes/ 的分段"
            )
    assert not problems, "\n".join(problems)


def test_the_order_rule_can_fail(tmp_path):
    """探针：先调用后显示的页面被找出来；先显示后调用（同一页或前面的页面）不报告。"""
    show = '```python-show title="dlnotes/train.py"\n--8<-- "dlnotes/train.py:train_ch6"\n```\n'
    call = "```python\nm = dlnotes.train_ch6(net, a, b, 1, 0.1)\n```\n"
    early = tmp_path / "early.md"
    early.write_text("# 早\n\n" + call, encoding="utf-8")
    shown = tmp_path / "shown.md"
    shown.write_text("# 显示\n\n" + show + "\n" + call, encoding="utf-8")
    late = tmp_path / "late.md"
    late.write_text("# 晚\n\n" + call, encoding="utf-8")
    pages = [(p.name, p, p.read_text(encoding="utf-8")) for p in (early, shown, late)]
    problems = calls_before_shown(pages)
    assert len(problems) == 1 and problems[0].startswith("early.md:3: 调用 dlnotes.train_ch6"), (
        problems
    )
    # 同一页里先调用、后显示也不行
    after = tmp_path / "after.md"
    after.write_text("# 后\n\n" + call + "\n" + show, encoding="utf-8")
    assert len(calls_before_shown([("after.md", after, after.read_text(encoding="utf-8"))])) == 1
    # 先 from dlnotes import 再直接调用，也算调用（别名也算）；页面自己定义的同名函数不算
    imported = tmp_path / "imported.md"
    imported.write_text(
        "# 导入\n\n```python\nfrom dlnotes.train import (\n    train_ch6 as fit,\n)\n```\n\n"
        "```python\nm = fit(net, a, b, 1, 0.1)\n```\n",
        encoding="utf-8",
    )
    own = tmp_path / "own.md"
    own.write_text(
        "# 自己的\n\n```python\ndef train_ch6(net):\n    return net\n\n\ntrain_ch6(1)\n```\n",
        encoding="utf-8",
    )
    pages = [(p.name, p, p.read_text(encoding="utf-8")) for p in (imported, own)]
    problems = calls_before_shown(pages)
    assert len(problems) == 1 and problems[0].startswith("imported.md:9: 调用 dlnotes.train_ch6"), (
        problems
    )


def test_download_notebook_shows_the_source_not_the_include_line():
    """下载的 notebook 里，python-show 块显示的是 dlnotes 的源码，而不是 ``--8<--`` 嵌入行。"""
    import json
    from types import SimpleNamespace

    from execbook.engine.blocks import DEFAULT_SNIPPETS
    from execbook.engine.notebooks import page_notebook

    text = '# 页\n\n```python-show title="dlnotes/train.py"\n--8<-- "dlnotes/train.py:train_ch6"\n```\n'
    nb, _ = page_notebook(text, SimpleNamespace(results=[]), 10**6, "p.md", DEFAULT_SNIPPETS)
    cell = json.loads(nb)["cells"][0]["source"]
    assert "def train_ch6(" in cell and "--8<--" not in cell
