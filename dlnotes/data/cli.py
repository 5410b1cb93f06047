"""``python -m dlnotes.data``：报告策略找到的 Fashion-MNIST（完整 / 样本、数量、目录），可选下载。

Reports which Fashion-MNIST the policy resolves to; ``--download`` fetches the full set into
``$D2L_DATA_DIR/fashion-mnist/`` (or ``--data-dir``) when no local copy exists. Needs neither torch
nor numpy. Exit status 1 with one ``error:`` line when the data are missing or corrupt.
"""

from __future__ import annotations

import argparse
import sys

from . import source
from .errors import DataError


def main(argv: list[str] | None = None) -> int:
    """命令行入口；返回退出码。"""
    parser = argparse.ArgumentParser(
        prog="python -m dlnotes.data",
        description="检查（并可下载）Fashion-MNIST / check or download Fashion-MNIST",
        epilog=f"离线样本只在 {source.ENV_DATA}=sample 时使用 / the sample is used only when "
        f"{source.ENV_DATA}=sample",
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help="本地没有完整数据集时从镜像下载（校验 md5） / download the full set if missing",
    )
    parser.add_argument(
        "--data-dir", default=None, help="数据目录 (default: $D2L_DATA_DIR or the user cache dir)"
    )
    args = parser.parse_args(argv)
    try:
        res = source.resolve(args.data_dir, download=args.download)
        n_train, n_test = res.counts()
        info = res.info()
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(info)
    print(
        f"kind={res.kind} train={n_train} test={n_test} origin={res.origin} source={res.directory}"
    )
    return 0
