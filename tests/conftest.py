"""测试共用的夹具：一次严格构建（整个会话共用）、它的本地服务器与无头 Chromium，以及仓库路径；
``require``：缺少前提时在贡献者机器上跳过（写明原因），在 CI（``CI=true``）中失败。"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from execbook.engine.summary import SUMMARY_NAME
from execbook.mkdocs_config import load as load_mkdocs_yml
from execbook.site_server import serve_site  # test_reader_path.py 也从这里导入

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"  # 源笔记（CI 与项目机器上在仓库旁边）
CHROMIUM = "/usr/bin/chromium"  # Debian 的 chromium（CI 用 apt-get 安装）
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--allow-file-access-from-files",  # 离线副本（file://）的搜索索引与 iframe-worker
]

# pytester：pytest 插件的测试在子进程里运行 pytest
pytest_plugins = ("pytester",)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: object, reason: str) -> None:
    """测试的前提（源笔记、离线样本、Chromium……）：不满足时在本地跳过并写明原因，在 CI 中失败。

    CI 设置 ``CI=true``，并且总是准备好这些前提，所以 CI 里永远不会悄悄跳过。
    """
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI 中缺少测试的前提：{reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Build:
    site: Path
    returncode: int
    output: str
    site_url: str | None = None
    port: int | None = None
    summary: dict | None = None  # 构建写的摘要 JSON（<缓存目录>/build-summary.json）
    pdf: PdfJob | None = None  # 会话里有 PDF 测试时，构建一完成就在后台打印的 PDF
    base: str | None = None  # 会话共用的服务器的地址（site_url）：浏览器测试与后台的读者路径共用
    walk: ProcessJob | None = None  # 会话里有读者路径测试时，在后台点完整个站点（reader_walk.py）


class ProcessJob:
    """在后台运行的一个子进程（cwd 是仓库），测试到时取它的退出状态与输出。"""

    def __init__(self, cmd: list[str]):
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def result(self, timeout: float = 1200) -> tuple[int, str]:
        out, _ = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


class PdfJob(ProcessJob):
    """在后台打印整本书的 PDF（``python -m execbook pdf``，一个子进程）。

    打印要一两分钟，几乎只用一个 CPU 核；整站构建一完成就开始，其余的站点测试同时在另一个核上运行，
    PDF 测试到时只等它结束（``result()``：输出的最后一行是报告的 JSON）。打印用站点的一个硬链接副本
    （打印时在站点里写临时文件与 PDF，不能让同时运行的、检查站点文件的测试看见）。
    """

    def __init__(self, site: Path, workdir: Path):
        self.site = workdir / "site"
        shutil.copytree(site, self.site, copy_function=os.link)
        super().__init__([sys.executable, "-m", "execbook", "pdf", str(self.site), "--json"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_mkdocs_build(
    site_dir: Path, config: Path | None = None, env: dict | None = None, timeout: int = 1800
) -> Build:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config is not None:
        cmd += ["--config-file", str(config)]
    full_env = {**os.environ, **(env or {})}
    cache = Path(full_env.get("DLNOTES_CACHE_DIR") or REPO / ".cache" / "dlnotes")
    summary_file = cache / SUMMARY_NAME
    before = summary_file.stat().st_mtime_ns if summary_file.exists() else None
    proc = subprocess.run(
        cmd, cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout
    )
    summary = None
    if summary_file.exists() and summary_file.stat().st_mtime_ns != before:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
    return Build(site_dir, proc.returncode, proc.stdout + proc.stderr, summary=summary)


def build_fixture_site(root: Path, config: Path, **env: str) -> Build:
    """严格构建 root 里的小站点（mini_site 写的配置）：站点在 root/site，执行缓存在 root/cache。"""
    return run_mkdocs_build(
        root / "site",
        config=config,
        env={"DLNOTES_CACHE_DIR": str(root / "cache"), **env},
        timeout=300,
    )


def write_page(tmp_path: Path, text: str, name: str = "page.md") -> Path:
    """在 tmp_path 里写一个测试页面（去掉缩进与开头的空行），返回它的路径。"""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def mini_site(
    tmp_path: Path, page_text: str, files: dict[str, str] | None = None, nav: list[str] = ()
) -> Path:
    """用本站的 mkdocs.yml（主题、扩展、插件），但只有一个页面 docs/index.md（外加结果页）。

    ``files``：另外要写的文件（相对 tmp_path）；``nav``：另外加进导航的页面（相对 docs/）。snippet 的 base_path 是 tmp_path 与仓库根目录。
    返回配置文件的路径。
    """
    docs = tmp_path / "docs"
    (docs / "appendix").mkdir(parents=True)
    (docs / "index.md").write_text(textwrap.dedent(page_text).lstrip(), encoding="utf-8")
    (docs / "appendix" / "results.md").write_text(
        "# 结果\n\n<!-- dlnotes:results-table -->\n", encoding="utf-8"
    )
    for rel, text in (files or {}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    cfg = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    cfg = cfg[: cfg.index("\nnav:")]
    cfg = cfg.replace("custom_dir: overrides", f"custom_dir: {REPO / 'overrides'}")
    for d in ("snippets", "dlnotes", "execbook"):
        cfg = cfg.replace(f"  - {d}\n", f"  - {REPO / d}\n")
    cfg = re.sub(
        r"^(\s*-\s*)(execbook/\S+\.py)\s*$", lambda m: f"{m[1]}{REPO / m[2]}", cfg, flags=re.M
    )
    # 页面历史插件（git）与引擎无关，在没有 git 的临时目录里它们的回退日期还会偶尔互相矛盾而发出警告
    cfg = re.sub(
        r"^  - git-(?:revision-date-localized|authors):\n(?:      .*\n)*", "", cfg, flags=re.M
    )
    assert "  - git-" not in cfg
    assert 'base_path: ["."]' in cfg
    cfg = cfg.replace('base_path: ["."]', f'base_path: ["{tmp_path}", "{REPO}"]')
    cfg += f"\ndocs_dir: {docs}\nnav:\n  - index.md\n  - appendix/results.md\n"
    cfg += "".join(f"  - {page}\n" for page in nav)
    for asset in ("javascripts", "stylesheets"):
        shutil.copytree(REPO / "docs" / asset, docs / asset)
    config = tmp_path / "mkdocs.yml"
    config.write_text(cfg, encoding="utf-8")
    return config


SITE_PATH = (
    "/d2l-notes/"  # 与 mkdocs.yml 的 site_url 一样，站点在子路径下（GitHub Pages 的项目站点）
)


def local_site_url(port: int) -> str:
    return f"http://127.0.0.1:{port}{SITE_PATH}"


class SiteJob:
    """整个站点的严格构建（会话共用），在后台的一个线程里做：页面测试一跑完（第一个 tests/ 下的测试开始时，
    见 ``pytest_runtest_setup``）就开始，与快的一层测试同时进行；会话里有 PDF 测试时，构建一完成就接着在后台
    打印 PDF（``PdfJob``）。``built_site`` 夹具只等它的结果。会话里有对应的测试时，同一个线程接着构建
    离线副本（``offline``）与 ProperDocs 的站点（``properdocs``），测试到时只取结果。

    site_url 设为浏览器测试将要使用的本地地址，路径与发布的 site_url 一样是 /d2l-notes/：Material 的
    即时导航只接管 sitemap 里的地址（它把 sitemap 地址的协议和主机换成当前的，端口和路径不换），
    所以站点要在构建时的 site_url 上提供，读者的即时导航才会在测试里打开。
    """

    def __init__(self, session):
        self.dir = Path(tempfile.mkdtemp(prefix="dlnotes-site-"))
        names = {item.path.name for item in session.items}
        self.wants_pdf = "test_pdf.py" in names
        self.wants_walk = "test_reader_path.py" in names
        self._server = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="site-build")
        self.future = self._pool.submit(self._build)
        # 排在整站构建之后、同一个后台线程里（构建一个接一个，不争执行缓存里的构建摘要）
        self.offline = self._pool.submit(self._offline) if "test_publishing.py" in names else None
        self.properdocs = (
            self._pool.submit(self._properdocs) if "test_properdocs.py" in names else None
        )
        session.config.add_cleanup(self.close)

    def _offline(self) -> Build:
        """``OFFLINE=true mkdocs build --strict``：离线副本（test_publishing.py）。"""
        return run_mkdocs_build(self.dir / "offline" / "site", env={"OFFLINE": "true"})

    def _properdocs(self) -> tuple[subprocess.CompletedProcess, Path] | None:
        """``properdocs build --strict``，同样的 SITE_URL 与页面历史、只用缓存（test_properdocs.py）。"""
        exe = shutil.which("properdocs")
        build = self.future.result()
        if exe is None or build.returncode != 0:
            return None
        site = self.dir / "properdocs" / "site"
        env = {
            **os.environ,
            "SITE_URL": build.site_url,
            "DLNOTES_PAGE_HISTORY": "true",
            "DLNOTES_EXECUTE": "never",
            "PYTHONPATH": str(REPO),
        }
        cmd = [exe, "build", "--strict", "--site-dir", str(site)]
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
        return proc, site

    def _build(self) -> Build:
        port = free_port()
        site_url = local_site_url(port)
        # 和发布的构建一样带页面历史（本地默认不读 git 历史，见 mkdocs.yml）
        build = run_mkdocs_build(
            self.dir / "site", env={"SITE_URL": site_url, "DLNOTES_PAGE_HISTORY": "true"}
        )
        build.site_url, build.port = site_url, port
        if build.returncode != 0:
            return build
        self._server = serve_site(build.site, site_url)
        build.base = self._server.__enter__()
        if self.wants_pdf and Path(CHROMIUM).exists():
            (self.dir / "pdf").mkdir()
            build.pdf = PdfJob(build.site, self.dir / "pdf")
        if self.wants_walk and Path(CHROMIUM).exists():
            script = REPO / "tests" / "site" / "reader_walk.py"
            build.walk = ProcessJob([sys.executable, str(script), build.base])
        return build

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self.future.done() and not self.future.exception():
            build = self.future.result()
            for job in (build.pdf, build.walk):
                if job is not None:
                    job.stop()
        if self._server is not None:
            self._server.__exit__(None, None, None)
        shutil.rmtree(self.dir, ignore_errors=True)


_SITE_KEY = pytest.StashKey[SiteJob]()


def site_job(session) -> SiteJob:
    if _SITE_KEY not in session.stash:
        session.stash[_SITE_KEY] = SiteJob(session)
    return session.stash[_SITE_KEY]


@pytest.fixture(scope="session")
def built_site(request) -> Build:
    """整个站点的严格构建（页面测试先运行并填好执行缓存，所以这里通常只取缓存），见 ``SiteJob``。"""
    return site_job(request.session).future.result()


@pytest.fixture(scope="session")
def server(built_site):
    """在 built_site.site_url（http://127.0.0.1:端口/d2l-notes/）上提供构建好的站点（浏览器测试与 README 截图共用）。"""
    if built_site.returncode != 0:
        pytest.fail("站点构建失败，无法做浏览器测试：\n" + built_site.output[-3000:])
    return built_site.base  # SiteJob 在构建之后就开始提供（后台的读者路径也用它）


