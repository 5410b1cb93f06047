"""读者的路径（issue 21）：浏览器测试共用的检查，在页面里运行的 JavaScript。

- ``PAINT_JS``：正文里每个公式都「画出来了」——不只是 ``data-mathjax="done"``：每个 mjx-container 有大小；
  它的每个字符（MathJax 4 CHTML 的 ``mjx-c``，字符是文字，字体由 CHTML 样式表按类名指定）用的是 MathJax 的
  字体（``MJX-…``，说明 CHTML 样式表的规则还在），而且这些字体都已加载（``document.fonts``）。
  即时导航删掉 CHTML 样式表时（issue 21），字符失去 MJX 字体、宽度与位置，这里就会失败。
- ``RAW_TEX_JS``：正文的文字（代码、键盘、公式之外）里没有 TeX 源码：``$$``、``\\(``、``\\[``、``\\begin{``、
  ``\\frac`` 这类宏，或成对的 ``$…$``。
- ``OVERFLOW_JS``：页面不比屏幕宽（``document.scrollingElement.scrollWidth``），并列出伸出屏幕的元素。
"""

from __future__ import annotations

from conftest import REPO

PAINT_JS = """
async () => {
  await document.fonts.ready;
  const article = document.querySelector('article') || document.body;
  const families = new Map();
  for (const f of document.fonts) families.set(f.family.replace(/["']/g, ''), f.status);
  const bad = [];
  let total = 0;
  for (const c of article.querySelectorAll('mjx-container')) {
    // 折叠的 details、未选中的标签页里的公式不显示，没法检查是否画出
    const host = c.parentElement;
    if (host && host.checkVisibility && !host.checkVisibility()) continue;
    total++;
    const tex = (c.querySelector('mjx-math') || c).getAttribute('data-latex') || c.textContent;
    const r = c.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0)) { bad.push({tex, why: '公式的大小是 0'}); continue; }
    for (const ch of c.querySelectorAll('mjx-math mjx-c')) {
      const fams = getComputedStyle(ch).fontFamily.split(',').map(s => s.trim().replace(/["']/g, ''));
      const foreign = fams.filter(f => !f.startsWith('MJX-'));
      if (foreign.length) { bad.push({tex, why: `字符 ${ch.textContent} 没有 MathJax 字体（${fams.join(', ')}）`}); break; }
      const unloaded = fams.filter(f => families.get(f) !== 'loaded');
      if (unloaded.length === fams.length) { bad.push({tex, why: `字符 ${ch.textContent} 的字体没有加载（${fams.join(', ')}）`}); break; }
    }
  }
  return {total, bad: bad.slice(0, 20), nbad: bad.length};
}
"""

RAW_TEX_JS = r"""
() => {
  const article = document.querySelector('article') || document.body;
  const skip = 'pre, code, kbd, samp, script, style, mjx-container, .arithmatex, .dl-output, .dl-html, .dl-figure, .jp-OutputArea, .headerlink';
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const text = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && n.parentElement.closest(skip)) continue;
    text.push(n.nodeValue);
  }
  const all = text.join('');
  const pattern = /\$\$|\\[()[\]]|\\(?:begin|end)\{|\\(?:frac|mathbf|boldsymbol|sum|prod|partial|sqrt|left|right|cdot|times|mathrm|operatorname|alpha|beta|theta|sigma|lambda|mathbb|hat|top|in|le|ge|nabla|exp|log)(?![a-zA-Z])|(?<![\w$\\])\$(?=\S)[^$\n]{1,200}(?<=\S)\$(?![\w$])/g;
  const hits = [];
  for (const m of all.matchAll(pattern)) {
    hits.push(all.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30).replace(/\s+/g, ' '));
    if (hits.length >= 5) break;
  }
  return hits;
}
"""

