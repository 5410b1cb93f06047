"""在执行引擎的每个内核启动时运行（IPython 的 ``exec_lines``）：固定随机种子，登记中文字体。

random 与 numpy 立即设种子（导入很便宜）；torch 在页面代码第一次 ``import torch`` 时设种子——
通过一个只触发一次的导入钩子，这样不用为每个页面预先导入 torch（1~2 秒）。
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import random
import sys

import numpy as np

SEED = 0

random.seed(SEED)
np.random.seed(SEED)


class _SeedTorchOnImport(importlib.abc.MetaPathFinder):
    """``import torch`` 完成后调用 ``torch.manual_seed(SEED)``，然后把自己移除。"""

    def find_spec(self, fullname, path, target=None):
        if fullname != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_seed(module):
            exec_module(module)
            module.manual_seed(SEED)

        spec.loader.exec_module = exec_and_seed
        return spec


if "torch" in sys.modules:
    sys.modules["torch"].manual_seed(SEED)
else:
    sys.meta_path.insert(0, _SeedTorchOnImport())

# 图中的中文：matplotlib 第一次被导入时登记 mplfonts 的 Noto Sans CJK SC（见 execbook/fonts.py）
from execbook.fonts import register_on_import  # noqa: E402

register_on_import()