@pytest.fixture(scope="module")
def browser():
    """无头的系统 Chromium（Playwright 驱动）；每个测试开自己的 context/page。

    按模块启动：Playwright 的同步 API 在活动期间占着本线程的事件循环，不能拖到之后在进程内
    运行内核（nbclient）的测试里。
    """
    require(
        Path(CHROMIUM).exists(),
        f"没有 {CHROMIUM}：浏览器测试需要系统 Chromium（apt-get install -y chromium；CI 会安装）",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def mkdocs_config() -> dict:
    """仓库的 mkdocs.yml（``!ENV`` 按当前环境取值），用 execbook 的同一个读取器。"""
    return load_mkdocs_yml(REPO / "mkdocs.yml")


def nav_pages(cfg: dict) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                for v in item.values():
                    yield from (walk(v) if isinstance(v, list) else [v])

    return list(walk(cfg["nav"]))


def pytest_runtest_setup(item):
    """第一个 tests/ 下的测试开始时（页面测试都跑完了，两个核不再被页面的内核占满），在后台开始两件
    互不相关、都在子进程里的重活，与前面的测试同时用另一个核：整站构建（接着打印 PDF，见 ``SiteJob``），
    以及 snippets 的独立运行（tests/site/snippet_runs.py）。"""
    session = item.session
    wanted = getattr(session, "_dl_background", None)
    if wanted is None:
        wanted = session._dl_background = {
            "site": any("built_site" in getattr(i, "fixturenames", ()) for i in session.items),
            "snippets": any(i.path.name == "test_snippets.py" for i in session.items),
        }
    if wanted["site"]:
        site_job(session)
    if wanted["snippets"]:
        site_tests = str(REPO / "tests" / "site")
        if site_tests not in sys.path:
            sys.path.insert(0, site_tests)
        import snippet_runs

        snippet_runs.start_in_background(item.config.add_cleanup)
