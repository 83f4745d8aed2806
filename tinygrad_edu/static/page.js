// The step-through of tinygrad_edu's graph page: every number comes from the
// JSON the engine embedded (#graph-data); this script only shows it, step by step.
// The words the engine wrote (the narration, the nodes' descriptions, the title, the
// pictures' legends and the words drawn in them) are in #graph-texts in every language;
// the page's own words come from i18n.js (_).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var steps = data.steps, nodes = data.nodes;
  var texts = {};
  try { texts = JSON.parse(document.getElementById("graph-texts").textContent) || {}; } catch (e) { /* the data's own words */ }
  var titleElement = document.getElementById("title");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var narration = document.getElementById("narration");
  var playButton = document.getElementById("play");
  var prevButton = document.getElementById("prev");
  var nextButton = document.getElementById("next");
  var details = document.getElementById("details");
  var svg = document.querySelector("#graph svg");
  var position = 0, timer = null, selected = null;

  // The SVG's pieces, by what they show.
  var groups = {}, fields = {}, edgesInto = {};
  svg.querySelectorAll("g.node").forEach(function (g) { groups[g.getAttribute("data-node")] = g; });
  // Every text that shows a number of the engine, in the graph and in the network's picture.
  document.querySelectorAll("svg text[data-v]").forEach(function (t) {
    var id = t.getAttribute("data-v"), f = t.getAttribute("data-field");
    fields[id] = fields[id] || {};
    (fields[id][f] = fields[id][f] || []).push(t);
  });
  svg.querySelectorAll("g.edge").forEach(function (g) {
    var to = g.getAttribute("data-to");
    (edgesInto[to] = edgesInto[to] || []).push(g);
  });
  var firstComputed = {};      // node id -> index of the forward step that computes it
  var passedBack = {};         // node id -> index of the step from which its gradient flows back
  steps.forEach(function (s, i) {
    if (s.kind === "forward") firstComputed[s.node] = i;
    if (s.kind === "backward" || s.kind === "seed") passedBack[s.node] = i;
  });
  var graphBox = document.getElementById("graph");

  slider.max = String(steps.length - 1);
  var codeLines = {};
  document.querySelectorAll("#code .line").forEach(function (l) { codeLines[l.getAttribute("data-line")] = l; });

  function setText(id, field, text, pending) {
    // Each text keeps its own way of writing the number: "grad 0.5", "grad=0.5".
    (fields[id] && fields[id][field] || []).forEach(function (t) {
      var shown = t.getAttribute("data-prefix") + text;
      if (t.textContent !== shown) t.textContent = shown;
      t.classList.toggle("pending", !!pending);
    });
  }

  function stateAt(k) {
    // The numbers shown after step k: a node's data once computed, each grad as last set.
    var grads = {};
    for (var i = 0; i <= k; i++) {
      var g = steps[i].grads;
      for (var id in g) grads[id] = g[id];
    }
    return grads;
  }

  function clearMarks() {
    svg.querySelectorAll(".current, .parent").forEach(function (el) {
      el.classList.remove("current"); el.classList.remove("parent");
    });
    document.querySelectorAll("svg text.changed, svg text.parent").forEach(function (t) {
      t.classList.remove("changed"); t.classList.remove("parent");
    });
    document.querySelectorAll("#code .line.current").forEach(function (l) { l.classList.remove("current"); });
  }

  // The words of the language chosen (null where the page has none in it: the data's own).
  function words() { return texts[I18N.language()] || null; }
  function stepText(k) {
    var w = words();
    return (w && w.steps && typeof w.steps[k] === "string") ? w.steps[k] : steps[k].text;
  }
  function nodeWords(id) {
    var w = words();
    return (w && w.nodes && w.nodes[id]) || nodes[id];
  }

  function phaseOf(s) {
    if (s.kind === "start") return _("nothing computed yet");
    if (s.kind === "forward") return _("forward pass");
    if (s.kind === "seed") return _("backward pass begins");
    return I18N.format(_("backward pass, chain-rule step {number}"), { number: s.number });
  }

  // The texts of step k: the counter, the narration (redrawn as they are when the language changes).
  function writeTexts() {
    var s = steps[position];
    counter.textContent = I18N.format(_("step {step} of {last} ({phase})"),
                                      { step: position, last: steps.length - 1, phase: phaseOf(s) });
    var text = stepText(position);
    if (s.kind === "backward" && !s.code.length) text += "\n" + _("(code: this gradient needs no line of its own)");
    narration.textContent = text;
    slider.setAttribute("aria-valuetext", counter.textContent);
  }

  function show(k) {
    position = Math.max(0, Math.min(steps.length - 1, k));
    var s = steps[position], grads = stateAt(position);
    clearMarks();
    Object.keys(nodes).forEach(function (id) {
      var done = !(id in firstComputed) || firstComputed[id] <= position;
      setText(id, "data", done ? nodes[id].data : "?", !done);
      setText(id, "grad", id in grads ? grads[id] : "0");
    });
    if (s.node) {
      var box = groups[s.node];
      if (box) box.classList.add("current");
      if (s.op) {
        var op = groups[s.node + "_op"];
        if (op) op.classList.add("current");
        (edgesInto[s.node + "_op"] || []).forEach(function (e) { e.classList.add("current"); });
        if (s.kind === "forward") (edgesInto[s.node] || []).forEach(function (e) { e.classList.add("current"); });
      }
      s.parents.forEach(function (p) {
        var g = groups[p];
        if (g) { g.classList.add("parent"); return; }
        for (var f in fields[p] || {}) {        // a row of a table
          fields[p][f].forEach(function (t) { t.classList.add("parent"); });
        }
      });
      for (var id in s.grads) {
        (fields[id] && fields[id].grad || []).forEach(function (t) { t.classList.add("changed"); });
      }
    }
    var first = null;
    s.code.forEach(function (n) { var l = codeLines[n]; if (l) { l.classList.add("current"); first = first || l; } });
    if (first) {      // scroll the code pane only, never the page
      var pane = document.getElementById("code"), top = first.offsetTop;   // (the pane is positioned)
      if (top < pane.scrollTop || top > pane.scrollTop + pane.clientHeight - first.offsetHeight) {
        pane.scrollTop = Math.max(0, top - pane.clientHeight / 3);
      }
    }
    // An arrow's colour tells the gradient flowing back along it: grey until that has happened.
    svg.querySelectorAll("g.edge").forEach(function (e) {
      var to = (e.getAttribute("data-to") || "").replace(/_op$/, "");
      e.classList.toggle("waiting", !(passedBack[to] <= position));
    });
    bringIntoView(s);
    slider.value = String(position);
    writeTexts();
    // aria-disabled, not disabled: a button that keeps its focus at either end.
    prevButton.setAttribute("aria-disabled", String(position === 0));
    nextButton.setAttribute("aria-disabled", String(position === steps.length - 1));
    if (selected) describe(selected, grads);
  }

  function bringIntoView(s) {
    // The op the step is about (at the start: the first op's inputs) scrolled into the graph's box.
    var target = s.node && (groups[s.node + "_op"] || groups[s.node]);
    if (!target && steps.length > 1 && steps[1].node) {
      var first = steps[1].parents.map(function (p) { return groups[p]; }).filter(Boolean)[0];
      target = first || groups[steps[1].node + "_op"];
    }
    if (!target || graphBox.classList.contains("fit")) return;
    var box = graphBox.getBoundingClientRect(), r = target.getBoundingClientRect();
    var margin = 60;
    if (r.left < box.left + margin || r.right > box.right - margin) {
      graphBox.scrollLeft += (r.left + r.width / 2) - (box.left + box.width / 2);
    }
    if (r.top < box.top + margin || r.bottom > box.bottom - margin) {
      graphBox.scrollTop += (r.top + r.height / 2) - (box.top + box.height / 2);
    }
  }

  function describe(id, grads) {
    var n = nodes[id];
    if (!n) return;
    grads = grads || stateAt(position);
    var rows = [[_("name"), n.name], [_("label"), n.label || _("(none)")], [_("formula"), n.formula],
                [_("data"), n.data], [_("grad now"), id in grads ? grads[id] : "0"],
                [_("grad at the end"), n.grad],
                [_("op"), n.op || (n.kind === "constant" ? _("a constant") : _("a leaf (input or parameter)"))]];
    if (n.network) {
      var described = nodeWords(id);
      rows.push([_("in the network"), described.network], [_("seed documents"), described.seed_name]);
    }
    details.replaceChildren();
    rows.forEach(function (r) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = r[0]; dd.textContent = r[1];
      details.appendChild(dt); details.appendChild(dd);
    });
  }

  function select(id) {
    var valueId = id.replace(/_op$/, "");
    if (selected && groups[selected]) groups[selected].classList.remove("selected");
    selected = nodes[valueId] ? valueId : null;
    if (selected && groups[selected]) groups[selected].classList.add("selected");
    if (selected) describe(selected);
  }

  function labelPlay() { playButton.textContent = timer === null ? _("Play") : _("Pause"); }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    labelPlay();
    playButton.setAttribute("aria-pressed", "false");
  }

  function play() {
    if (position === steps.length - 1) show(0);
    playButton.textContent = _("Pause");
    playButton.setAttribute("aria-pressed", "true");
    timer = setInterval(function () {
      if (position >= steps.length - 1) { stop(); return; }
      show(position + 1);
    }, 900);
  }

  var fitButton = document.getElementById("fit");
  fitButton.addEventListener("click", function () {
    var fit = graphBox.classList.toggle("fit");
    fitButton.setAttribute("aria-pressed", String(fit));
  });
  prevButton.addEventListener("click", function () { stop(); show(position - 1); });
  nextButton.addEventListener("click", function () { stop(); show(position + 1); });
  playButton.addEventListener("click", function () { if (timer === null) play(); else stop(); });
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  document.addEventListener("keydown", function (e) {
    if (e.target === slider || e.altKey || e.ctrlKey || e.metaKey) return;   // the slider moves itself
    if (e.key === "ArrowRight") { stop(); show(position + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { stop(); show(position - 1); e.preventDefault(); }
  });
  function labelNodes() {
    Object.keys(groups).forEach(function (id) {
      var n = nodes[id.replace(/_op$/, "")];
      if (!n) return;
      groups[id].setAttribute("aria-label", id.slice(-3) === "_op"
        ? I18N.format(_("op {op} making {name}"), { op: n.op, name: n.name }) : n.name);
    });
  }
  // The pictures' words: each text drawn with a word (a box's title, an operand's role)
  // is tagged data-word="i", words[i] in each language; the legends are text under them.
  function rewritePictures() {
    var w = words(), p = w && w.pictures;
    if (!p) return;
    document.querySelectorAll("svg text[data-word]").forEach(function (t) {
      var text = p.words && p.words[Number(t.getAttribute("data-word"))];
      if (typeof text === "string" && t.textContent !== text) t.textContent = text;
    });
    document.querySelectorAll("svg a[data-tip]").forEach(function (a) {   // an arrow's tooltip
      var text = p.words && p.words[Number(a.getAttribute("data-tip"))];
      if (typeof text === "string") a.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:title", text);
    });
    [["graph-legend", p.legend], ["network-legend", p.network_legend]].forEach(function (pair) {
      var element = document.getElementById(pair[0]);
      if (element && pair[1] && pair[1].length) element.textContent = pair[1].join("\n");
    });
  }
  function retitle() {
    var w = words();
    if (!w || typeof w.title !== "string") return;
    document.title = w.title;
    if (titleElement) titleElement.textContent = w.title;
  }

  Object.keys(groups).forEach(function (id) {
    var g = groups[id];
    if (!g.hasAttribute("tabindex")) g.setAttribute("tabindex", "0");
    g.addEventListener("click", function () { select(id); });
    g.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { select(id); e.preventDefault(); }
    });
  });
  // Table rows (parameters drawn in one box per layer) are selected by their own text.
  document.querySelectorAll("svg text[data-v]").forEach(function (t) {
    t.addEventListener("click", function (e) { select(t.getAttribute("data-v")); e.stopPropagation(); });
  });
  // Another language: every text this script wrote, again (the marked HTML i18n.js redraws).
  I18N.onChange(function () {
    retitle();
    rewritePictures();
    labelNodes();
    labelPlay();
    writeTexts();
    if (selected) describe(selected);
  });
  retitle();
  rewritePictures();
  labelNodes();
  labelPlay();
  show(0);
})();
