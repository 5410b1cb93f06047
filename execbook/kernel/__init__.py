"""在执行引擎的每个 Jupyter 内核里运行的代码（IPython ``exec_lines = ["import execbook.kernel.startup"]``）。

- ``startup``：固定随机种子，登记中文字体；
- ``import_hooks``：某个模块第一次导入之后运行一个函数（不为没用到的页面预先导入 torch/matplotlib）；
- ``fonts``：matplotlib 的中文字体（mplfonts 的 Noto Sans CJK SC）。

这几个文件的源码进入每个块的缓存键（``engine/fingerprint.py`` 的 ``KERNEL_STARTUP_MODULES``）：改动它们，输出重算。
"""
