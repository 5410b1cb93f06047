"""图中的中文：matplotlib 用 PyPI 包 mplfonts 自带的 Noto Sans CJK SC（思源黑体）画中文标签。

为什么用 PyPI 包而不用系统字体：``pip install -r requirements.txt`` 一步装好，开发机、CI、GitHub 的
运行器和 Colab 上用的是**同一个字体文件**（版本由 requirements.txt 固定），SVG 里的字形路径处处相同；
系统字体（Debian 的 fonts-noto-cjk）要另装、版本随发行版变，且 matplotlib 的字体缓存建好后不会自动发现新装的字体。

不修改 matplotlib 的安装目录（不运行 ``mplfonts init``）：``register()`` 在进程内把字体文件登记到
``matplotlib.font_manager.fontManager``，并让同名的系统字体排在它后面，保证总是用这个文件。

SVG 保持 ``svg.fonttype: path``（matplotlib 的默认值）：每个用到的字形以路径写进 SVG 一次
（``<defs>`` 里，之后用 ``<use>`` 引用），图在任何浏览器里都一样、不需要网页字体、不发任何请求；
一张带中文标题、坐标轴标签和图例的图只多约 7.5 KB（实测见 README/报告）。``svg.fonttype: none`` 虽然更小，
但要求读者的机器有同一字体，否则换字体、错位，所以不用。

用法：

- 执行引擎的内核：``register_on_import()``（matplotlib.font_manager 第一次被导入时登记字体，
  不为没画图的页面导入 matplotlib），并把 ``matplotlib_rc()`` 合并进 ``InlineBackend.rc``；
- 独立程序或 notebook：``register()`` 之后 ``matplotlib.rcParams.update(matplotlib_rc())``。
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from .import_hooks import after_import

FONT_FAMILY = "Noto Sans CJK SC"
FONT_PACKAGE = "mplfonts"
FONT_FILE = "fonts/NotoSansCJKsc-Regular.otf"


def font_path() -> Path | None:
    """mplfonts 自带的 Noto Sans CJK SC 字体文件；没有安装 mplfonts 时为 None。不导入 mplfonts。"""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        path = Path(base) / FONT_FILE
        if path.is_file():
            return path
    return None


def matplotlib_rc() -> dict:
    """中文优先的 matplotlib 设置：无衬线字体列表以 Noto Sans CJK SC 开头（西文字符也由它画，
    与中文协调），DejaVu Sans 兜底；负号用 ASCII 连字符（CJK 字体里没有 U+2212）；字形写成路径。"""
    return {
        "font.family": ["sans-serif"],
        "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
    }


def register(font_manager=None) -> Path | None:
    """把字体文件登记给 matplotlib，并让它排在同名的系统字体前面。返回字体文件（没有时 None）。

    可以重复调用。``font_manager`` 默认是 ``matplotlib.font_manager``（测试时可传入别的对象）。
    """
    path = font_path()
    if path is None:
        return None
    if font_manager is None:
        from matplotlib import font_manager
    fm = font_manager.fontManager
    target = str(path)
    if not any(getattr(e, "fname", None) == target for e in fm.ttflist):
        fm.addfont(target)  # 也会清空 findfont 的缓存
    ours = [e for e in fm.ttflist if e.fname == target]
    others = [e for e in fm.ttflist if e.fname != target and e.name != FONT_FAMILY]
    same_name = [e for e in fm.ttflist if e.fname != target and e.name == FONT_FAMILY]
    fm.ttflist = ours + others + same_name
    # findfont 的结果有缓存（matplotlib 的 addfont 也这样清空它）
    clear = getattr(getattr(fm, "_findfont_cached", None), "cache_clear", None)
    if clear is not None:
        clear()
    return path


def register_on_import() -> None:
    """在 matplotlib 的字体管理器第一次导入时登记字体；已经导入了就立即登记。"""
    after_import("matplotlib.font_manager", register)
