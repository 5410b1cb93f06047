"""比较两份执行缓存的输出，写出 Markdown 摘要（给拉取请求的审阅者看：这次改动让哪些输出变了）。

    python -m execbook diff BASE_CACHE_DIR HEAD_CACHE_DIR [--out summary.md]

缓存条目经引擎的缓存接口读取与核对（``engine/cache.py``：条目的格式只在那里定义）。
两次运行的缓存键不同，所以按（页面, 行号）配对，每个（页面, 行号）取文件修改时间最新的那个条目；
同一个键在两边都有，就是同一次运行的输出，直接算作不变。缓存目录里的 build-summary.json 若为某页
列出了这次用到的键（可选字段 ``pages[].keys``），这一页就只看这些条目。

输出既接受 nbformat 的形式（``{"output_type": "stream", "name", "text"}``、
``{"output_type": "display_data"|"execute_result", "data": {mime: 值}}``），也接受引擎早先的精简形式
（``{"type": "stream", ...}``）。比较的内容：

- 文字（流输出与 ``text/plain``）：统一差异（unified diff）；
- 图（``image/svg+xml``、``image/png`` 等）：逐字节比较，报告「改变 / 不变」与大小；
- 实验结果（``application/vnd.dlnotes.result+json``）：按模型名配对，列出数值的新旧值与变化。

只读、不导入 torch、不启动内核；两份缓存都不会被修改。
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.cache import Cache
from ..engine.protocol import DEPENDENCY_MIME, RESULT_MIME

# 不属于页面输出的 MIME（数据依赖报告由引擎从渲染输出中拿掉，只用来判断缓存是否过期）
IGNORED_MIME = (DEPENDENCY_MIME,)
IMAGE_PREFIX = "image/"
MAX_DIFF_LINES = 60  # 每个块的文字差异最多显示的行数
MAX_SUMMARY_CHARS = 900_000  # GitHub 的作业摘要上限是 1 MiB


# ---------------------------------------------------------------- 读缓存


@dataclass
class Entry:
    key: str
    page: str
    lineno: int
    outputs: list
    provenance: dict
    mtime: float


def _join(value) -> str:
    """nbformat 的多行字符串可以是字符串列表。"""
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return "" if value is None else str(value)


def current_keys(root: Path | str) -> dict[str, set[str]]:
    """``<目录>/build-summary.json`` 中各页这次用到的缓存键（可选字段 ``pages[].keys``）。

    有它时只比较这些条目：缓存里同一页的旧条目（例如块移动了位置之前的）不会被当成现在的输出。
    """
    path = Path(root) / "build-summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    keys = {}
    for page in data.get("pages") or []:
        if isinstance(page, dict) and isinstance(page.get("keys"), list) and page.get("page"):
            keys[str(page["page"])] = {str(k) for k in page["keys"] if k}
    return keys


def load_cache(root: Path | str) -> tuple[dict[tuple[str, int], Entry], list[str]]:
    """缓存目录 → ({(页面, 行号): 最新条目}, 读不了的文件)。目录不存在时两者都为空。

    构建摘要列出了某页的缓存键时，这一页只取这些键的条目（见 ``current_keys``）。
    """
    root = Path(root)
    only = current_keys(root)
    latest: dict[tuple[str, int], Entry] = {}
    bad: list[str] = []
    for path, entry in Cache(root).entries():
        try:
            if isinstance(entry, ValueError):
                raise entry
            payload = entry["payload"]
            e = Entry(
                key=str(payload["key"]),
                page=str(payload["page"]),
                lineno=int(payload["lineno"]),
                outputs=list(payload.get("outputs") or []),
                provenance=dict(payload.get("provenance") or {}),
                mtime=path.stat().st_mtime,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            bad.append(
                f"{path.relative_to(root).as_posix()}（{str(exc).replace(str(path) + '：', '')}）"
            )
            continue
        if e.page in only and e.key not in only[e.page]:
            continue
        old = latest.get((e.page, e.lineno))
        if old is None or (e.mtime, e.key) > (old.mtime, old.key):
            latest[(e.page, e.lineno)] = e
    return latest, bad


# ---------------------------------------------------------------- 整理输出


@dataclass
class Outputs:
    """一个块的输出，拆成可比较的几部分。"""

    text: str = ""
    images: list[tuple[str, str, int]] = field(default_factory=list)  # (mime, sha256, 字节数)
    results: list[dict] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)  # (mime, sha256)


def split_outputs(outputs: list) -> Outputs:
    out = Outputs()
    texts: list[str] = []
    for o in outputs:
        kind = o.get("output_type") or o.get("type")
        if kind == "stream":
            name = o.get("name", "stdout")
            text = _join(o.get("text"))
            texts.append(
                text
                if name == "stdout"
                else "".join(f"[{name}] {line}" for line in text.splitlines(True))
            )
        elif kind in ("display_data", "execute_result"):
            data = o.get("data") or {}
            if RESULT_MIME in data:
                rec = data[RESULT_MIME]
                out.results.append(rec if isinstance(rec, dict) else {"value": rec})
                continue  # 它的 text/plain 只是结果的一行摘要
            images = [m for m in data if m.startswith(IMAGE_PREFIX)]
            for mime in images:
                raw = _join(data[mime]).encode()
                out.images.append((mime, hashlib.sha256(raw).hexdigest(), len(raw)))
            if images:
                continue  # 图的 text/plain 是 <Figure size ...>，不比较
            if "text/plain" in data:
                texts.append(_join(data["text/plain"]).rstrip("\n") + "\n")
            for mime in sorted(data):
                if mime == "text/plain" or mime in IGNORED_MIME:
                    continue
                raw = (
                    json.dumps(data[mime], sort_keys=True)
                    if not isinstance(data[mime], str | list)
                    else _join(data[mime])
                )
                out.other.append((mime, hashlib.sha256(raw.encode()).hexdigest()))
        elif kind == "error":
            texts.append(f"[error] {o.get('ename', '')}: {o.get('evalue', '')}\n")
    out.text = "".join(texts)
    return out


# ---------------------------------------------------------------- 比较


def _number(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    return None


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def results_changes(base: list[dict], head: list[dict]) -> list[tuple[str, str, object, object]]:
    """两组实验结果记录 → [(模型名, 字段, 旧值, 新值)]，只列变了的字段。按 name 配对（没有 name 按位置）。"""

    def by_name(records):
        named = {}
        for i, r in enumerate(records):
            named[str(r.get("name", f"#{i + 1}"))] = r
        return named

    b, h = by_name(base), by_name(head)
    rows = []
    for name in list(b) + [n for n in h if n not in b]:
        rb, rh = b.get(name), h.get(name)
        if rb is None or rh is None:
            rows.append((name, "（记录）", "有" if rb else None, "有" if rh else None))
            continue
        for k in list(rb) + [k for k in rh if k not in rb]:
            if k == "name":
                continue
            if rb.get(k) != rh.get(k):
                rows.append((name, k, rb.get(k), rh.get(k)))
    return rows


@dataclass
class BlockDiff:
    page: str
    lineno: int
    status: str  # changed | added | removed | unchanged
    text_diff: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # 每张图一句话
    images_changed: int = 0
    results: list[tuple[str, str, object, object]] = field(default_factory=list)
    other_changed: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        if self.status == "added":
            return "新增的块"
        if self.status == "removed":
            return "已不存在的块"
        parts = []
        if self.text_diff:
            parts.append("文字输出改变")
        if self.images_changed:
            parts.append(f"{self.images_changed} 张图改变")
        if self.results:
            parts.append("实验结果改变")
        if self.other_changed:
            parts.append("其他输出改变（" + "、".join(self.other_changed) + "）")
        return "、".join(parts) or "输出不变"


def compare_block(base: Entry | None, head: Entry | None) -> BlockDiff:
    page, lineno = (head or base).page, (head or base).lineno
    if base is not None and head is not None and base.key == head.key:
        return BlockDiff(page, lineno, "unchanged")
    b = split_outputs(base.outputs) if base else Outputs()
    h = split_outputs(head.outputs) if head else Outputs()
    status = "added" if base is None else "removed" if head is None else "changed"
    d = BlockDiff(page, lineno, status)
    if b.text != h.text:
        lines = list(
            difflib.unified_diff(
                b.text.splitlines(), h.text.splitlines(), "main", "PR", lineterm="", n=2
            )
        )
        if len(lines) > MAX_DIFF_LINES:
            more = len(lines) - MAX_DIFF_LINES
            lines = lines[:MAX_DIFF_LINES] + [f"… 另有 {more} 行差异未显示"]
        d.text_diff = lines
    n = max(len(b.images), len(h.images))
    for i in range(n):
        bi = b.images[i] if i < len(b.images) else None
        hi = h.images[i] if i < len(h.images) else None
        label = f"图 {i + 1}"
        if bi is None:
            d.images.append(f"{label}：新增（{hi[0]}，{hi[2]} 字节）")
            d.images_changed += 1
        elif hi is None:
            d.images.append(f"{label}：已移除（{bi[0]}，{bi[2]} 字节）")
            d.images_changed += 1
        elif bi[1] != hi[1]:
            d.images.append(f"{label}：改变（{bi[2]} → {hi[2]} 字节）")
            d.images_changed += 1
        else:
            d.images.append(f"{label}：不变")
    d.results = results_changes(b.results, h.results)
    bo, ho = dict(b.other), dict(h.other)
    d.other_changed = sorted(m for m in set(bo) | set(ho) if bo.get(m) != ho.get(m))
    if status == "changed" and not (
        d.text_diff or d.images_changed or d.results or d.other_changed
    ):
        d.status = "unchanged"  # 重新运行了，但输出逐字节相同
    return d


def compare_caches(base_dir: Path | str, head_dir: Path | str) -> tuple[list[BlockDiff], dict]:
    """两份缓存 → (每个块的比较结果（按页面、行号排序）, 统计信息)。"""
    base, base_bad = load_cache(base_dir)
    head, head_bad = load_cache(head_dir)
    diffs = [compare_block(base.get(k), head.get(k)) for k in sorted(set(base) | set(head))]
    info = {
        "base_blocks": len(base),
        "head_blocks": len(head),
        "base_unreadable": base_bad,
        "head_unreadable": head_bad,
    }
    return diffs, info


# ---------------------------------------------------------------- Markdown


def _md_cell(v) -> str:
    return _fmt(v).replace("|", "\\|").replace("\n", " ")


def _change(old, new) -> str:
    a, b = _number(old), _number(new)
    if a is None or b is None:
        return ""
    delta = b - a
    sign = "+" if delta > 0 else ""
    return f"{sign}{delta:.4g}"


def _fence(lines: list[str]) -> list[str]:
    longest = max((len(x) - len(x.lstrip("`")) for x in lines), default=0)
    ticks = "`" * max(3, longest + 1)
    return [ticks + "diff", *lines, ticks]


def _results_table(changed: list[BlockDiff]) -> list[str]:
    """改变了的实验结果：一行一个（页面:行号、模型、字段、新旧值与变化）。"""
    rows = [(d, r) for d in changed for r in d.results]
    if not rows:
        return []
    out = [
        "### 实验结果",
        "",
        "| 页面 | 模型 | 字段 | main | 本拉取请求 | 变化 |",
        "|---|---|---|---:|---:|---:|",
    ]
    for d, (name, k, old, new) in rows:
        out.append(
            f"| `{d.page}:{d.lineno}` | {_md_cell(name)} | {_md_cell(k)} | {_md_cell(old)} "
            f"| {_md_cell(new)} | {_change(old, new)} |"
        )
    return out + [""]


def _block_details(page: str, d: BlockDiff) -> list[str]:
    """一个改变了的块：折叠的 <details>，写明图、实验结果、其他输出与文字差异。"""
    out = [f"<details><summary><code>{page}:{d.lineno}</code>：{d.headline}</summary>", ""]
    if d.images:
        out += ["图：" + "；".join(d.images) + "。", ""]
    if d.results:
        parts = "；".join(f"{n} 的 {k}：{_fmt(a)} → {_fmt(b)}" for n, k, a, b in d.results)
        out += ["实验结果：" + parts + "。", ""]
    if d.other_changed:
        out += ["其他输出改变：" + "、".join(f"`{m}`" for m in d.other_changed) + "。", ""]
    if d.text_diff:
        out += _fence(d.text_diff) + [""]
    return out + ["</details>", ""]


def _header(diffs: list[BlockDiff], info: dict, title: str) -> list[str]:
    counts = {
        s: sum(1 for d in diffs if d.status == s)
        for s in ("changed", "added", "removed", "unchanged")
    }
    pages = {d.page for d in diffs}
    out = [f"## {title}", ""]
    out.append(
        f"比较了 {len(pages)} 页、{len(diffs)} 个代码块（按「页面:行号」配对）："
        f"{counts['changed']} 块输出改变，{counts['added']} 块新增，{counts['removed']} 块已不存在，"
        f"{counts['unchanged']} 块不变。"
    )
    out.append("")
    for side, key in (("main", "base_unreadable"), ("本拉取请求", "head_unreadable")):
        if info.get(key):
            out.append(
                f"> {side} 的缓存中有 {len(info[key])} 个条目读不了，已忽略：{info[key][0]} …"
            )
            out.append("")
    return out


def render_markdown(
    diffs: list[BlockDiff], info: dict, *, title: str = "输出对比：main → 本拉取请求"
) -> str:
    changed = [d for d in diffs if d.status != "unchanged"]
    out = _header(diffs, info, title)
    if not info.get("base_blocks") and diffs:
        out.append("没有可比较的基准缓存（main 还没有保存过执行缓存），这次不列出逐块差异。")
        return "\n".join(out) + "\n"
    if not changed:
        out.append("没有输出改变。")
        return "\n".join(out) + "\n"
    out += _results_table(changed)
    out += ["### 各页", ""]
    for page in sorted({d.page for d in diffs}):
        page_diffs = [d for d in changed if d.page == page]
        if page_diffs:
            out += [f"#### `{page}`", ""]
            for d in page_diffs:
                out += _block_details(page, d)
    text = "\n".join(out)
    if len(text) > MAX_SUMMARY_CHARS:
        cut = text.rfind("\n<details>", 0, MAX_SUMMARY_CHARS)
        text = text[: cut if cut > 0 else MAX_SUMMARY_CHARS] + "\n\n……摘要过长，其余的块未显示。\n"
    return text
