"""依赖报告：页面代码告诉引擎「我读了这份数据」，数据变了，读它的块就重算。

约定（接口 2）：内核输出中 MIME 类型为 ``application/vnd.execbook.dependency+json`` 的数据
``{"name": str, "identity": <json>, "resolver": "module:function"}`` 表示「本页读了这个依赖」。
引擎把这样的输出从要显示的输出中去掉，记在这个块以及本页之后每个块的缓存条目里；取缓存时调用
``resolver()``（可导入、便宜、不导入 torch），返回值与记录的 identity 不同，条目就过期。
引擎对具体的数据一无所知：它只调用报告里写的 resolver。
"""

from __future__ import annotations

import importlib
import json
import warnings

from .protocol import DEPENDENCY_MIME

__all__ = ["DEPENDENCY_MIME", "CacheWarning", "DependencyChecker"]


class CacheWarning(UserWarning):
    """缓存或依赖的问题（条目损坏、resolver 出错……）：块会被重新执行，构建不因此失败。"""


def split_dependencies(outputs: list[dict]) -> tuple[list[dict], list[dict]]:
    """(要显示的输出, 依赖报告)。"""
    shown, deps = [], []
    for o in outputs:
        data = o.get("data") or {}
        if DEPENDENCY_MIME in data:
            rep = data[DEPENDENCY_MIME]
            if isinstance(rep, str):
                rep = json.loads(rep)
            deps.append(
                {
                    "name": str(rep["name"]),
                    "identity": rep.get("identity"),
                    "resolver": rep["resolver"],
                }
            )
            continue
        shown.append(o)
    return shown, deps


def merge(earlier: list[dict], new: list[dict]) -> list[dict]:
    """累积本页到目前为止的依赖（同名同 resolver 的以最新的为准）。"""
    out = {(d["name"], d["resolver"]): d for d in earlier}
    for d in new:
        out[(d["name"], d["resolver"])] = d
    return list(out.values())


def describe(deps: list[dict]) -> str | None:
    """给人看的一行：``fashion-mnist（sample）``。identity 是字典且有 kind 时写出 kind。"""
    if not deps:
        return None
    parts = []
    for d in deps:
        ident = d.get("identity")
        kind = ident.get("kind") if isinstance(ident, dict) else None
        parts.append(f"{d['name']}（{kind}）" if kind else d["name"])
    return "、".join(parts)


class DependencyChecker:
    """调用 resolver 并记住结果（一次构建或一次测试会话建一个）。"""

    def __init__(self):
        self._memo: dict[str, tuple[bool, object]] = {}

    def resolve(self, resolver: str) -> tuple[bool, object]:
        """(成功?, 当前 identity 或错误信息)。"""
        if resolver not in self._memo:
            try:
                module, _, func = resolver.partition(":")
                fn = getattr(importlib.import_module(module), func)
                value = fn()
                # 与记录的值按 JSON 比较（元组/列表等价）
                self._memo[resolver] = (True, json.loads(json.dumps(value, sort_keys=True)))
            except Exception as exc:
                self._memo[resolver] = (False, f"{type(exc).__name__}: {exc}")
        return self._memo[resolver]

    def stale(self, deps: list[dict], where: str) -> str | None:
        """依赖变了时返回原因，否则 None。resolver 出错也算过期（并发出 CacheWarning）。"""
        for d in deps:
            ok, current = self.resolve(d["resolver"])
            if not ok:
                warnings.warn(
                    f"{where}: 依赖 {d['name']} 的 resolver {d['resolver']} 出错（{current}），"
                    "重新运行这个块",
                    CacheWarning,
                    stacklevel=2,
                )
                return f"resolver 出错：{current}"
            if current != json.loads(json.dumps(d.get("identity"), sort_keys=True)):
                return f"依赖 {d['name']} 变了"
        return None
