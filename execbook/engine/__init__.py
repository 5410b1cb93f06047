"""执行引擎：抽取代码块 → 执行（一页一个 Jupyter 内核）→ 按内容缓存 → 渲染输出。

各部分：

- ``session``：``Session``，一次运行的编排者（MkDocs 插件、pytest 插件与命令行共用）；
- ``protocol``：与外界约定的常量（MIME 类型、状态、缓存与摘要的位置、什么算页面），只在这里定义；
- ``blocks``：页面/notebook → ``Block``（snippet 展开，标记 skip/timeout/check）；
- ``fingerprint``：环境指纹与每个块的缓存键；
- ``cache``：带校验和、原子写入的缓存条目；
- ``dependencies``：块报告的数据依赖（resolver 判断是否过期）；
- ``kernels``：调用者拥有的内核池；``parallel``：页面并行；``shard``：CI 的分片；
- ``execute``：运行一页（或 notebook），结果与状态；
- ``outputs``：nbformat 输出的整理与按登记的 MIME 渲染器渲染成 HTML（含大小上限）；
- ``notebooks``：写出带输出的 notebook（执行过的 notebook、页面的下载 notebook）；
- ``errors``：页面:行号 形式的报错；
- ``summary``：构建摘要 JSON；
- ``files``：原子写与被杀构建的清理。

引擎不导入 mkdocs、pytest 与 dlnotes（tests/execbook/engine/test_standalone.py）。
"""

from .blocks import Block, BlockError, blocks_from_notebook, expand_snippets, extract_blocks
from .cache import Cache
from .dependencies import DEPENDENCY_MIME, CacheWarning, DependencyChecker
from .execute import BlockResult, PageResult, execute_notebook, execute_page, missing_blocks
from .fingerprint import block_keys, fingerprint
from .kernels import KernelPool
from .outputs import OutputLimits
from .session import Job, Session
from .summary import BuildSummary, human_line, summary_path

__all__ = [
    "DEPENDENCY_MIME",
    "Block",
    "BlockError",
    "BlockResult",
    "BuildSummary",
    "Cache",
    "CacheWarning",
    "DependencyChecker",
    "KernelPool",
    "OutputLimits",
    "Job",
    "PageResult",
    "Session",
    "block_keys",
    "blocks_from_notebook",
    "execute_notebook",
    "execute_page",
    "expand_snippets",
    "extract_blocks",
    "fingerprint",
    "human_line",
    "missing_blocks",
    "summary_path",
]
