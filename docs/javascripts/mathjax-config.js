/* MathJax 4 配置：站点自带的 MathJax（assets/mathjax/，来自 npm 包 mathjax 与 @mathjax/mathjax-newcm-font，
 * 由 execbook-mathjax 插件发布），不用 CDN。
 *
 * 排版时机：MathJax 启动时不自动排版（startup.typeset = false）。页面每次显示（首次加载和
 * Material 的即时导航都会触发 document$）时，等 MathJax 启动完成（startup.promise）再排版，
 * 并把排版串成一条 Promise 链，避免两次排版交错。
 *
 * 即时导航与样式表：CHTML 输出把字形（每个字符的 content 与宽度）写成 CSS 规则，放在它自己的
 * <style id="MJX-CHTML-styles"> 里，之后用到新字符时再用 insertRule 追加。Material 的即时导航换页时
 * 把 <head> 同步成新页面的 <head>，删掉新页面里没有的元素——包括这张样式表；MathJax 仍往这个脱离文档的
 * 元素里追加规则（控制台「can't insert css rule」），放回去也只剩最初的文本，追加的规则全丢了，字形空白。
 * 所以让 MathJax 把样式表放在 <body> 的末尾（adaptor.head 指向 body）：即时导航只替换 body 里的
 * Material 组件（data-md-component），不碰这里，规则一直有效。
 */
window.MathJax = {
  loader: {
    // 字体文件（woff2 与按需加载的字符区段）也由站点提供：默认会从 cdn.jsdelivr.net 加载
    paths: { fonts: "[mathjax]/fonts" },
  },
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
  output: {
    font: "mathjax-newcm",
    // 长公式在手机上自动折行：行内公式在运算符处断开，行间公式按容器宽度折行（而不是被截断）
    displayOverflow: "linebreak",
    linebreaks: { inline: true, width: "100%" },
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|jp-MarkdownOutput",  // 只排版公式与 notebook 的文字
    enableMenu: true,
    menuOptions: {
      settings: {
        // 读屏软件读隐藏的 MathML（与 MathJax 3 一样）；不启用语音规则引擎（SRE）：它要在 Web Worker 里
        // 加载几 MB 的语音规则，file:// 打开的离线副本里 Worker 不能启动
        assistiveMml: true,
        enrich: false,
        speech: false,
        braille: false,
        collapsible: false,
      },
    },
  },
  startup: {
    typeset: false,
    ready: () => {
      MathJax.startup.defaultReady();
      // 样式表放在 body 里，即时导航不删它（见文件开头）；排版时才调用 adaptor.head，所以在这里改来得及
      MathJax.startup.adaptor.head = (doc) => (doc || document).body;
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
      // 菜单等模块直接写进 <head> 的样式表（MJX-Menu-styles……）也挪进 body，否则换页后菜单没有样式；
      // 它们的规则都在元素的文本里，挪动不丢规则（CHTML 的样式表一开始就在 body 里，见上）
      for (const style of document.head.querySelectorAll('style[id^="MJX-"]')) {
        const twin = document.body.querySelector(`:scope > style[id="${style.id}"]`);
        if (twin) style.remove();
        else document.body.appendChild(style);
      }
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
