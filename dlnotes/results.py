"""记录训练结果及其来源（数据、设备、设置），供生成的「实验结果」页面使用。

Record a training result with its provenance. Each record is a flat dict:
``name``, the metrics given (for the training loops also ``history``: the per-epoch
curves, and ``settings``: what was shrunk for the CPU), and ``torch``, ``python``,
``device``, ``date`` (UTC, ISO 8601), ``data``, ``is_sample``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform

__all__ = ["RESULT_MIME", "report_result", "summary"]

RESULT_MIME = "application/vnd.dlnotes.result+json"


def _jsonable(v):
    """把张量、numpy 标量、设备等转换成 JSON 可表示的值。"""
    if hasattr(v, "item") and getattr(v, "ndim", 0) == 0:
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 1000 else f"{v:.3f}"
    return str(v)


def summary(record: dict) -> str:
    """一行中文摘要，例如 ``LeNet：train_loss 0.47，test_acc 0.81（cpu；Fashion-MNIST 离线样本…）``。"""
    skip = {"name", "torch", "python", "device", "date", "data", "is_sample", "history", "settings"}
    items = "，".join(f"{k} {_fmt(v)}" for k, v in record.items() if k not in skip)
    where = "；".join(str(record[k]) for k in ("device", "data") if record.get(k))
    return f"{record.get('name', '')}：{items}（{where}）"


def report_result(name: str, **metrics) -> dict:
    """记录一次训练结果，返回带来源信息的记录（扁平字典）。

    - 在 IPython/Jupyter 中：以 MIME 类型 ``application/vnd.dlnotes.result+json`` 显示（构建据此生成
      训练记录框和「实验结果」页），``text/plain`` 为一行中文摘要；
    - 设置了 ``$DLNOTES_RESULTS_FILE`` 时：把记录作为一行 JSON 追加到该文件。

    ``metrics`` 中的 ``device``、``data``、``is_sample`` 会覆盖自动检测的值。不打印任何内容。
    """
    import torch

    from .device import get_device

    metrics = dict(metrics)
    device = metrics.pop("device", None)
    if device is None:
        try:
            device = get_device()
        except Exception:  # noqa: BLE001 - provenance must never fail the run
            device = "unknown"
    record = {"name": str(name)}
    record.update({k: _jsonable(v) for k, v in metrics.items() if k not in ("data", "is_sample")})
    record.update(
        {
            "device": str(device),
            "data": _jsonable(metrics.get("data")),
            "is_sample": _jsonable(metrics.get("is_sample")),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "date": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        }
    )

    try:
        from IPython import get_ipython

        ip = get_ipython()
    except ImportError:
        ip = None
    if ip is not None:
        from IPython.display import display

        display({RESULT_MIME: record, "text/plain": summary(record)}, raw=True)

    path = os.environ.get("DLNOTES_RESULTS_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record
