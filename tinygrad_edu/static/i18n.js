// The pages' words in the learner's language.  The translations come from the
// package's gettext catalogs (tinygrad_edu/locale), put into the page as JSON
// (<script type="application/json" id="i18n-data">): {"languages": [[code, name], ...],
// "preferred": code or null, "catalogs": {code: {English: translation}}}.
// A script translates a message by calling the function _ with its English text
// (one string literal, so that the catalog's extraction finds it; fields as {name},
// filled by I18N.format);
// an element with a data-i18n attribute has its text translated whole, and
// data-i18n-attr="title aria-label" names attributes to translate.
var I18N = (function () {
  "use strict";

  var data = { languages: [["en", "English"]], preferred: null, catalogs: {} };
  var node = document.getElementById("i18n-data");
  if (node) {
    try { data = JSON.parse(node.textContent); } catch (e) { /* stays English */ }
  }
  var lang = "en", listeners = [];

  function has(code) {
    for (var i = 0; i < data.languages.length; i++) if (data.languages[i][0] === code) return true;
    return false;
  }
  // The page's own choice (lang= in Python, --lang), else the browser's languages, else English.
  function initial() {
    if (data.preferred && has(data.preferred)) return data.preferred;
    var wanted = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language || "en"];
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i]).toLowerCase().split(/[-_]/)[0];
      if (has(code)) return code;
    }
    return "en";
  }

  function gettext(message) {
    var table = data.catalogs[lang];
    return (table && Object.prototype.hasOwnProperty.call(table, message)) ? table[message] : message;
  }
  function format(message, fields) {
    return message.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : whole;
    });
  }

  // Translate the marked elements under root (the English source is kept on each element).
  function apply(root) {
    var marked = (root || document).querySelectorAll("[data-i18n], [data-i18n-attr]");
    for (var i = 0; i < marked.length; i++) {
      var el = marked[i];
      if (el.hasAttribute("data-i18n")) {
        if (!el.hasAttribute("data-i18n-source")) el.setAttribute("data-i18n-source", el.textContent.replace(/\s+/g, " ").trim());
        el.textContent = gettext(el.getAttribute("data-i18n-source"));
      }
      var names = (el.getAttribute("data-i18n-attr") || "").split(/\s+/);
      for (var j = 0; j < names.length; j++) {
        var name = names[j];
        if (!name || !el.hasAttribute(name)) continue;
        var keep = "data-i18n-source-" + name;
        if (!el.hasAttribute(keep)) el.setAttribute(keep, el.getAttribute(name).replace(/\s+/g, " ").trim());
        el.setAttribute(name, gettext(el.getAttribute(keep)));
      }
    }
    document.documentElement.lang = lang;
  }

  function set(code) {
    if (!has(code)) code = "en";
    lang = code;
    apply(document);
    var select = document.getElementById("language");
    if (select) select.value = lang;
    for (var i = 0; i < listeners.length; i++) listeners[i](lang);
  }

  // The language menu (<select id="language">), filled from the catalogs there are.
  function menu() {
    var select = document.getElementById("language");
    if (!select) return;
    select.textContent = "";
    for (var i = 0; i < data.languages.length; i++) {
      var option = document.createElement("option");
      option.value = data.languages[i][0];
      option.textContent = data.languages[i][1];
      option.lang = data.languages[i][0];
      select.appendChild(option);
    }
    select.addEventListener("change", function () { set(select.value); });
  }

  menu();
  set(initial());

  return {
    _: gettext,
    format: format,
    apply: apply,
    set: set,
    language: function () { return lang; },
    // Called with the new language after every switch (the page redraws its texts).
    onChange: function (f) { listeners.push(f); }
  };
})();
var _ = I18N._;
