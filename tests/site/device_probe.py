"""探测 snippet 是否真的在选定的设备上训练（tests/test_snippets.py 以子进程运行本脚本）。

用法：``python tests/site/device_probe.py snippets/a.py snippets/b.py ... -- ARGS...``，每个程序以
``ARGS`` 为命令行参数运行（同一个进程依次运行，torch 和数据只加载一次），最后一行打印 JSON
``{程序名: 结果}``。

做法：在只有 CPU 的机器上假装有一块 GPU——``torch.cuda.is_available()`` 为真、``device_count()``
为 1，所以 ``--device cuda`` 通过校验；但任何把张量放到 CUDA 上的操作都会调用
``torch.cuda._lazy_init``，这里把它换成抛出 ``_ReachedDevice``。同时把 ``torch.autograd.backward``
换成检查：如果程序在碰到 CUDA 之前就做了反向传播，说明它在 CPU 上训练，忽略了设备选择。

结果：``"device"``（在第一次反向传播之前把张量放到了选定的设备上）、``"cpu"``（先在 CPU 上做了
反向传播）、``"finished"``（既没碰设备也没反向传播就结束了）、或 ``"error: ..."``。
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback

import torch


class _ReachedDevice(BaseException):  # BaseException: 程序里的 ``except Exception`` 拦不住它
    pass


class _TrainedOnCPU(BaseException):
    pass


def _lazy_init():
    raise _ReachedDevice


def _checked_backward(tensors, *args, **kwargs):
    raise _TrainedOnCPU


def main(argv: list[str]) -> int:
    split = argv.index("--") if "--" in argv else len(argv)
    paths, args = argv[:split], argv[split + 1 :]
    torch.cuda.is_available = lambda: True
    torch.cuda.device_count = lambda: 1
    torch.cuda._lazy_init = _lazy_init
    torch.autograd.backward = _checked_backward
    os.environ.setdefault("MPLBACKEND", "Agg")
    results = {}
    for path in paths:
        sys.argv = [path, *args]
        try:
            runpy.run_path(path, run_name="__main__")
            results[os.path.basename(path)] = "finished"
        except _ReachedDevice:
            results[os.path.basename(path)] = "device"
        except _TrainedOnCPU:
            results[os.path.basename(path)] = "cpu"
        except SystemExit as exc:
            results[os.path.basename(path)] = f"error: exit {exc.code}"
        except Exception as exc:  # noqa: BLE001 - reported to the test
            tb = traceback.format_exception(exc)
            results[os.path.basename(path)] = "error: " + "".join(tb[-3:])
        finally:
            import matplotlib.pyplot as plt

            plt.close("all")
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