OVERFLOW_JS = """
() => {
  const vw = document.documentElement.clientWidth;
  const width = document.scrollingElement.scrollWidth;
  const culprits = [];
  if (width > vw) {
    // 伸出屏幕、而且不在会横向滚动的容器里的元素
    const scrolls = el => { const o = getComputedStyle(el).overflowX; return o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip'; };
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right <= vw + 0.5 || r.width === 0) continue;
      let p = el.parentElement, contained = false;
      while (p && p !== document.body) { if (scrolls(p)) { contained = true; break; } p = p.parentElement; }
      if (contained) continue;
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.classList.length ? '.' + [...el.classList].join('.') : '');
      culprits.push(`${name} 右边到 ${Math.round(r.right)} px：${(el.textContent || '').trim().slice(0, 50)}`);
      if (culprits.length >= 5) break;
    }
  }
  return {width, viewport: vw, culprits};
}
"""


MATH_ERRORS_JS = """
() => {
  const out = [];
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.document) return out;
  for (const item of MathJax.startup.document.math) {
    const root = item.typesetRoot;
    const err = root && root.querySelector && root.querySelector('mjx-merror');
    if (err) out.push({tex: item.math, error: err.getAttribute('data-mjx-error') || err.textContent});
  }
  return out;
}
"""


def source_line(page_url: str, tex: str) -> str:
    """在页面源文件中找出公式所在的行（找不到就只给页面）。"""
    stem = page_url.rstrip("/") or "index"
    for cand in (REPO / "docs" / f"{stem}.md", REPO / "docs" / stem / "index.md"):
        if cand.exists():
            needle = tex.strip().split("\n")[0][:40]
            for i, line in enumerate(cand.read_text(encoding="utf-8").split("\n"), start=1):
                if needle and needle in line:
                    return f"docs/{cand.relative_to(REPO / 'docs').as_posix()}:{i}"
            return f"docs/{cand.relative_to(REPO / 'docs').as_posix()}"
    return page_url


class PageVisit:
    def __init__(self, page, base):
        self.page, self.base = page, base
        self.console, self.failed, self.external, self.bad_status = [], [], [], []
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on(
            "response",
            lambda r: self.bad_status.append(f"{r.url} → {r.status}") if r.status >= 400 else None,
        )
        page.on(
            "request",
            lambda r: (
                self.external.append(r.url)
                if not (
                    r.url.startswith(base) or r.url.startswith("data:") or r.url.startswith("blob:")
                )
                else None
            ),
        )


IMAGES_JS = """
async () => {
  await Promise.all([...document.images].map(i => i.complete ? 0 :
    new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
  return [...document.images].filter(i => i.naturalWidth === 0).map(i => i.src);
}
"""

UNRENDERED_JS = """
() => Array.from(document.querySelectorAll('.arithmatex'))
  .filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.slice(0, 80))
"""


