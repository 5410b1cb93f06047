"""MkDocs 插件，按功能分开（像 mkdocs-material 自己的插件一样，每个有类型化的 ``Config``）：

- ``execbook-execute``（``execute/``，一个包：``config``、``plugin`` 事件、``pages``、``splice``、``serve``、
  ``renderers``）：执行页面与 notebook 的代码块、嵌入输出、notebook 下载；
- ``execbook-mathjax``（``mathjax.MathJaxPlugin``）：把 MathJax 作为站点文件发布（不用 CDN）；
- ``execbook-appendix``（``appendix.AppendixPlugin``）：生成的附录内容（术语表、学习感悟、实验结果表、构建报告）。

另有一个钩子 ``frontmatter.py``（mkdocs.yml 的 ``hooks:``）：坏的 front matter 让构建失败并指明 页面:行号。
"""
