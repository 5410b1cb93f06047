"""execbook 的命令行（唯一的入口）::

python -m execbook run [--shard i/n] [--rerun] [路径 ...]      # 只执行页面，填执行缓存
python -m execbook merge 分片缓存 … --into 目标缓存               # 合并分片的执行缓存（核对校验和）
python -m execbook diff BASE_CACHE HEAD_CACHE [--out 摘要.md]    # 两份缓存的输出对比
python -m execbook report [build-summary.json]                  # 构建摘要 → Markdown
python -m execbook changed [--list] [文件 …] [-- pytest 参数 …]  # 只运行改动涉及的页面
python -m execbook colab publish|url …                          # Colab 的 notebook 与链接
python -m execbook pdf [site] [-o 文件.pdf]                       # 整本书的 PDF（先 mkdocs build）
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .engine.shard import env_shard, parse_shard


def _run(args) -> int:
    from .run_pages import run_pages

    try:
        shard = parse_shard(args.shard) if args.shard else env_shard()
    except ValueError as exc:
        raise SystemExit(f"python -m execbook run: error: {exc}") from None
    return run_pages(args.paths, shard, args.rerun)


def _merge(args) -> int:
    from .engine.cache import Cache

    stats = Cache(args.into).merge(args.sources)
    print(
        f"execbook: 合并了 {len(args.sources)} 个缓存 → {args.into}："
        f"新增 {stats['added']} 个条目，已有 {stats['present']} 个，坏的 {len(stats['bad'])} 个"
    )
    for msg in stats["bad"]:
        print(f"ERROR   -  execbook: {msg}", file=sys.stderr)
    return 1 if stats["bad"] else 0


def _diff(args) -> int:
    from .engine.protocol import EXEC_DIR
    from .reports.cache_diff import compare_caches, render_markdown

    for d in (args.base, args.head):
        if not (Path(d) / EXEC_DIR).is_dir():
            print(f"提示：{d} 中没有执行缓存（{d}/{EXEC_DIR}/），按空缓存比较", file=sys.stderr)
    diffs, info = compare_caches(args.base, args.head)
    text = render_markdown(diffs, info, title=args.title)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _report(args) -> int:
    from .engine.protocol import summary_path
    from .paths import cache_dir
    from .reports.build_report import load_summary, report_markdown

    path = Path(args.summary) if args.summary else summary_path(cache_dir())
    sys.stdout.write(report_markdown(load_summary(path)))
    return 0


def _changed(args) -> int:
    from . import changed_pages as cp

    files = args.files if args.files else cp.git_changed_files(cp.REPO_ROOT)
    sel = cp.select_pages(files, cp.REPO_ROOT)
    if sel.empty:
        print("dlnotes-changed-pages：改动的文件不涉及任何页面的代码，不需要运行页面。")
        return 0
    for reason in sel.reasons:
        print(reason)
    if args.list:
        print("\n".join(sel.pages))
        return 0
    cmd = cp.pytest_command(sel, args.extra)
    shown = f"<全部 {len(sel.pages)} 个页面>" if sel.all_pages else " ".join(sel.pages)
    print(f"运行：python -m pytest {shown} -q", flush=True)
    code = cp.subprocess.run(cmd, cwd=cp.REPO_ROOT).returncode
    if code == 5:  # pytest：没有收集到测试——这些页面里没有 python 代码块
        print("这些页面里没有要运行的 python 代码块。")
        return 0
    return code


def _colab(args) -> int:
    from .reports.colab import colab_url, publish

    if args.cmd == "url":
        print(colab_url(args.repo_url, args.nb_path, args.branch))
        return 0
    written = publish(
        args.site_dir,
        args.out_dir,
        repo_url=args.repo_url,
        sha=args.sha,
        requirements_text=Path(args.requirements).read_text(encoding="utf-8"),
        site_url=args.site_url,
    )
    if not written:
        print(
            f"{args.site_dir} 中没有 .ipynb：站点构建是否生成了下载用的 notebook？", file=sys.stderr
        )
        return 1
    print(json.dumps({"notebooks": len(written), "out_dir": str(args.out_dir)}, ensure_ascii=False))
    return 0


def _pdf(args) -> int:
    from .reports.pdf import PDF_NAME, build_pdf

    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"{site}/index.html 不存在：先运行 mkdocs build", file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else site / PDF_NAME
    report = build_pdf(site, out, config=Path(args.config) if args.config else None)
    print(report.summary())
    if args.json:
        fields = {k: str(v) if isinstance(v, Path) else v for k, v in vars(report).items()}
        print(json.dumps(fields, ensure_ascii=False))
    return 0


def _parser() -> argparse.ArgumentParser:
    from .reports.colab import COLAB_BRANCH

    ap = argparse.ArgumentParser(prog="python -m execbook", description="execbook 执行引擎的命令行")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="只执行页面（填执行缓存），写构建摘要")
    p.add_argument("paths", nargs="*", type=Path, help="页面、notebook 或目录（默认 docs/）")
    p.add_argument("--shard", metavar="i/n", help="只运行第 i 个（共 n 个）分片的页面")
    p.add_argument("--rerun", action="store_true", help="忽略执行缓存，全部重新运行")
    p.set_defaults(fn=_run)
    p = sub.add_parser("merge", help="合并几个分片的执行缓存（核对每个条目的校验和）")
    p.add_argument("sources", nargs="+", type=Path, help="分片的缓存目录（$DLNOTES_CACHE_DIR）")
    p.add_argument("--into", type=Path, required=True, help="合并到这个缓存目录")
    p.set_defaults(fn=_merge)
    p = sub.add_parser("diff", help="比较两份执行缓存的输出，写出 Markdown 摘要")
    p.add_argument("base", help="基准缓存目录（例如 main 的 .cache/dlnotes）")
    p.add_argument("head", help="新缓存目录（例如本拉取请求的 .cache/dlnotes）")
    p.add_argument("--out", help="写到这个文件（追加）；默认打印到标准输出")
    p.add_argument("--title", default="输出对比：main → 本拉取请求")
    p.set_defaults(fn=_diff)
    p = sub.add_parser("report", help="把构建摘要写成「构建报告」Markdown")
    p.add_argument("summary", nargs="?", help="build-summary.json（默认：执行缓存目录中的那份）")
    p.set_defaults(fn=_report)
    p = sub.add_parser("changed", help="只运行改动的文件涉及的页面（pre-commit 钩子）")
    p.add_argument("files", nargs="*", help="改动的文件（不给时用 git 找出改动）")
    p.add_argument("--list", action="store_true", help="只列出要运行的页面，不运行")
    p.set_defaults(fn=_changed)
    p = sub.add_parser("colab", help="Colab 的 notebook 与链接")
    csub = p.add_subparsers(dest="cmd", required=True)
    c = csub.add_parser("publish", help="把站点中的 .ipynb 加上安装 cell，放进发布目录")
    c.add_argument("site_dir")
    c.add_argument("out_dir")
    c.add_argument("--repo-url", required=True)
    c.add_argument("--sha", required=True)
    c.add_argument("--requirements", default="requirements.txt")
    c.add_argument("--site-url")
    c = csub.add_parser("url", help="打印一个 notebook 的 Colab 地址")
    c.add_argument("repo_url")
    c.add_argument("nb_path")
    c.add_argument("--branch", default=COLAB_BRANCH)
    p.set_defaults(fn=_colab)
    p = sub.add_parser("pdf", help="把构建好的站点打印成一本 PDF（输出、公式、图，嵌入中文字体）")
    p.add_argument("site", nargs="?", default="site", help="构建好的站点目录（默认 site）")
    p.add_argument("-o", "--out", help="PDF 的路径（默认 <site>/d2l-notes.pdf，随站点发布）")
    p.add_argument("--config", help="mkdocs.yml（导航顺序；默认仓库里的）")
    p.add_argument("--json", action="store_true", help="最后一行另外打印报告的 JSON（测试用）")
    p.set_defaults(fn=_pdf)
    return ap


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:  # changed：-- 之后的参数原样交给 pytest
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1 :]
    args = _parser().parse_args(argv)
    args.extra = extra
    return args.fn(args)


if __name__ == "__main__":
    raise SystemExit(main())