def walk_by_clicking(
    browser, base: str, scheme: str, width: int = 390, height: int = 844, toggle: bool = False
) -> dict:
    """像读者一样读完整个站点：打开首页，然后一直点页脚的「下一页」，直到最后一页。

    每次点击都必须是即时导航（同一个文档：页面里的标记还在，没有新的整页加载）。每到一页，等 MathJax
    排完版，检查：公式都排了版、没有公式错误（未定义的宏……，指出源文件的行）、都画出来了（PAINT_JS）、
    正文里没有 TeX 源码（RAW_TEX_JS）、页面不比屏幕宽（OVERFLOW_JS）、没有坏图、没有控制台错误、
    没有失败的请求、没有离开站点的请求。
    ``toggle=True`` 时每页查完后再像读者一样点页眉的配色开关，在另一种配色下把公式与宽度再查一遍，
    然后带着这种配色点「下一页」：一次走完，每页两种配色都查过（起始配色逐页交替）。
    返回 {"pages": [地址…], "formulas": 检查过的公式数, "problems": ["地址: 问题", …],
    "schemes": {配色: 查过的页数}}。
    """
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme=scheme, device_scale_factor=1
    )
    page = ctx.new_page()
    visit = PageVisit(page, base)
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    problems: list[str] = []
    visited: list[str] = []
    formulas = 0
    want = "slate" if scheme == "dark" else "default"
    schemes = {"default": 0, "slate": 0}
    try:
        page.goto(base, wait_until="load")
        page.evaluate("() => { window.__dlWalk = 'same-document'; }")
        done = 0  # 上一页结束时完成的排版次数：每次点击之后至少要再完成一次
        while True:
            url = page.url.split("#")[0]
            here = url[len(base) :] if url.startswith(base) else url
            visited.append(here)
            if not _wait(
                page,
                "n => (window.dlTypesetCount || 0) > n && document.body.dataset.mathjax === 'done'",
                done,
                60000,
            ):
                problems.append(f"{here}: MathJax 没有完成排版")
            state = page.evaluate(
                "() => ({marker: window.__dlWalk, loads: performance.getEntriesByType('navigation').length,"
                " scheme: document.body.getAttribute('data-md-color-scheme')})"
            )
            if state["marker"] != "same-document" or state["loads"] != 1:
                problems.append(f"{here}: 点击后整页重新加载了（即时导航没有打开）")
                page.evaluate("() => { window.__dlWalk = 'same-document'; }")
            if state["scheme"] != want:
                problems.append(f"{here}: 配色是 {state['scheme']}，不是 {want}")
            for e in page.evaluate(MATH_ERRORS_JS):
                problems.append(
                    f"{here}: {source_line(here, e['tex'])}: 公式错误 {e['error']!r}：{e['tex'][:120]!r}"
                )
            for tex in page.evaluate(UNRENDERED_JS):
                problems.append(f"{here}: 公式没有被排版：{tex!r}")
            formulas += _paint_and_width(page, here, want, problems)
            schemes[want] += 1
            problems += [f"{here}: 正文里有 TeX 源码：「{t}」" for t in page.evaluate(RAW_TEX_JS)]
            if toggle:
                want = "default" if want == "slate" else "slate"
                page.locator("form[data-md-component=palette] label:visible").first.click()
                if not _wait(
                    page, "w => document.body.getAttribute('data-md-color-scheme') === w", want, 5000
                ):
                    problems.append(f"{here}: 点配色开关后配色没有变成 {want}")
                _paint_and_width(page, here, want, problems)
                schemes[want] += 1
            problems += [f"{here}: 坏图 {src}" for src in page.evaluate(IMAGES_JS)]
            problems += [f"{here}: 控制台错误 {m[:200]}" for m in visit.console]
            problems += [f"{here}: 控制台 {w[:200]}" for w in warnings if "MathJax" in w]
            problems += [f"{here}: 请求失败 {m}" for m in visit.failed + visit.bad_status]
            problems += [f"{here}: 离开站点的请求 {m}" for m in visit.external]
            for found in (visit.console, visit.failed, visit.bad_status, visit.external, warnings):
                found.clear()
            nxt = page.locator("a.md-footer__link--next")
            if nxt.count() == 0:
                break
            target = nxt.first.get_attribute("href").split("#")[0]
            done = page.evaluate("window.dlTypesetCount || 0")
            nxt.first.click()
            page.wait_for_function(
                "t => location.href.split('#')[0] === t", arg=target, timeout=30000
            )
    finally:
        ctx.close()
    return {"pages": visited, "formulas": formulas, "problems": problems, "schemes": schemes}


def _wait(page, predicate: str, arg, timeout_ms: int) -> bool:
    """等页面里的 ``predicate(arg)`` 成立；超时返回 False（由调用者记成这一页的问题，走查继续）。"""
    try:
        page.wait_for_function(predicate, arg=arg, timeout=timeout_ms)
    except Exception:
        return False
    return True


def _paint_and_width(page, here: str, scheme: str, problems: list[str]) -> int:
    """这一页在当前配色下：公式都画出来了（PAINT_JS）、页面不比屏幕宽（OVERFLOW_JS）。返回查过的公式数。"""
    paint = page.evaluate(PAINT_JS)
    problems += [
        f"{here}: （{scheme}）公式没有画出来（{b['why']}）：{b['tex'][:80]!r}" for b in paint["bad"]
    ]
    over = page.evaluate(OVERFLOW_JS)
    if over["width"] > over["viewport"]:
        problems.append(
            f"{here}: （{scheme}）页面宽 {over['width']} px，比 {over['viewport']} px 的屏幕宽："
            + "；".join(over["culprits"])
        )
    return paint["total"]
