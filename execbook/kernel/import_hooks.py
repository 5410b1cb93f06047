"""在某个模块第一次导入完成后运行一个函数（内核启动时用：不为没用到它的页面预先导入 torch/matplotlib）。"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable


class _AfterImport(importlib.abc.MetaPathFinder):
    """``import <name>`` 完成后调用 ``callback(module)``，然后把自己从 ``sys.meta_path`` 移除。"""

    def __init__(self, name: str, callback: Callable):
        self.name, self.callback = name, callback

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_call(module):
            exec_module(module)
            self.callback(module)

        spec.loader.exec_module = exec_and_call
        return spec


def after_import(name: str, callback: Callable) -> None:
    """``name`` 已经导入就立即 ``callback(模块)``；否则在它第一次导入完成时调用（同一对只登记一次）。"""
    if name in sys.modules:
        callback(sys.modules[name])
    elif not any(
        isinstance(f, _AfterImport) and (f.name, f.callback) == (name, callback)
        for f in sys.meta_path
    ):
        sys.meta_path.insert(0, _AfterImport(name, callback))
