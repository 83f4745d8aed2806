// MathJax for the tutorial notebooks, served from this site (no CDN).
// mkdocs-jupyter puts <script src=".../load.js"> in each notebook page
// (mkdocs.yml: custom_mathjax_url); this sets MathJax 3's configuration, then loads
// tex-svg.js (MathJax 3.2.2, from the npm package "mathjax", Apache-2.0: LICENSE
// beside it) from the same folder. Only the notebooks' own content is typeset.
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
  },
  startup: { elements: [".jupyter-wrapper"] },
  svg: { fontCache: "global" },
};
(function () {
  var here = document.currentScript.src;
  var script = document.createElement("script");
  script.src = here.slice(0, here.lastIndexOf("/") + 1) + "tex-svg.js";
  script.async = true;
  document.head.appendChild(script);
})();
