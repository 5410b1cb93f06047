"""ProperDocs（PyPI ``properdocs``，MkDocs 1.6 的维护分支）构建同一个站点：Material 停止维护之后的出路。

MkDocs 2.0 不再支持插件，Zensical 不运行第三方插件；ProperDocs 原样运行 MkDocs 的插件与 Material。这里用
``properdocs build --strict``（只用缓存：``DLNOTES_EXECUTE=never``）构建，与 MkDocs 的构建（``built_site``，
同样的 SITE_URL 与页面历史）比较：页面集合相同，每页 ``<article>`` 的 HTML 相同。允许的差别恰好两处：

- ``<meta name="generator">`` 写的是构建工具的名字与版本（在 <article> 之外，不比较）；
- 「构建报告」页第一句写的是这次构建的开始时间与用时（``构建开始于 … 秒``），比较前换成同一个占位。
"""

from __future__ import annotations

import re
import shutil

from conftest import require, site_job

ARTICLE_RE = re.compile(r"<article\b.*?</article>", re.S)
BUILD_TIME_RE = re.compile(r"构建开始于 [^<]*?UTC，用时 <strong>[\d.]+ 秒</strong>")


def _articles(site) -> dict[str, str]:
    out = {}
    for page in sorted(site.rglob("*.html")):
        m = ARTICLE_RE.search(page.read_text(encoding="utf-8"))
        out[page.relative_to(site).as_posix()] = BUILD_TIME_RE.sub("构建开始于 …", m.group(0) if m else "")
    return out


def test_properdocs_builds_the_same_site_as_mkdocs(built_site, request):
    assert built_site.returncode == 0, built_site.output[-3000:]
    require(shutil.which("properdocs"), "没有安装 properdocs（requirements.txt）")
    # 整站构建之后在后台构建（conftest 的 SiteJob._properdocs）
    proc, site = site_job(request.session).properdocs.result()
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    ours, theirs = _articles(site), _articles(built_site.site)
    assert sorted(ours) == sorted(theirs)
    different = [p for p in ours if ours[p] != theirs[p]]
    assert different == [], different[:10]
    index = (site / "index.html").read_text(encoding="utf-8")
    generator = re.search(r'<meta name="generator" content="([^"]+)"', index)
    assert generator and "properdocs" in generator.group(1).lower()
