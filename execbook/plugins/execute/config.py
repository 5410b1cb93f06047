"""``execbook-execute`` 在 mkdocs.yml 中的设置。"""

from __future__ import annotations

from mkdocs.config import config_options
from mkdocs.config.base import Config

from ...engine import OutputLimits
from ...engine.protocol import DEFAULT_CACHE_DIR


class ExecuteConfig(Config):
    # auto：执行缺缓存的块；never：只用缓存，缺了就报错；plain：不执行也不嵌入输出（纯 MkDocs 构建，基准用）
    execute = config_options.Choice(("auto", "never", "plain"), default="auto")
    # 执行缓存目录（相对 mkdocs.yml 所在目录）；构建摘要也写在这里
    cache_dir = config_options.Type(str, default=DEFAULT_CACHE_DIR)
    # 输出的大小上限（字节 / 行），见 CONTRIBUTING.md「输出的大小上限」
    max_block_output_bytes = config_options.Type(int, default=OutputLimits.block_bytes)
    max_page_output_bytes = config_options.Type(int, default=OutputLimits.page_bytes)
    max_notebook_bytes = config_options.Type(int, default=OutputLimits.notebook_bytes)
    max_output_lines = config_options.Type(int, default=OutputLimits.lines)
    fold_output_lines = config_options.Type(int, default=OutputLimits.fold_lines)

    def limits(self) -> OutputLimits:
        return OutputLimits(
            block_bytes=self.max_block_output_bytes,
            page_bytes=self.max_page_output_bytes,
            notebook_bytes=self.max_notebook_bytes,
            lines=self.max_output_lines,
            fold_lines=self.fold_output_lines,
        )
