"""snippet 程序的命令行参数。Command-line flags for snippet programs.

用法 / usage::

    # 只有用到的参数才成为命令行参数；--device 随训练参数（epochs）一起出现
    args = dlnotes.parse_args(__doc__, epochs=5, lr=0.9, batch_size=256, seed=0)
    device = dlnotes.get_device(args.device)

    # 两组设置：关键字是 2 核 CPU 的默认设置，full= 是原书的设置（加 --full 时使用）
    args = dlnotes.parse_args(__doc__, epochs=3, lr=0.05, resize=64, seed=0,
                              full=dict(epochs=10, lr=0.01, resize=224))

命令行上给出的值总是优先（``None`` 才表示「没有给出」，所以 ``--lr 0`` 可以设置）。
用法说明只有一个来源：argparse 根据这些参数生成的 ``--help``，文档字符串的第一行是描述，
其余部分是结尾说明。在 Jupyter 内核里运行时忽略 ``sys.argv``（那是内核自己的参数），改为解析
环境变量 ``$DLNOTES_ARGS``（例如 ``DLNOTES_ARGS="--epochs 2"``；这个程序没有的参数被忽略），
没有则使用默认值。
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

__all__ = ["parse_args", "in_kernel"]

# 常用参数的说明（其余参数的说明只写默认值）
_HELP = {
    "epochs": "训练轮数（迭代周期）",
    "lr": "学习率",
    "batch_size": "批量大小",
    "seed": "随机种子",
    "resize": "把 28×28 的图像缩放成 S×S",
    "ratio": "通道数（和全连接层宽度）缩小为 1/R",
    "num_hiddens": "隐藏单元个数",
    "wd": "权重衰减系数 λ",
    "init": "权重初始化：kaiming（He 初始化）或 xavier（同 d2l）",
    "head": "输出层：relu（同 d2l，类别分数经过 ReLU）或 linear（去掉最后的 ReLU）",
    "channels_last": "卷积权重用「通道在后」的内存排列（CPU 上更快；计算相同，只有浮点舍入可能不同）",
}


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


def _prog() -> str | None:
    """``python snippets/x.py``：用法行写出读者真正要输入的命令。"""
    if not sys.argv or not sys.argv[0]:
        return None
    path = sys.argv[0]
    parent = os.path.basename(os.path.dirname(os.path.abspath(path)))
    name = os.path.basename(path)
    return f"python {parent}/{name}" if parent == "snippets" else None


def _add(parser, key, value, full_value, has_full):
    """按默认值的类型加一个参数；有原书设置（``full``）的参数缺省为 ``None``，解析后再填入。"""
    flag = _flag(key)
    text = _HELP.get(key, "")
    example = value if value is not None else full_value
    if isinstance(example, bool):
        if has_full:
            raise TypeError(f"开关参数 {key!r} 不能有 --full 设置")
        if value:
            parser.add_argument(
                "--no-" + key.replace("_", "-"),
                dest=key,
                action="store_false",
                help=f"关闭：{text}（默认开启）" if text else f"关闭 {key}（默认开启）",
            )
        else:
            parser.add_argument(flag, dest=key, action="store_true", help=text or f"开启 {key}")
        return
    if has_full:
        shown = f"默认 {value}；加 --full 时 {full_value}"
        default = None
    else:
        shown = f"默认 {value}"
        default = value
    kwargs = {
        "dest": key,
        "default": default,
        "help": f"{text}（{shown}）" if text else f"（{shown}）",
    }
    if isinstance(example, (list, tuple)):
        kwargs.update(type=type(example[0]) if example else str, nargs="+")
    elif example is not None:
        kwargs.update(type=type(example))
    parser.add_argument(flag, **kwargs)


def _parser(doc: str | None, defaults: dict, full: dict, device: bool) -> argparse.ArgumentParser:
    """这个程序的参数：``defaults`` 的每个关键字一个，再加上 ``--device`` 与 ``--full``（需要时）。"""
    description, epilog = _description(doc)
    parser = argparse.ArgumentParser(
        prog=_prog(),
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for key, value in defaults.items():
        _add(parser, key, value, full.get(key), key in full)
    if device:
        parser.add_argument(
            "--device",
            default=None,
            help="cpu | cuda | cuda:N | auto（默认 $D2L_DEVICE，没有则 auto：有 GPU 就用 GPU）",
        )
    if full:
        parser.add_argument(
            "--full",
            action="store_true",
            help="使用原书的设置：" + "，".join(f"{_flag(k)} {v}" for k, v in full.items()),
        )
    return parser


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """解析 ``argv``；没有给出时，程序读 ``sys.argv[1:]``（并装上一行报错的 excepthook），
    Jupyter 内核读 ``$DLNOTES_ARGS``，忽略这个程序没有的参数。"""
    if argv is not None:
        return parser.parse_args(argv)
    if in_kernel():
        args, _ignored = parser.parse_known_args(shlex.split(os.environ.get("DLNOTES_ARGS", "")))
        return args
    _install_excepthook(parser.prog)
    return parser.parse_args(sys.argv[1:])


def _check_device(parser: argparse.ArgumentParser, name: str | None) -> None:
    """``--device`` 不可用时打印一行错误，以状态 2 退出（与 parser.error 相同，只是不打印用法）。"""
    from .device import DeviceError, get_device

    try:
        get_device(name)
    except DeviceError as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")


def parse_args(
    doc: str | None = None,
    *,
    argv: list[str] | None = None,
    full: dict | None = None,
    device: bool | None = None,
    **defaults,
) -> argparse.Namespace:
    """解析 snippet 的命令行参数，返回普通的 ``argparse.Namespace``。

    - ``defaults`` 的每个关键字成为一个参数（``batch_size=256`` → ``--batch-size``，类型取自默认值；
      ``bool`` → 开关）。只有给出的关键字才成为参数：不训练的程序没有训练参数。
    - ``full``：原书的设置（键必须出现在 ``defaults`` 中）。有它时多一个 ``--full`` 开关：这些参数在
      命令行上没有给出（``None``）时，取 ``full`` 中的值（加了 ``--full``）或 ``defaults`` 中的值。
    - ``device``：是否提供 ``--device``；缺省时训练程序（有 ``epochs``）提供。``--device`` 立刻用
      :func:`dlnotes.get_device` 校验，不可用时打印一行错误并以状态 2 退出；缺省值 ``None`` 表示
      ``$D2L_DEVICE`` 或 auto，交给 ``dlnotes.get_device(args.device)`` 解析。
    - ``argv`` 为 ``None`` 时读取 ``sys.argv[1:]``；在 Jupyter 内核中读取 ``$DLNOTES_ARGS``
      （这个程序没有的参数被忽略，同一个 ``$DLNOTES_ARGS`` 可以用于所有页面）。
    """
    full = dict(full or {})
    unknown = set(full) - set(defaults)
    if unknown:
        raise TypeError(f"full= 中的 {sorted(unknown)} 不是这个程序的参数")
    if device is None:
        device = "epochs" in defaults
    parser = _parser(doc, defaults, full, device)
    args = _parse(parser, argv)
    preset = full if getattr(args, "full", False) else defaults
    for key in full:
        if getattr(args, key) is None:
            setattr(args, key, preset[key])
    if device:
        _check_device(parser, args.device)
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
