"""下载 Fashion-MNIST 的官方文件（通过 pooch：md5 登记表、镜像、重试、进度条）。

Download through `pooch <https://www.fatiando.org/pooch/>`_. Each file is tried on every mirror in
turn (``$DLNOTES_FASHION_MNIST_MIRRORS``, comma-separated, overrides the defaults); on each mirror
pooch retries ``$DLNOTES_DOWNLOAD_RETRIES`` times (default 2) and checks the md5 of the official
``.gz``. Files are downloaded into a temporary folder beside the target and moved into place only
when all of them arrived intact, so a failed or interrupted download leaves nothing behind.
``$DLNOTES_DOWNLOAD_TIMEOUT`` sets the network timeout in seconds (default 30).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import catalogue
from .catalogue import IdxFile
from .errors import DataError

__all__ = ["DEFAULT_MIRRORS", "mirrors", "download_files", "download_full"]

DEFAULT_MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
)
ENV_MIRRORS = "DLNOTES_FASHION_MNIST_MIRRORS"
ENV_TIMEOUT = "DLNOTES_DOWNLOAD_TIMEOUT"
ENV_RETRIES = "DLNOTES_DOWNLOAD_RETRIES"


def mirrors() -> list[str]:
    """镜像的基础地址（以 ``/`` 结尾）：``$DLNOTES_FASHION_MNIST_MIRRORS`` 或默认的两个。"""
    env = os.environ.get(ENV_MIRRORS, "").strip()
    bases = [b.strip() for b in env.split(",") if b.strip()] if env else list(DEFAULT_MIRRORS)
    return [b if b.endswith("/") else b + "/" for b in bases]


def _number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _fetch_one(
    spec: IdxFile, staging: Path, bases: list[str], timeout: float, retries: int
) -> None:
    """依次从各镜像取一个文件到 ``staging``；全部失败时抛出一行的 :class:`DataError`。"""
    import pooch
    import requests

    downloader = pooch.HTTPDownloader(progressbar=sys.stderr.isatty(), timeout=timeout)
    errors = []
    for base in bases:
        fetcher = pooch.create(
            path=staging,
            base_url=base,
            registry={spec.name: f"md5:{spec.gz_md5}" if spec.gz_md5 else None},
            retry_if_failed=retries,
        )
        try:
            fetcher.fetch(spec.name, downloader=downloader)
            return
        except ValueError as exc:  # pooch: hash mismatch (the file is already deleted)
            errors.append(f"{base}{spec.name}: md5 不符（{str(exc).splitlines()[0]}）")
        except (requests.RequestException, OSError) as exc:
            errors.append(f"{base}{spec.name}: {type(exc).__name__}: {exc}")
    raise DataError(f"{spec.name} 在所有镜像上都下载失败：" + "；".join(errors))


def download_files(
    specs: list[IdxFile],
    dest: str | os.PathLike,
    *,
    mirror_list: list[str] | None = None,
    timeout: float | None = None,
    retries: int | None = None,
) -> list[Path]:
    """把 ``specs`` 中的文件下载到 ``dest``（全部成功才放进去），返回它们的路径。

    失败或被中断时删除临时目录，以及为此新建的空目录：什么也不留下。
    """
    dest = Path(dest).resolve()
    bases = mirrors() if mirror_list is None else mirror_list
    timeout = _number(ENV_TIMEOUT, 30) if timeout is None else timeout
    retries = int(_number(ENV_RETRIES, 2)) if retries is None else retries
    created = [p for p in (dest, *dest.parents) if not p.exists()]
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.download-", dir=dest.parent))
    logger = logging.getLogger("pooch")
    level = logger.level
    logger.setLevel(logging.WARNING)  # pooch logs every download at INFO; a kernel would show it
    ok = False
    try:
        for spec in specs:
            _fetch_one(spec, staging, bases, timeout, retries)
        dest.mkdir(exist_ok=True)
        for spec in specs:
            os.replace(staging / spec.name, dest / spec.name)
        ok = True
    finally:
        logger.setLevel(level)
        shutil.rmtree(staging, ignore_errors=True)
        if not ok:
            for p in created:  # innermost first; only empty folders we made ourselves
                if p.exists():
                    try:
                        p.rmdir()
                    except OSError:
                        break
    return [dest / spec.name for spec in specs]


def download_full(dest: str | os.PathLike, **kwargs) -> Path:
    """把 ``dest`` 中缺少的完整数据集文件下载进去，返回 ``dest``（内容由调用者校验）。"""
    dest = Path(dest)
    missing = [
        s
        for s in catalogue.FULL_FILES.values()
        if not (dest / s.name).is_file() and not (dest / s.stem).is_file()
    ]
    if missing:
        download_files(missing, dest, **kwargs)
    return dest
