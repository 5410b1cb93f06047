/* MathJax 3 配置：站点自带的 MathJax（assets/mathjax/，来自 PyPI 包 django-static-mathjax），不用 CDN。
 *
 * 排版时机：MathJax 启动时不自动排版（startup.typeset = false）。页面每次显示（首次加载和
 * Material 的即时导航都会触发 document$）时，等 MathJax 启动完成（startup.promise）再排版，
 * 并把排版串成一条 Promise 链，避免两次排版交错——常见写法会与 MathJax 自己的首次排版竞争，
 * 首次加载时 \boldsymbol 这类自动加载的宏会被标成未定义。
 */
window.MathJax = {
  tex: {
    // arithmatex 输出 \( \) 与 \[ \]；notebook（mkdocs-jupyter）的 markdown cell 保留 $ 与 $$
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "none",
    packages: { "[-]": ["noundefined"] },   // 未定义的宏报错（红色方框），测试能发现
    macros: {
      part: "\\partial",
      bold: ["\\mathbf{#1}", 1],
      degree: "^{\\circ}",
      oiint: "\\mathop{\\vcenter{\\unicode{x222F}}}\\nolimits",
      argmin: "\\mathop{\\mathrm{arg\\,min}}",
      argmax: "\\mathop{\\mathrm{arg\\,max}}",
      R: "\\mathbb{R}",
      E: "\\mathbb{E}",
      Var: "\\operatorname{Var}",
      softmax: "\\operatorname{softmax}",
      relu: "\\operatorname{ReLU}",
      sigmoid: "\\operatorname{sigmoid}",
      diag: "\\operatorname{diag}",
      sign: "\\operatorname{sign}",
    },
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|jp-MarkdownOutput",  // 只排版公式与 notebook 的文字
    enableMenu: true,
  },
  startup: {
    typeset: false,
    ready: () => {
      MathJax.startup.defaultReady();
      MathJax.startup.promise.then(() => typesetPage());
    },
  },
};

let mathjaxChain = Promise.resolve();

function typesetPage() {
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise || !MathJax.typesetPromise) {
    return mathjaxChain; // MathJax 还没加载完：它的 ready() 会排版
  }
  mathjaxChain = mathjaxChain
    .then(() => MathJax.startup.promise)
    .then(() => {
      document.body.removeAttribute("data-mathjax");
      MathJax.typesetClear();
      MathJax.texReset();
      return MathJax.typesetPromise();
    })
    .then(() => {
      window.dlTypesetCount = (window.dlTypesetCount || 0) + 1;  // 测试用：已完成的排版次数
      document.body.setAttribute("data-mathjax", "done");
    })
    .catch((err) => {
      document.body.setAttribute("data-mathjax", "error");
      console.error("MathJax typeset failed:", err);
    });
  return mathjaxChain;
}

document$.subscribe(() => typesetPage());
