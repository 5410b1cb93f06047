"""读者的路径，作为独立的进程：``python tests/site/reader_walk.py <站点地址>``。

tests/conftest.py 的 ``SiteJob`` 在整站构建之后就在后台运行它（与其余的站点测试同时，用另一个核）；
test_reader_path.py 到时只读结果。它用自己的无头 Chromium 从首页一直点「下一页」（``reader.walk_by_clicking``，
每页两种配色），最后一行打印结果的 JSON。
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# 仓库根目录排在 tests/ 前面：tests/execbook（测试目录）不能遮住真正的 execbook 包
sys.path[:0] = [str(HERE), str(HERE.parents[1]), str(HERE.parent)]

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from reader import walk_by_clicking  # noqa: E402


def main(base: str) -> int:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            walk = walk_by_clicking(browser, base, "light", toggle=True)
        finally:
            browser.close()
    print(json.dumps(walk, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
