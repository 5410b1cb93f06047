"""MkDocs 钩子（mkdocs.yml 的 ``hooks:``）：没有 git 仓库的副本也能 ``mkdocs build --strict``。

页面历史（最后更新日期、贡献者）由两个插件从 git 读出：mkdocs-git-revision-date-localized-plugin
（没有 git 记录时用构建日期，``fallback_to_build_date: true``）与 mkdocs-git-authors-plugin。后者在
找不到 git 仓库时，即使设了 ``fallback_to_empty`` 也会记一条警告，使严格构建失败；所以在它之前
（更高的优先级）检查一次：没有 git 仓库（例如从压缩包解开的副本）就关掉它，只显示日期。
"""

from __future__ import annotations

import subprocess

from mkdocs.plugins import event_priority, get_plugin_logger

log = get_plugin_logger("execbook.pagehistory")


def in_git_work_tree(path: str) -> bool:
    """``path`` 是否在一个 git 工作树里（没有安装 git 也算否）。"""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=path,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == "true"


@event_priority(100)  # 在 git-authors 插件的 on_config 之前
def on_config(config):
    plugin = config.plugins.get("git-authors")
    if plugin is not None and not in_git_work_tree(config.docs_dir):
        plugin.config.enabled = False
        log.info("没有 git 仓库：页面不显示贡献者（最后更新日期用构建日期）")
    return config
