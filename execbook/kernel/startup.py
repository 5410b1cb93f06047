"""在执行引擎的每个内核启动时运行（IPython 的 ``exec_lines``）：固定随机种子，登记中文字体。

random 与 numpy 立即设种子（导入很便宜）；torch 在页面代码第一次 ``import torch`` 时设种子——
通过一个只触发一次的导入钩子，这样不用为每个页面预先导入 torch（1~2 秒）。
"""

from __future__ import annotations

import random

import numpy as np

from execbook.kernel.import_hooks import after_import

SEED = 0

random.seed(SEED)
np.random.seed(SEED)


def _seed_torch(torch) -> None:
    torch.manual_seed(SEED)


after_import("torch", _seed_torch)

# 图中的中文：matplotlib 第一次被导入时登记 mplfonts 的 Noto Sans CJK SC（见 execbook/kernel/fonts.py）
from execbook.kernel.fonts import register_on_import  # noqa: E402

register_on_import()
