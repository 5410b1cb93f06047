"""notebook 的执行设置：notebook 级的 metadata（与 MyST-NB / jupyter-cache 读的键相同）。

两处写法都认（后者优先，与 MyST-NB 的「文件级配置」相同）：

- ``metadata.execution``（jupyter-cache 与 MyST-NB 都读）：``timeout``（秒）、``allow_errors``；
- ``metadata.mystnb``（MyST-NB 的文件级配置）：``execution_timeout``、``execution_allow_errors``、
  ``execution_raise_on_error``、``execution_mode``（``off`` = 不执行，显示保存的输出）。

``raise_on_error``：MyST-NB 默认把 cell 的报错记成警告，Sphinx 的严格模式（``-W``）再让构建失败；本站的构建
总是严格的，所以报错总让构建失败（``raise_on_error: false`` 与 ``true`` 结果相同）；要让错误只作为输出显示，
用 ``allow_errors`` 或 cell 标签 ``raises-exception``。其他值类型不对的设置让构建失败并指明 notebook。
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..paths import display_path
from .blocks import DEFAULT_TIMEOUT, BlockError

EXECUTION_MODES = ("auto", "force", "cache", "inline", "off")


@dataclass(frozen=True)
class NotebookSettings:
    timeout: int = DEFAULT_TIMEOUT
    allow_errors: bool = False
    raise_on_error: bool = True
    execute: bool = True


def notebook_settings(nb, path: Path) -> NotebookSettings:
    """notebook 级的执行设置（没写的用本站的默认值）。"""
    meta = nb.get("metadata", {}) or {}
    execution = meta.get("execution", {}) or {}
    mystnb = meta.get("mystnb", {}) or {}
    where = display_path(path)

    def pick(legacy: str, myst: str, kind, default):
        value = mystnb.get(myst, execution.get(legacy, default))
        if kind is int and value is not None and value != default:
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise BlockError(
                    f"{where}: notebook 的 metadata 里 {legacy}/{myst} 应是正的秒数，得到 {value!r}"
                )
            return int(value)
        if kind is bool and not isinstance(value, bool):
            raise BlockError(
                f"{where}: notebook 的 metadata 里 {legacy}/{myst} 应是 true/false，得到 {value!r}"
            )
        return value

    mode = mystnb.get("execution_mode", "auto")
    if mode not in EXECUTION_MODES:
        raise BlockError(
            f"{where}: notebook 的 metadata 里 mystnb.execution_mode 应是 "
            f"{'/'.join(EXECUTION_MODES)} 之一，得到 {mode!r}"
        )
    timeout = pick("timeout", "execution_timeout", int, DEFAULT_TIMEOUT)
    return NotebookSettings(
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        allow_errors=pick("allow_errors", "execution_allow_errors", bool, False),
        raise_on_error=pick("raise_on_error", "execution_raise_on_error", bool, True),
        execute=mode != "off",
    )
