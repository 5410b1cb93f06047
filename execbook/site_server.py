"""在本机提供构建好的站点（静态文件），给无头 Chromium 读：PDF 打印（reports/pdf.py）与浏览器测试
（tests/conftest.py）共用。只监听 127.0.0.1，不写访问日志。"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _handler(directory: Path, prefix: str):
    """只提供 ``prefix``（以 / 结尾）之下的地址，去掉前缀后对应 directory 里的文件；其余地址一律 404。"""

    class Handler(_QuietHandler):
        def translate_path(self, path):
            path = "/" + path[len(prefix) :] if path.startswith(prefix) else "/__outside_site__/"
            return super().translate_path(path)

    return functools.partial(Handler, directory=str(directory))


@contextlib.contextmanager
def serve_site(directory: Path, site_url: str | None = None):
    """在 ``site_url``（``http://127.0.0.1:端口/路径/``，与发布的站点同样的路径前缀）上提供 directory，
    给出实际的地址；没有 ``site_url`` 时用一个空闲端口、站点在根路径上。"""
    parts = urlsplit(site_url or "http://127.0.0.1/")
    prefix = parts.path if parts.path.endswith("/") else parts.path + "/"
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", parts.port or 0), _handler(directory, prefix)
    )
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}{prefix}"
    finally:
        srv.shutdown()
        srv.server_close()
