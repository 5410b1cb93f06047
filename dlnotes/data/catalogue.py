"""数据集的文件清单：文件名、解压后内容的 md5、IDX magic、官方 ``.gz`` 的 md5。

只有数据、没有逻辑：查找与校验（``source``）和下载（``download``）都从这里读清单，彼此不再互相导入。
新的数据集：在这里加它的文件清单。
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FULL_FILES", "SAMPLE_FILES", "IdxFile"]


@dataclass(frozen=True)
class IdxFile:
    """一个数据文件：发布时的文件名（``.gz``）、解压后内容的 md5、IDX magic、官方 ``.gz`` 的 md5。"""

    name: str
    md5: str  # md5 of the decompressed IDX content (what is verified)
    magic: int  # 2051 images, 2049 labels
    gz_md5: str | None = None  # md5 of the official .gz (the download registry)

    @property
    def stem(self) -> str:
        """不带 ``.gz`` 的文件名（也是未压缩文件的名字）。"""
        return self.name.removesuffix(".gz")


FULL_FILES: dict[str, IdxFile] = {
    "train_images": IdxFile(
        "train-images-idx3-ubyte.gz",
        "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        2051,
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    ),
    "train_labels": IdxFile(
        "train-labels-idx1-ubyte.gz",
        "9018921c3c673c538a1fc5bad174d6f9",
        2049,
        "25c81989df183df01b3e8a0aad5dffbe",
    ),
    "test_images": IdxFile(
        "t10k-images-idx3-ubyte.gz",
        "8181f5470baa50b63fa0f6fddb340f0a",
        2051,
        "bef4ecab320f06d8554ea6380940ec79",
    ),
    "test_labels": IdxFile(
        "t10k-labels-idx1-ubyte.gz",
        "15d484375f8d13e6eb1aabb0c3f46965",
        2049,
        "bb300cfdad3c16e7a12a480ee83cd310",
    ),
}
SAMPLE_FILES: dict[str, IdxFile] = {
    "images": IdxFile(
        "t10k-images-first2000-idx3-ubyte.gz", "c02bf5be7718b1153b1992308017dc29", 2051
    ),
    "labels": IdxFile(
        "t10k-labels-first2000-idx1-ubyte.gz", "a4b1ac51fa4de730f5b7e05c501b832a", 2049
    ),
}
