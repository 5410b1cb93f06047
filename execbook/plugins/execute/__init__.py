"""MkDocs 插件 ``execbook-execute``：运行页面与 notebook 的代码块，把输出嵌入页面，提供 notebook 下载。

按职责分成几个模块（插件本身只有配置与事件，其余交给它们）：

- ``config``：mkdocs.yml 中的设置；
- ``plugin``：MkDocs 事件，经引擎的 ``Session`` 运行页面；
- ``pages``：本次构建的页面（每个源文件只读一次、notebook 成为页面、下载用的 notebook 文件）；
- ``render``：一页的输出 HTML（按 MIME 渲染、每页上限）与其中的训练记录；
- ``splice``：把输出放进页面（围栏行号、构建检查折叠框、占位注释、页面顶部的下载与来源说明）；
- ``serve``：``mkdocs serve`` 的后台运行（页面先显示，算完一页刷新一页）；
- ``notebook_page``：notebook → 页面的 Markdown（与 Markdown 页面同样的代码块与输出，cell 标签 remove-*/hide-*）；
- ``renderers``：只属于本书的输出类型（训练记录）与按站点设置渲染的 ``text/markdown``，登记到引擎。
"""

from .config import ExecuteConfig
from .plugin import ExecutePlugin

__all__ = ["ExecuteConfig", "ExecutePlugin"]
