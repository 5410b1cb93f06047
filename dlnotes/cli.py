"""snippet 程序的命令行参数。Command-line flags for snippet programs.

用法 / usage::

    args = dlnotes.parse_args(__doc__, epochs=5, lr=0.9, batch_size=256, num_hiddens=256)
    device = dlnotes.get_device(args.device)

在 Jupyter 内核里运行时忽略 ``sys.argv``（那是内核自己的参数），改为解析环境变量
``$DLNOTES_ARGS``（例如 ``DLNOTES_ARGS="--epochs 2"``），没有则使用默认值。
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

__all__ = ["parse_args", "apply_presets", "in_kernel"]

_STANDARD = {"epochs": 10, "lr": 0.1, "batch_size": 256}


def in_kernel() -> bool:
    """是否运行在 Jupyter/IPython 内核中（此时 ``sys.argv`` 属于内核而不是用户）。"""
    if "ipykernel" not in sys.modules:
        return False
    argv0 = os.path.basename(sys.argv[0]) if sys.argv else ""
    if argv0 in ("ipykernel_launcher.py", "ipykernel_launcher", "__main__.py", "ipykernel", ""):
        return True
    if "ipykernel" in argv0 or "colab" in argv0:
        return True
    # Any argv containing a kernel connection file ("-f .../kernel-xxx.json").
    return any(a.endswith(".json") and "kernel" in a for a in sys.argv[1:])


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _description(doc: str | None) -> tuple[str | None, str | None]:
    if not doc:
        return None, None
    text = doc.strip()
    first, _, rest = text.partition("\n")
    return first.strip(), rest.strip() or None


def parse_args(
    doc: str | None = None, *, argv: list[str] | None = None, **defaults
) -> argparse.Namespace:
    """解析 snippet 的命令行参数，返回普通的 ``argparse.Namespace``。

    标准参数：``--epochs --lr --batch-size --device --full --seed``；
    ``defaults`` 中的每个关键字都成为默认值，额外的关键字成为新参数
    （``num_hiddens=256`` → ``--num-hiddens``，类型取自默认值；``bool`` → 开关）。
    ``--device`` 立刻用 :func:`dlnotes.get_device` 校验，不可用时打印一行错误并以状态 2 退出。
    ``argv`` 为 ``None`` 时读取 ``sys.argv[1:]``；在 Jupyter 内核中读取 ``$DLNOTES_ARGS``。
    """
    from .device import DeviceError, get_device

    description, epilog = _description(doc)
    parser = argparse.ArgumentParser(
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    std = dict(_STANDARD)
    for key in list(defaults):
        if key in std:
            std[key] = defaults.pop(key)
    device_default = defaults.pop("device", None)
    full_default = bool(defaults.pop("full", False))
    seed_default = defaults.pop("seed", 0)

    parser.add_argument(
        "--epochs", type=int, default=std["epochs"], help="训练轮数 (default: %(default)s)"
    )
    parser.add_argument("--lr", type=float, default=std["lr"], help="学习率 (default: %(default)s)")
    parser.add_argument(
        "--batch-size", type=int, default=std["batch_size"], help="批量大小 (default: %(default)s)"
    )
    parser.add_argument(
        "--device",
        default=device_default,
        help="cpu | cuda | cuda:N | auto (default: $D2L_DEVICE or auto)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        default=full_default,
        help="使用 d2l 的完整设置（输入尺寸、模型宽度）/ full d2l settings",
    )
    parser.add_argument(
        "--seed", type=int, default=seed_default, help="随机种子 (default: %(default)s)"
    )

    for key, value in defaults.items():
        flag = _flag(key)
        if isinstance(value, bool):
            if value:
                parser.add_argument(
                    "--no-" + key.replace("_", "-"),
                    dest=key,
                    action="store_false",
                    help=f"关闭 {key} (default: on)",
                )
            else:
                parser.add_argument(flag, dest=key, action="store_true", help=f"开启 {key}")
        elif value is None:
            parser.add_argument(flag, dest=key, default=None, help="(default: None)")
        elif isinstance(value, (list, tuple)):
            elem = type(value[0]) if value else str
            parser.add_argument(
                flag, dest=key, type=elem, nargs="+", default=value, help="(default: %(default)s)"
            )
        else:
            parser.add_argument(
                flag, dest=key, type=type(value), default=value, help="(default: %(default)s)"
            )

    if argv is None:
        argv = shlex.split(os.environ.get("DLNOTES_ARGS", "")) if in_kernel() else sys.argv[1:]
        if not in_kernel():
            _install_excepthook(parser.prog)
    args = parser.parse_args(argv)
    try:
        get_device(args.device)
    except DeviceError as exc:
        # One line on stderr, exit status 2 (like parser.error, without the usage block).
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    return args


def _install_excepthook(prog: str) -> None:
    """作为程序运行时：数据或设备出错只打印一行原因（退出状态 1），不打印 traceback。"""
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        if exc_type.__module__.startswith("dlnotes") and exc_type.__name__ in (
            "DataError",
            "DeviceError",
        ):
            print(f"{prog}: error: {exc}", file=sys.stderr)
        else:
            previous(exc_type, exc, tb)

    sys.excepthook = hook


def apply_presets(args: argparse.Namespace, *, full: dict, default: dict) -> argparse.Namespace:
    """按 ``--full`` 选择一组设置（原书的 ``full`` 或适合 2 核 CPU 的 ``default``），填入命令行没给的参数。

    命令行上显式给出的值（非 None、非 0）总是优先。返回同一个 ``args``。
    """
    for key, value in (full if args.full else default).items():
        if not getattr(args, key, None):
            setattr(args, key, value)
    return args
