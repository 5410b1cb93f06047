"""设备选择：整个项目只在这里决定用 CPU 还是 GPU。

Device selection — the ONE place that decides between CPU and CUDA.
"""

from __future__ import annotations

import os

import torch

__all__ = ["DeviceError", "get_device", "try_gpu", "try_all_gpus"]

_VALID = "'auto', 'cpu', 'cuda', 'cuda:N'"


class DeviceError(RuntimeError):
    """请求的设备不可用或名字无效。Requested device is unavailable or unknown."""


# --8<-- [start:get_device]
def get_device(name: str | torch.device | None = None) -> torch.device:
    """按名字返回 ``torch.device``。

    ``name``: ``None``（读取环境变量 ``$D2L_DEVICE``，默认 ``'auto'``）、``'auto'``
    （有 CUDA 用 ``cuda:0``，否则 ``cpu``）、``'cpu'``、``'cuda'``、``'cuda:N'``。
    请求 CUDA 但不可用（或编号越界）、或名字未知时抛出 :class:`DeviceError`。
    """
    if isinstance(name, torch.device):
        name = str(name)
    if name is None:
        name = os.environ.get("D2L_DEVICE") or "auto"
    text = str(name).strip().lower()
    if text == "auto":
        return torch.device("cuda:0") if torch.cuda.is_available() else torch.device("cpu")
    if text == "cpu":
        return torch.device("cpu")
    if text == "gpu":
        text = "cuda"
    if text == "cuda" or text.startswith("cuda:"):
        index = 0
        if text.startswith("cuda:"):
            suffix = text[5:]
            if not suffix.isdigit():
                raise DeviceError(
                    f"未知设备 / unknown device {name!r}; 可选 / valid choices: {_VALID}"
                )
            index = int(suffix)
        if not torch.cuda.is_available():
            raise DeviceError(
                f"请求了 {name!r} 但本机没有可用的 CUDA，请改用 --device cpu 或 auto / "
                f"device {name!r} requested but CUDA is not available; use 'cpu' or 'auto'"
            )
        count = torch.cuda.device_count()
        if index >= count:
            raise DeviceError(
                f"GPU 编号越界：{name!r}，本机只有 {count} 块 GPU / "
                f"device {name!r} out of range: only {count} CUDA device(s)"
            )
        return torch.device(f"cuda:{index}")
    raise DeviceError(f"未知设备 / unknown device {name!r}; 可选 / valid choices: {_VALID}")


# --8<-- [end:get_device]


# --8<-- [start:try_gpu]
def try_gpu(i: int = 0) -> torch.device:
    """如果存在第 i 块 GPU 就返回 ``cuda:i``，否则返回 ``cpu``（同 d2l）。"""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")


def try_all_gpus() -> list[torch.device]:
    """返回所有可用的 GPU；没有 GPU 时返回 ``[cpu]``（同 d2l）。"""
    devices = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    return devices if devices else [torch.device("cpu")]


# --8<-- [end:try_gpu]
