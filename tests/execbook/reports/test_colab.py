"""「在 Colab 中运行」：链接、notebook 的安装 cell、发布目录的布局。"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import nbformat
import pytest

from conftest import REPO
from execbook.reports import colab

REPO_URL = "https://github.com/d2l-notes/d2l-notes"
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    "repo_url",
    [
        REPO_URL,
        REPO_URL + "/",
        REPO_URL + ".git",
        "git@github.com:d2l-notes/d2l-notes.git",
    ],
)
def test_colab_url(repo_url):
    assert colab.colab_url(repo_url, "chapter_linear-networks/softmax-regression-impl.ipynb") == (
        "https://colab.research.google.com/github/d2l-notes/d2l-notes/blob/notebooks/"
        "chapter_linear-networks/softmax-regression-impl.ipynb"
    )


def test_colab_url_rejects_bad_input():
    with pytest.raises(ValueError, match="GitHub"):
        colab.colab_url("https://gitlab.com/a/b", "x.ipynb")
    with pytest.raises(ValueError, match="notebook"):
        colab.colab_url(REPO_URL, "chapter_x/page.md")
    with pytest.raises(ValueError, match="notebook"):
        colab.colab_url(REPO_URL, "../secret.ipynb")
    assert colab.colab_url(REPO_URL, "a b.ipynb", branch="nb").endswith("/blob/nb/a%20b.ipynb")


def test_colab_requirements_from_the_real_file():
    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    reqs, torch_version = colab.colab_requirements(text)
    names = {r.split("==")[0].lower() for r in reqs}
    assert torch_version and not any(r.startswith("torch==") for r in reqs)
    assert {"numpy", "matplotlib", "tqdm", "platformdirs", "mplfonts"} <= names
    assert not names & {"mkdocs", "pytest", "playwright", "ruff", "ipykernel", "pre-commit"}
    assert all("==" in r for r in reqs)


def test_colab_requirements_rejects_unpinned():
    with pytest.raises(ValueError, match="固定版本"):
        colab.colab_requirements("numpy>=2\n")


def run_install_cell(source: str) -> list[str]:
    """在一个新进程里按 IPython 的语法运行安装 cell：%pip 被换成记录参数的替身，其余真的运行。"""
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(source)
    compile(code, "<install cell>", "exec")  # 是合法的 IPython 代码
    prog = (
        "import json, sys\n"
        "calls = []\n"
        "class FakeIPython:\n"
        "    def run_line_magic(self, name, line):\n"
        "        calls.append([name, line])\n"
        "get_ipython = FakeIPython\n"
        f"exec(compile({code!r}, '<install cell>', 'exec'))\n"
        "from matplotlib import font_manager, rcParams\n"
        "print(json.dumps({'calls': calls, 'font': font_manager.findfont(rcParams['font.sans-serif'][0])}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", prog], capture_output=True, text=True, timeout=180, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_install_cell_installs_pins_and_helper_at_commit():
    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    source = colab.install_cell(REPO_URL, SHA, text)
    result = run_install_cell(source)
    (name, line), *rest = result["calls"]
    assert name == "pip" and not rest
    args = shlex.split(line)
    assert args[:2] == ["install", "-q"]
    pins, helper = args[2:-1], args[-1]
    assert helper == f"dlnotes @ git+https://github.com/d2l-notes/d2l-notes@{SHA}"
    assert pins == colab.colab_requirements(text)[0]
    assert result["font"].endswith("NotoSansCJKsc-Regular.otf")


def test_install_cell_rejects_a_branch_name():
    with pytest.raises(ValueError, match="提交号"):
        colab.install_cell(REPO_URL, "main", "numpy==2.4.6\n")


def test_add_install_cell_is_idempotent():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    colab.add_install_cell(nb, "%pip install x==1", intro="说明")
    colab.add_install_cell(nb, "%pip install x==2", intro="说明")
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert nb.cells[1].source == "%pip install x==2" and nb.cells[2].source == "print(1)"
    assert nb.cells[1].metadata["tags"] == [colab.INSTALL_TAG]


def test_publish_layout(tmp_path):
    site = tmp_path / "site"
    for rel in ("chapter_a/page.ipynb", "chapter_b/sub/nb.ipynb", "assets/x.ipynb"):
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        cell = nbformat.v4.new_code_cell("print(2)")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    (site / "chapter_a" / "index.html").write_text("<html></html>")
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.ipynb").write_text("{}")
    written = colab.publish(
        site,
        out,
        repo_url=REPO_URL,
        sha=SHA,
        requirements_text="numpy==2.4.6\ntorch==2.13.0\n",
        site_url="https://d2l-notes.github.io/d2l-notes/",
    )
    assert [p.as_posix() for p in written] == ["chapter_a/page.ipynb", "chapter_b/sub/nb.ipynb"]
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["README.md", "chapter_a/page.ipynb", "chapter_b/sub/nb.ipynb"]
    nb = nbformat.read(out / "chapter_a" / "page.ipynb", as_version=4)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert "https://d2l-notes.github.io/d2l-notes/chapter_a/page/" in nb.cells[0].source
    assert SHA in nb.cells[1].source and "torch==" not in nb.cells[1].source.split("%pip")[1]
    assert nb.cells[2].outputs[0]["text"] == "2\n"  # 构建时的输出保留
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert colab.colab_url(REPO_URL, "chapter_b/sub/nb.ipynb") in readme


def test_cli(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "execbook", "colab", "url", REPO_URL, "a/b.ipynb"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.stdout.strip() == colab.colab_url(REPO_URL, "a/b.ipynb")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "execbook",
            "colab",
            "publish",
            str(tmp_path / "none"),
            str(tmp_path / "o"),
            "--repo-url",
            REPO_URL,
            "--sha",
            SHA,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert r.returncode != 0 and "没有构建好的站点" in r.stderr


def test_colab_link_markdown():
    link = colab.colab_link_markdown(REPO_URL, "chapter_a/page.ipynb")
    assert link == (
        "[:simple-googlecolab: 在 Colab 中运行]("
        + colab.colab_url(REPO_URL, "chapter_a/page.ipynb")
        + "){ .dl-colab target=_blank rel=noopener }"
    )
    assert colab.colab_link_markdown("https://gitlab.com/a/b", "x.ipynb") == ""
    assert colab.colab_link_markdown(None, "x.ipynb") == ""
