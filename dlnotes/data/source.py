"""Fashion-MNIST 从哪里来：查找顺序、内容校验、离线样本的显式选择、数据身份（identity）。

Where Fashion-MNIST comes from (the policy). This module imports neither torch nor numpy, so the
execution engine can call :func:`current_identity` cheaply on every build.

完整数据集 / full set（默认）按以下顺序查找，用第一个四个文件齐全的目录：

1. ``$D2L_DATA_DIR/fashion-mnist/``，以及 torchvision 的布局 ``$D2L_DATA_DIR/FashionMNIST/raw/``
   （``$D2L_DATA_DIR`` 未设置时为用户缓存目录，如 ``~/.cache/dlnotes``）；
2. 系统数据集目录：Debian/Ubuntu 的软件包 ``dataset-fashion-mnist`` 安装到
   ``/usr/share/datasets/fashion-mnist/``（``$DLNOTES_SYSTEM_DATA_DIRS`` 用 ``os.pathsep`` 分隔的
   目录列表覆盖 ``/usr/share/datasets``；设为空字符串则不查系统目录）；
3. 从镜像下载到 ``$D2L_DATA_DIR/fashion-mnist/``（见 :mod:`dlnotes.data.download`；
   ``$DLNOTES_OFFLINE=1`` 时不下载）。

每个文件都按**解压后**内容的 md5 校验，所以官方的 ``.gz`` 和 Debian 重新打包（gzip 头不同）的 ``.gz``
都被接受，未压缩的 IDX 文件也被接受；损坏、被截断或内容不符的文件被拒绝，错误信息是一行，
指出文件和解决办法。校验结果按 (路径, 大小, mtime_ns, inode) 记在用户缓存目录的
``fashion-mnist-verified.json`` 中，热构建不必每次重新计算 60 MB 的 md5。

离线样本 / offline sample（官方测试集前 2000 张）只在明确要求时使用：``DLNOTES_DATA=sample``，
从 ``$D2L_DATA_DIR/fashion-mnist-sample/`` 读取。没有完整数据集、又没有要求样本时，
抛出 :class:`~dlnotes.data.errors.DataError`，列出三种解决办法——不会悄悄换成样本。
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import catalogue
from .catalogue import IdxFile
from .errors import DataError

__all__ = [
    "ENV_DATA",
    "ENV_DATA_DIR",
    "ENV_SYSTEM_DIRS",
    "ENV_OFFLINE",
    "DEBIAN_PACKAGE",
    "FASHION_MNIST_LABELS",
    "FASHION_MNIST_LABELS_ZH",
    "IdxFile",
    "Resolved",
    "data_dir",
    "data_choice",
    "system_data_dirs",
    "offline",
    "full_candidates",
    "resolve",
    "not_found",
    "current_identity",
    "decompressed_md5",
    "get_fashion_mnist_labels",
]

ENV_DATA_DIR = "D2L_DATA_DIR"  # data root (relative paths resolve against the working directory)
ENV_DATA = "DLNOTES_DATA"  # "full" (default) or "sample": the one switch that selects the sample
ENV_SYSTEM_DIRS = "DLNOTES_SYSTEM_DATA_DIRS"  # os.pathsep-separated roots; "" = none
ENV_OFFLINE = "DLNOTES_OFFLINE"  # "1": never download
DEFAULT_SYSTEM_DATA_DIRS = ("/usr/share/datasets",)
DEBIAN_PACKAGE = "dataset-fashion-mnist"
MEMO_NAME = "fashion-mnist-verified.json"

FASHION_MNIST_LABELS = (
    "t-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
)
FASHION_MNIST_LABELS_ZH = (
    "T恤",
    "裤子",
    "套衫",
    "连衣裙",
    "外套",
    "凉鞋",
    "衬衫",
    "运动鞋",
    "包",
    "短靴",
)


FULL_SUBDIR = "fashion-mnist"
TORCHVISION_SUBDIR = os.path.join("FashionMNIST", "raw")
SAMPLE_SUBDIR = "fashion-mnist-sample"
SAMPLE_TEST_FRACTION = 0.2
INFO_FULL = "Fashion-MNIST 完整数据集（{n_train} 张训练 / {n_test} 张测试）"
INFO_SAMPLE = "Fashion-MNIST 离线样本（官方测试集前 {n} 张，{n_train} 张训练 / {n_test} 张测试）"


# ---------------------------------------------------------------------------
# settings


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """数据根目录：``path``，否则 ``$D2L_DATA_DIR``，否则用户缓存目录；相对路径按当前目录解析。"""
    if path is None:
        path = os.environ.get(ENV_DATA_DIR) or None
    if path is None:
        path = _user_cache_dir()
    return Path(path).expanduser().resolve()


def _user_cache_dir() -> str:
    try:
        import platformdirs

        return platformdirs.user_cache_dir("dlnotes", appauthor=False)
    except ImportError:  # pragma: no cover - platformdirs is pinned in requirements.txt
        return os.path.join(os.path.expanduser("~"), ".cache", "dlnotes")


def data_choice() -> str:
    """``$DLNOTES_DATA``：``"full"``（默认）或 ``"sample"``；其他值是 :class:`DataError`。"""
    value = os.environ.get(ENV_DATA, "").strip().lower() or "full"
    if value not in ("full", "sample"):
        raise DataError(
            f"{ENV_DATA}={os.environ.get(ENV_DATA)!r} 无效（invalid）：只能是 full（完整数据集，默认）"
            f"或 sample（2000 张图片的离线样本）"
        )
    return value


def system_data_dirs() -> list[Path]:
    """系统数据集根目录（其下的 ``fashion-mnist/``）：``$DLNOTES_SYSTEM_DATA_DIRS`` 或 ``/usr/share/datasets``。"""
    env = os.environ.get(ENV_SYSTEM_DIRS)
    roots = DEFAULT_SYSTEM_DATA_DIRS if env is None else env.split(os.pathsep)
    return [Path(r) for r in roots if r.strip()]


def offline() -> bool:
    """``$DLNOTES_OFFLINE`` 为真时不下载。"""
    return os.environ.get(ENV_OFFLINE, "").strip().lower() not in ("", "0", "false", "no")


# ---------------------------------------------------------------------------
# verification (md5 of the decompressed content, memoised by path + stat)

_MEMO: dict[str, dict] | None = None


def _memo_file() -> Path:
    return Path(_user_cache_dir()) / MEMO_NAME


def _memo() -> dict[str, dict]:
    global _MEMO
    if _MEMO is None:
        try:
            loaded = json.loads(_memo_file().read_text(encoding="utf-8"))
            _MEMO = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            _MEMO = {}
    return _MEMO


def _save_memo() -> None:
    """原子写入备忘文件，顺便删掉已不存在的文件的记录；写不了（只读目录）就不记。"""
    memo = _memo()
    for key in [k for k in memo if not os.path.exists(k)]:
        del memo[key]
    target = _memo_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(memo, f, indent=0, sort_keys=True)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


def _stat_key(st: os.stat_result) -> dict:
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ino": st.st_ino}


def _fix_for(path: Path) -> str:
    """一个损坏文件的解决办法：系统目录里的重装软件包，其余删掉后重新下载。"""
    if any(_is_under(path, root) for root in system_data_dirs()):
        return f"重新安装软件包：sudo apt-get install --reinstall {DEBIAN_PACKAGE}"
    if path.parent.name == SAMPLE_SUBDIR:
        return f"删除它，重新复制离线样本目录 {SAMPLE_SUBDIR}/"
    return "删除它，再运行 python -m dlnotes.data --download 重新下载"


def _is_under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def decompressed_md5(path: str | os.PathLike) -> str:
    """文件（gzip 压缩或未压缩）解压后内容的 md5；按 (路径, 大小, mtime_ns, inode) 记忆。

    gzip 流损坏或被截断时抛出一行的 :class:`DataError`（文件名与解决办法），不会抛出 ``zlib.error``。
    """
    path = Path(path).resolve()
    st = path.stat()
    key = str(path)
    memo = _memo()
    entry = memo.get(key)
    if isinstance(entry, dict) and all(entry.get(k) == v for k, v in _stat_key(st).items()):
        if isinstance(entry.get("md5"), str):
            return entry["md5"]
    h = hashlib.md5()
    try:
        with open(path, "rb") as f:
            compressed = f.read(2) == b"\x1f\x8b"
        with gzip.open(path, "rb") if compressed else open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise DataError(
            f"Fashion-MNIST 数据文件损坏或不完整（corrupt or truncated file）：{path}"
            f"（{type(exc).__name__}: {exc}）。解决：{_fix_for(path)}"
        ) from None
    digest = h.hexdigest()
    memo[key] = {**_stat_key(st), "md5": digest}
    _save_memo()
    return digest


def _verify(path: Path, spec: IdxFile) -> str:
    digest = decompressed_md5(path)
    if digest != spec.md5:
        raise DataError(
            f"Fashion-MNIST 数据文件内容不符（content mismatch）：{path} 解压后的 md5 是 {digest}，"
            f"应为 {spec.md5}（文件损坏、被截断或不是官方文件）。解决：{_fix_for(path)}"
        )
    return digest


# ---------------------------------------------------------------------------
# resolution


@dataclass(frozen=True)
class Resolved:
    """策略的结果：用哪份数据（kind ``full``/``sample``）、哪个目录、哪些文件及其解压后的 md5。"""

    kind: str
    directory: Path
    paths: dict[str, Path]  # key of FULL_FILES / SAMPLE_FILES -> file used
    md5s: dict[str, str]  # same keys -> md5 of the decompressed content
    origin: str  # "data-dir", "torchvision", "system", "download", "sample"

    @property
    def is_sample(self) -> bool:
        return self.kind == "sample"

    @property
    def specs(self) -> dict[str, IdxFile]:
        return catalogue.SAMPLE_FILES if self.is_sample else catalogue.FULL_FILES

    def identity(self) -> dict:
        """数据的身份：种类、是否样本、每个文件解压后内容的 md5（与路径无关）。"""
        return {
            "kind": self.kind,
            "sample": self.is_sample,
            "files": {spec.stem: self.md5s[key] for key, spec in self.specs.items()},
        }

    def counts(self) -> tuple[int, int]:
        """(训练样本数, 测试样本数)，只读 IDX 头（样本按 :data:`SAMPLE_TEST_FRACTION` 切分）。"""
        if self.is_sample:
            n = _idx_count(self.paths["labels"])
            n_test = round(n * SAMPLE_TEST_FRACTION)
            return n - n_test, n_test
        return _idx_count(self.paths["train_labels"]), _idx_count(self.paths["test_labels"])

    def info(self) -> str:
        """中文说明，如「Fashion-MNIST 完整数据集（60000 张训练 / 10000 张测试）」。"""
        n_train, n_test = self.counts()
        if self.is_sample:
            return INFO_SAMPLE.format(n=n_train + n_test, n_train=n_train, n_test=n_test)
        return INFO_FULL.format(n_train=n_train, n_test=n_test)


def _idx_count(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            compressed = f.read(2) == b"\x1f\x8b"
        with gzip.open(path, "rb") if compressed else open(path, "rb") as f:
            head = f.read(8)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"无法读取 IDX 文件头（cannot read IDX header）：{path}（{exc}）") from None
    return int.from_bytes(head[4:8], "big")


def _find(directory: Path, spec: IdxFile) -> Path | None:
    """目录中的 ``name.gz``，否则未压缩的 ``name``（torchvision 会留下两种）。"""
    for name in (spec.name, spec.stem):
        p = directory / name
        if p.is_file():
            return p
    return None


def _complete(directory: Path, specs: dict[str, IdxFile]) -> dict[str, Path] | None:
    found = {key: _find(directory, spec) for key, spec in specs.items()}
    return found if all(found.values()) else None  # type: ignore[return-value]


def full_candidates(root: Path) -> list[tuple[Path, str]]:
    """完整数据集的候选目录（按查找顺序）与来源名。"""
    out = [(root / FULL_SUBDIR, "data-dir"), (root / TORCHVISION_SUBDIR, "torchvision")]
    out += [(r / FULL_SUBDIR, "system") for r in system_data_dirs()]
    return out


def _checked(kind: str, directory: Path, paths: dict[str, Path], origin: str) -> Resolved:
    specs = catalogue.SAMPLE_FILES if kind == "sample" else catalogue.FULL_FILES
    md5s = {key: _verify(paths[key], specs[key]) for key in specs}
    return Resolved(kind, directory, paths, md5s, origin)


def resolve(root: str | os.PathLike | None = None, *, download: bool | None = None) -> Resolved:
    """按策略找到（必要时下载）数据并校验，返回 :class:`Resolved`；找不到或损坏时抛出 :class:`DataError`。

    ``root`` 缺省为 :func:`data_dir`；``download`` 缺省为「不是 ``$DLNOTES_OFFLINE``」。
    """
    root = data_dir(root)
    if data_choice() == "sample":
        d = root / SAMPLE_SUBDIR
        paths = _complete(d, catalogue.SAMPLE_FILES)
        if paths is None:
            raise DataError(
                f"{ENV_DATA}=sample 选择了 Fashion-MNIST 离线样本，但 {d} 中没有样本文件"
                f"（{', '.join(s.name for s in catalogue.SAMPLE_FILES.values())}）。解决：把 {ENV_DATA_DIR} 设为含 "
                f"{SAMPLE_SUBDIR}/ 的目录（如 export {ENV_DATA_DIR}=../shared/data），"
                f"或取消 {ENV_DATA} 改用完整数据集"
            )
        return _checked("sample", d, paths, "sample")

    for directory, origin in full_candidates(root):
        paths = _complete(directory, catalogue.FULL_FILES)
        if paths is not None:
            return _checked("full", directory, paths, origin)

    if download is None:
        download = not offline()
    why = f"未尝试下载（{ENV_OFFLINE}=1）" if not download else ""
    if download:
        from .download import download_full

        try:
            d = download_full(root / FULL_SUBDIR)
        except DataError as exc:
            why = f"下载失败（download failed）：{exc}"
        else:
            return _checked("full", d, _complete(d, catalogue.FULL_FILES) or {}, "download")
    raise not_found(root, why)


def not_found(root: Path, why: str = "") -> DataError:
    """缺少完整数据集时的一行错误：查找过哪些目录、为什么、三种解决办法。"""
    looked = "、".join(str(d) for d, _ in full_candidates(root))
    return DataError(
        f"找不到 Fashion-MNIST 完整数据集（Fashion-MNIST not found）：查找过 {looked}"
        + (f"；{why}" if why else "")
        + f"。三种解决办法：① Debian/Ubuntu 安装软件包：sudo apt-get install -y {DEBIAN_PACKAGE}；"
        f"② 联网下载到 {root / FULL_SUBDIR}：python -m dlnotes.data --download；"
        f"③ 明确选用 2000 张图片的离线样本：export {ENV_DATA}=sample {ENV_DATA_DIR}=<含 {SAMPLE_SUBDIR}/ 的目录>"
    )


def current_identity() -> dict:
    """策略此刻解析到的数据的身份（不下载、不导入 torch；有备忘时只需几次 ``stat``）。

    ``{"kind": "full"|"sample", "sample": bool, "files": {文件名: 解压后 md5}}``；
    数据不可用时 ``{"kind": "unavailable", "sample": bool, "error": 一行说明}``。
    执行引擎把它与页面记录的身份比较，不同就重新运行读过数据的页面。
    """
    try:
        return resolve(download=False).identity()
    except DataError as exc:
        sample = os.environ.get(ENV_DATA, "").strip().lower() == "sample"
        return {"kind": "unavailable", "sample": sample, "error": str(exc)}


# --8<-- [start:get_fashion_mnist_labels]
def get_fashion_mnist_labels(labels, lang: str = "en") -> list[str]:
    """把数字标签转换为类别名（默认英文，同 d2l；``lang='zh'`` 为中文）。"""
    names = FASHION_MNIST_LABELS_ZH if lang == "zh" else FASHION_MNIST_LABELS
    if hasattr(labels, "tolist"):
        labels = labels.tolist()
    if isinstance(labels, int):
        labels = [labels]
    return [names[int(i)] for i in labels]


# --8<-- [end:get_fashion_mnist_labels]
