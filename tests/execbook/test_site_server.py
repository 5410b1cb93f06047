"""本机的站点服务器（``execbook/site_server.py``）：PDF 打印与浏览器测试都经它读构建好的站点。"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from execbook.site_server import serve_site


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read().decode("utf-8")


def test_site_is_served_at_the_root_on_a_free_port(tmp_path):
    (tmp_path / "index.html").write_text("首页", encoding="utf-8")
    with serve_site(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/")
        assert _get(base + "index.html") == "首页"


def test_site_under_a_path_prefix_answers_only_below_it(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("页面 a", encoding="utf-8")
    with serve_site(tmp_path, "http://127.0.0.1/d2l-notes") as base:
        assert base.endswith("/d2l-notes/")
        assert _get(base + "a/") == "页面 a"
        with pytest.raises(urllib.error.HTTPError) as err:
            _get(base.removesuffix("d2l-notes/") + "a/")
        assert err.value.code == 404
