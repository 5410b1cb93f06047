"""由构建的产物生成的页面与报告（从不手写）：

- ``build_report``：「构建报告」附录页（构建摘要 → HTML / Markdown）；
- ``results_table``：「实验结果」表（训练记录 → HTML，对照原书的参考数字）；
- ``glossary``：术语表、学习感悟汇总与页面描述（由页面内容生成）；
- ``cache_diff``：两份执行缓存的输出对比（拉取请求的作业摘要）；
- ``colab``：「在 Colab 中运行」的链接与发布的 notebook。

新的报告页：在这里加一个模块，由 ``plugins/appendix.py`` 在占位注释处填入。
"""
