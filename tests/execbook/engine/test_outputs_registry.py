"""输出渲染器的登记（engine/outputs.py）：按优先级选类型，新类型（公式）与没有渲染器时的警告。"""

from __future__ import annotations

import pytest

from execbook.engine.outputs import (
    Budget,
    OutputLimits,
    OutputWarning,
    register,
    render_block,
    render_output,
)


def _display(data: dict) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": {}}


def test_latex_output_becomes_display_math_for_mathjax():
    html, _ = render_output(_display({"text/latex": "$$x^2 < 1$$"}), OutputLimits(), 10_000)
    assert html.startswith('<div class="arithmatex"') and "\\[x^2 &lt; 1\\]" in html


def test_latex_with_single_dollars_loses_them():
    html, _ = render_output(_display({"text/latex": "$a+b$"}), OutputLimits(), 10_000)
    assert "\\[a+b\\]" in html and "$" not in html


def test_svg_outranks_plain_text():
    data = {"text/plain": "<Figure>", "image/svg+xml": "<svg></svg>"}
    html, _ = render_output(_display(data), OutputLimits(), 10_000)
    assert "<svg></svg>" in html and "&lt;Figure&gt;" not in html


def test_unknown_type_falls_back_to_plain_text():
    data = {"application/x-unknown": "{}", "text/plain": "plain fallback"}
    html, _ = render_output(_display(data), OutputLimits(), 10_000)
    assert "plain fallback" in html


def test_unknown_type_without_fallback_warns_naming_page_line():
    outputs = [_display({"application/x-unknown": "{}"})]
    with pytest.warns(
        OutputWarning, match=r"docs/p\.md:7: 输出的 MIME 类型（application/x-unknown）"
    ):
        html = render_block(outputs, OutputLimits(), Budget(10_000), "docs/p.md:7")
    assert html == ""


def test_a_registered_renderer_is_used_for_its_type():
    register("application/x-test-box", lambda v, limits, n: (f"<i>{v}</i>", False), 70)
    html, _ = render_output(_display({"application/x-test-box": "hi"}), OutputLimits(), 10_000)
    assert html == "<i>hi</i>"


def test_session_capture_hands_each_warning_to_the_reporter():
    import warnings

    from execbook.engine.session import Session

    seen: list[str] = []
    with Session(warn=seen.append).capture():
        warnings.warn("docs/p.md:3: 第一个", OutputWarning, stacklevel=1)
        warnings.warn("docs/p.md:3: 第一个", OutputWarning, stacklevel=1)
    assert seen == ["docs/p.md:3: 第一个"] * 2
