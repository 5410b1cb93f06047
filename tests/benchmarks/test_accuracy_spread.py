"""「跑法不同时的精度」表（issue 24）：由基准的记录生成，与记录一致，覆盖结果页的每个模型，且都达到目标。

``benchmarks/bench_accuracy_spread.py`` 在 1/2 个线程 × 3 个种子上运行每个训练程序，把每次运行写进提交的
JSON；``--table … --write`` 从这些 JSON 生成 ``docs/_includes/accuracy-spread.md``（结果页嵌入它，README
显示同一张表）。这里不训练，只核对：表就是从它第一行点名的 JSON 生成的（没有手改、没有过时），README
里是同一张表，结果页的每个有原书数字的模型都在表里，每个模型的最小比值都不低于目标。
"""

from __future__ import annotations

import importlib.util
import re

import pytest

from conftest import REPO

SCRIPT = REPO / "benchmarks" / "bench_accuracy_spread.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_accuracy_spread", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table_text(bench):
    path = REPO / bench.TABLE_FILE
    assert path.is_file(), (
        f"{bench.TABLE_FILE} 不存在：运行 bench_accuracy_spread.py --table … --write"
    )
    return path.read_text(encoding="utf-8")


def sources(bench, text: str):
    first = text.splitlines()[0]
    m = re.fullmatch(rf"<!-- {re.escape(bench.GENERATED)} (.+) -->", first)
    assert m, f"{bench.TABLE_FILE} 第 1 行应是生成它的命令，实际是：{first}"
    return [REPO / p for p in m.group(1).split()]


def test_table_is_generated_from_the_committed_runs(bench, table_text):
    paths = sources(bench, table_text)
    assert all(p.is_file() for p in paths), paths
    runs, headers = bench.merged_runs(paths)
    assert table_text == bench.markdown_table(runs, headers, paths), (
        f"{bench.TABLE_FILE} 与 {[p.name for p in paths]} 生成的表不同：重新运行 --table … --write"
    )


def test_readme_shows_the_same_table(bench, table_text):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = [line for line in table_text.splitlines() if line.startswith("| `")]
    missing = [row for row in rows if row not in readme]
    assert rows and not missing, "README 的精度分布表与生成的表不同：\n" + "\n".join(missing)


def test_results_page_includes_it(bench):
    page = (REPO / "docs" / "appendix" / "results.md").read_text(encoding="utf-8")
    assert f'--8<-- "{bench.TABLE_FILE}"' in page


def test_every_model_with_a_book_number_is_measured_and_reaches_the_target(bench, table_text):
    from execbook.reports.results_table import TARGET, load_references

    runs, _ = bench.merged_runs(sources(bench, table_text))
    summary = bench.summarize(runs)
    measured = {bench.reference(r["name"]).key for r in runs if bench.reference(r["name"])}
    unmeasured = [ref.key for ref in load_references() if ref.key not in measured]
    assert not unmeasured, f"这些有原书数字的模型没有精度分布的测量：{unmeasured}"
    for model, s in summary.items():
        assert s["runs"] >= 6, f"{model}: 只有 {s['runs']} 次运行（要 1/2 个线程 × 3 个种子）"
    below = {m: s["ratio"]["min"] for m, s in summary.items() if s["ratio"]["min"] < TARGET}
    assert not below, f"最小比值低于 {TARGET}：{below}"


def test_the_comparison_can_fail(bench, table_text, tmp_path):
    """探针：改动记录里的一个精度，生成的表就不同。"""
    import json

    paths = sources(bench, table_text)
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    data["runs"][0]["test_acc"] -= 0.05
    changed = tmp_path / paths[0].name
    changed.write_text(json.dumps(data), encoding="utf-8")
    runs, headers = bench.merged_runs([changed, *paths[1:]])
    assert bench.markdown_table(runs, headers, paths) != table_text
