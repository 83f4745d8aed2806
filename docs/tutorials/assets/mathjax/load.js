// The Japanese tutorials (tutorials/ja/...) sit one folder deeper than the English ones, so
// from their pages mkdocs.yml's custom_mathjax_url, ../../assets/mathjax/load.js, reaches this
// file rather than the site's assets/mathjax/load.js. This loads that one, which sets MathJax's
// configuration and loads MathJax from its own folder.
(function () {
  var script = document.createElement("script");
  script.src = new URL("../../../assets/mathjax/load.js", document.currentScript.src).href;
  document.head.appendChild(script);
})();
