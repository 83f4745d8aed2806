// The lab's page: every number comes from the lab's server over the WebSocket
// (/ws, with the page's ?token=); this script shows them and sends what the
// learner asks for.  No framework, no request but the page and the socket.
// Its words are translated by i18n.js (the function _); it tells the server the
// learner's language, so that the server's messages come in it too.
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }
  var XLINK = "http://www.w3.org/1999/xlink";
  var el = {
    closed: $("closed"), error: $("error"), limits: $("limits"),
    play: $("play"), pause: $("pause"), step: $("step-button"), reset: $("reset"),
    stepOut: $("step"), lossOut: $("loss"), accuracyOut: $("accuracy"),
    saveModel: $("save-model"), loadModel: $("load-model"), savePoints: $("save-points"),
    dataset: $("dataset"), optimizer: $("optimizer"), activation: $("activation"),
    learningRate: $("learning-rate"), hidden: $("hidden"), batchSize: $("batch-size"),
    dataCanvas: $("data-canvas"), plotStatus: $("plot-status"),
    pointNumber: $("point-number"), selectPoint: $("select-point"), removePoint: $("remove-point"),
    clearSelection: $("clear-selection"), newX: $("new-x"), newY: $("new-y"), newLabel: $("new-label"),
    addPoint: $("add-point"), lossCanvas: $("loss-canvas"), network: $("network"), networkLegend: $("network-legend"),
    selectionInfo: $("selection-info"), pointGraph: $("point-graph"), deltaView: $("delta-view")
  };
  var COLORS = { c0: [224, 130, 20], c1: [94, 60, 153], loss: "#1a56db", acc: "#2f855a", axis: "#57606a" };
  var HIT_PIXELS = 8;

  var limits = {}, settings = null, points = [], bounds = [-1, 1, -1, 1], selected = null;
  var heat = null, heatImage = document.createElement("canvas");
  var history = [];                  // [step, loss, accuracy], by increasing step
  var playing = false, open = false, socket = null, errorTimer = null;
  var net = { svgText: null, edges: {}, nodes: {} };
  var pendingFrame = null, drawScheduled = false, dataDirty = false;
  var lastSettingInput = null;       // the control of the last "settings" message, put back on an error
  var placeholder = el.pointGraph.getAttribute("srcdoc");
  // What this script wrote, kept to write it again in another language.
  var shownFrame = null, shownSelection = null, shownDelta = null, plotStatus = null, closed = false;

  // ------------------------------------------------------------------ numbers

  function significant(x, digits) {
    if (x === null || x === undefined || typeof x !== "number" || isNaN(x)) return "—";
    if (!isFinite(x)) return x > 0 ? "∞" : "−∞";
    return x.toPrecision(digits);
  }
  function compact(x, digits) {  // digits significant digits, no trailing zeros: 0.53, -1.2e-5
    if (typeof x !== "number" || isNaN(x)) return "—";
    if (!isFinite(x)) return x > 0 ? "∞" : "−∞";
    return String(Number(x.toPrecision(digits)));
  }
  function short(x) { return compact(x, 6); }
  function percent(x) {
    if (typeof x !== "number" || !isFinite(x)) return "—";
    return (x * 100).toFixed(1) + "%";
  }
  function niceStep(span, count) {
    var raw = span / Math.max(1, count), mag = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var n = raw / mag;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
  }
  function ticks(lo, hi, count) {
    if (!(hi > lo)) return [lo];
    var s = niceStep(hi - lo, count), out = [];
    for (var v = Math.ceil(lo / s - 1e-9) * s; v <= hi + s * 1e-9; v += s) out.push(Math.abs(v) < s * 1e-9 ? 0 : v);
    return out;
  }
  function tickText(v) { return String(Number(v.toPrecision(6))); }

  // ------------------------------------------------------------------ messages to the server

  function send(message) {
    if (!open) return false;
    socket.send(JSON.stringify(message));
    return true;
  }
  function act(message) {          // something the learner did: an old error has had its say
    clearError();
    return send(message);
  }

  function showError(text) {
    el.error.textContent = text;
    if (errorTimer !== null) clearTimeout(errorTimer);
    errorTimer = setTimeout(clearError, 8000);
  }
  function clearError() {
    if (errorTimer !== null) { clearTimeout(errorTimer); errorTimer = null; }
    el.error.textContent = "";
  }

  // ------------------------------------------------------------------ controls

  function controls() {
    return document.querySelectorAll("header button, header input, header select, main button, main input, main select");
  }
  function enableControls(on) {      // (the language menu works without the server)
    Array.prototype.forEach.call(controls(), function (c) { if (c.id !== "language") c.disabled = !on; });
  }

  // What a menu shows for a choice the server names (its value stays the name):
  // the data sets in the learner's language, the optimizers as Deep Learning from Scratch
  // writes them (seed 003 lists SGD, Momentum, AdaGrad and Adam; RMSProp is in no seed).
  function choiceName(value) {
    switch (value) {
      case "xor": return "XOR";
      case "moons": return _("two moons");
      case "spirals": return _("spirals");
      case "circles": return _("circles");
      case "sgd": return "SGD";
      case "momentum": return "Momentum";
      case "adagrad": return "AdaGrad";
      case "rmsprop": return "RMSProp";
      case "adam": return "Adam";
    }
    return value;
  }
  function nameChoices(select) {
    Array.prototype.forEach.call(select.options, function (o) { o.textContent = choiceName(o.value); });
  }
  function fillSelect(select, values) {
    var keep = select.value;
    select.replaceChildren();
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = String(v); o.textContent = choiceName(String(v));
      select.appendChild(o);
    });
    if (keep) setSelect(select, keep);
  }
  function setSelect(select, value) {
    value = String(value);
    var found = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    if (!found) {                // a value the server chose that is not among the choices: show it anyway
      var o = document.createElement("option");
      o.value = value; o.textContent = value;
      select.appendChild(o);
    }
    select.value = value;
  }
  function setInput(input, text) {
    // What the learner is typing (focused, not yet committed) is left alone: a state
    // message that crosses it (after a language switch, say) must not undo the typing.
    var editing = document.activeElement === input && input.value !== input.getAttribute("data-committed");
    if (!editing) input.value = text;
    input.setAttribute("data-committed", text);
  }

  function setControls(s) {
    if (s.dataset !== undefined) setSelect(el.dataset, s.dataset);
    if (s.optimizer !== undefined) setSelect(el.optimizer, s.optimizer);
    if (s.activation !== undefined) setSelect(el.activation, s.activation);
    if (s.learning_rate !== undefined) setInput(el.learningRate, String(s.learning_rate));
    if (s.hidden !== undefined) setInput(el.hidden, (s.hidden || []).join(", "));
    if (s.batch_size !== undefined) setInput(el.batchSize, String(s.batch_size));
    setPlaying(!!s.playing);
  }

  function setPlaying(p) {
    playing = p;
    el.play.classList.toggle("current", p);
    el.pause.classList.toggle("current", !p);
    el.play.setAttribute("aria-pressed", String(p));
    el.pause.setAttribute("aria-pressed", String(!p));
    el.play.title = p ? _("training: playing") : _("train continuously");
    el.pause.title = p ? _("stop training") : _("training: paused");
  }

  function writeLimits(l) {
    if (l.max_points === undefined) { el.limits.textContent = _("Limits: waiting for the server…"); return; }
    function shown(x) { return x === undefined ? "?" : String(x); }
    el.limits.textContent = I18N.format(_("Limits: up to {points} points, {layers} hidden layers of up to {neurons} neurons, learning rate up to {rate}, batch size up to {batch}, coordinates from −{coordinate} to {coordinate}, model files up to {bytes} bytes."), {
      points: shown(l.max_points), layers: shown(l.max_layers), neurons: shown(l.max_neurons),
      rate: shown(l.max_learning_rate), batch: shown(l.max_batch_size), coordinate: shown(l.max_coordinate),
      bytes: l.max_model_bytes === undefined ? "?" : Number(l.max_model_bytes).toLocaleString("en-US")
    });
    if (l.max_learning_rate !== undefined) el.learningRate.max = String(l.max_learning_rate);
    if (l.max_batch_size !== undefined) el.batchSize.max = String(l.max_batch_size);
    if (l.max_coordinate !== undefined) {
      [el.newX, el.newY].forEach(function (i) { i.min = String(-l.max_coordinate); i.max = String(l.max_coordinate); });
    }
  }

  // A number field's value, or null (and a local error) when it is not a number.
  function numberOf(input, what, whole) {
    var text = input.value.trim();
    if (text === "" || !isFinite(Number(text))) {
      showError(I18N.format(input.validity && input.validity.badInput ? _("{what}: write a number (that text is not one).")
                                                                      : _("{what}: write a number."), { what: what }));
      return null;
    }
    var x = Number(text);
    if (whole && Math.floor(x) !== x) {
      showError(I18N.format(_("{what}: write a whole number, not {text}."), { what: what, text: text }));
      return null;
    }
    return x;
  }
  function parseHidden(text) {
    var t = text.trim();
    if (t === "") return [];
    var parts = t.split(/\s*[,;\s]\s*/), out = [];
    for (var i = 0; i < parts.length; i++) {
      if (!/^[+-]?\d+$/.test(parts[i])) return null;
      out.push(parseInt(parts[i], 10));
    }
    return out;
  }

  function commit(input, build) {
    var text = input.value;
    if (text === input.getAttribute("data-committed")) return;
    input.setAttribute("data-committed", text);
    var message = build();
    if (message === null) return;
    lastSettingInput = input;
    act(message);
  }
  function onCommit(input, build) {
    input.addEventListener("change", function () { commit(input, build); });
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") commit(input, build); });
  }
  onCommit(el.learningRate, function () {
    clearError();
    var x = numberOf(el.learningRate, _("Learning rate"));
    return x === null ? null : { type: "settings", learning_rate: x };
  });
  onCommit(el.batchSize, function () {
    clearError();
    var x = numberOf(el.batchSize, _("Batch size (0 = all points)"), true);
    return x === null ? null : { type: "settings", batch_size: x };
  });
  onCommit(el.hidden, function () {
    clearError();
    var sizes = parseHidden(el.hidden.value);
    if (sizes === null) {
      showError(I18N.format(_("Hidden layers: write the number of neurons of each hidden layer, whole numbers separated by commas, e.g. 8, 8 (not “{text}”)."), { text: el.hidden.value }));
      return null;
    }
    return { type: "settings", hidden: sizes };
  });
  el.optimizer.addEventListener("change", function () { lastSettingInput = el.optimizer; act({ type: "settings", optimizer: el.optimizer.value }); });
  el.activation.addEventListener("change", function () { lastSettingInput = el.activation; act({ type: "settings", activation: el.activation.value }); });
  el.dataset.addEventListener("change", function () { lastSettingInput = el.dataset; act({ type: "dataset", name: el.dataset.value }); });

  el.play.addEventListener("click", function () { if (act({ type: "play" })) setPlaying(true); });
  el.pause.addEventListener("click", function () { if (act({ type: "pause" })) setPlaying(false); });
  el.step.addEventListener("click", function () { act({ type: "step" }); });
  el.reset.addEventListener("click", function () { act({ type: "reset" }); });
  el.saveModel.addEventListener("click", function () { act({ type: "save_model" }); });

  el.loadModel.addEventListener("change", function () {
    var file = el.loadModel.files && el.loadModel.files[0];
    if (!file) return;
    clearError();
    var most = limits.max_model_bytes;
    if (most !== undefined && file.size > most) {
      showError(I18N.format(_("“{name}” is {size} bytes; the lab loads model files up to {most} bytes."), {
        name: file.name, size: file.size.toLocaleString("en-US"), most: Number(most).toLocaleString("en-US") }));
      el.loadModel.value = "";
      return;
    }
    var reader = new FileReader();
    reader.onload = function () { act({ type: "load_model", filename: file.name, text: String(reader.result) }); };
    reader.onerror = function () { showError(I18N.format(_("Could not read “{name}”."), { name: file.name })); };
    reader.readAsText(file);
    el.loadModel.value = "";          // the same file can be loaded again
  });

  function download(filename, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = document.createElement("a");
    a.href = url; a.download = filename; a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }
  el.savePoints.addEventListener("click", function () {
    var rows = ["x,y,label"];
    points.forEach(function (p) { rows.push(p[0] + "," + p[1] + "," + p[2]); });
    download("lab-points.csv", rows.join("\n") + "\n", "text/csv");
  });

  // ------------------------------------------------------------------ the data plot

  var plotCtx = el.dataCanvas.getContext("2d");
  var lossCtx = el.lossCanvas.getContext("2d");
  function fitCanvas(canvas, ctx) {     // sharp on any screen: backing store in device pixels
    var w = parseFloat(canvas.getAttribute("width")), h = parseFloat(canvas.getAttribute("height"));
    var ratio = window.devicePixelRatio || 1;
    if (!canvas.cssWidth) { canvas.cssWidth = w; canvas.cssHeight = h; }
    if (canvas.width !== Math.round(canvas.cssWidth * ratio)) {
      canvas.width = Math.round(canvas.cssWidth * ratio);
      canvas.height = Math.round(canvas.cssHeight * ratio);
    }
    ctx.setTransform(canvas.width / canvas.cssWidth, 0, 0, canvas.height / canvas.cssHeight, 0, 0);
    return { w: canvas.cssWidth, h: canvas.cssHeight };
  }

  // Data coordinates <-> pixels: the whole canvas is the bounds, y growing upwards.
  function toPixel(x, y, size) {
    return [(x - bounds[0]) / (bounds[1] - bounds[0]) * size.w,
            (bounds[3] - y) / (bounds[3] - bounds[2]) * size.h];
  }
  function toData(px, py, size) {
    return [bounds[0] + px / size.w * (bounds[1] - bounds[0]),
            bounds[3] - py / size.h * (bounds[3] - bounds[2])];
  }

  function shade(v) {              // probability of class 1 -> a pale colour, white at 0.5
    if (typeof v !== "number" || isNaN(v)) return [200, 200, 200];
    v = Math.max(0, Math.min(1, v));
    var c = v < 0.5 ? COLORS.c0 : COLORS.c1, t = Math.abs(v - 0.5) * 2 * 0.6;
    return [Math.round(255 + (c[0] - 255) * t), Math.round(255 + (c[1] - 255) * t), Math.round(255 + (c[2] - 255) * t)];
  }
  function setHeat(h) {
    if (!h || !h.nx || !h.ny || !h.values || h.values.length < h.nx * h.ny) return;
    heat = h;
    heatImage.width = h.nx; heatImage.height = h.ny;
    var g = heatImage.getContext("2d"), img = g.createImageData(h.nx, h.ny);
    for (var j = 0; j < h.ny; j++) {
      var row = h.ny - 1 - j;            // y grows upwards: row 0 of the values is the bottom
      for (var i = 0; i < h.nx; i++) {
        var c = shade(h.values[j * h.nx + i]), k = (row * h.nx + i) * 4;
        img.data[k] = c[0]; img.data[k + 1] = c[1]; img.data[k + 2] = c[2]; img.data[k + 3] = 255;
      }
    }
    g.putImageData(img, 0, 0);
  }

  function drawData() {
    var size = fitCanvas(el.dataCanvas, plotCtx), ctx = plotCtx;
    ctx.clearRect(0, 0, size.w, size.h);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size.w, size.h);
    if (heat) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(heatImage, 0, 0, size.w, size.h);
      drawBoundary(ctx, size);
    }
    // Axes: grid lines and their numbers, inside the plot along the bottom and left edges.
    ctx.font = "10px system-ui, sans-serif";
    ctx.lineWidth = 1;
    var xs = ticks(bounds[0], bounds[1], 6), ys = ticks(bounds[2], bounds[3], 6);
    ctx.strokeStyle = "rgba(0,0,0,0.08)";
    xs.forEach(function (x) { var p = toPixel(x, 0, size); ctx.beginPath(); ctx.moveTo(p[0] + 0.5, 0); ctx.lineTo(p[0] + 0.5, size.h); ctx.stroke(); });
    ys.forEach(function (y) { var p = toPixel(0, y, size); ctx.beginPath(); ctx.moveTo(0, p[1] + 0.5); ctx.lineTo(size.w, p[1] + 0.5); ctx.stroke(); });
    ctx.fillStyle = "#3b4148";
    ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    xs.forEach(function (x) { var p = toPixel(x, 0, size); if (p[0] > 14 && p[0] < size.w - 10) ctx.fillText(tickText(x), p[0], size.h - 2); });
    ctx.textAlign = "left"; ctx.textBaseline = "middle";
    ys.forEach(function (y) { var p = toPixel(0, y, size); if (p[1] > 8 && p[1] < size.h - 16) ctx.fillText(tickText(y), 3, p[1]); });
    ctx.textAlign = "right"; ctx.textBaseline = "bottom";
    ctx.fillText("x →", size.w - 4, size.h - 2);
    ctx.textAlign = "left"; ctx.textBaseline = "top";
    ctx.fillText("↑ y", 3, 3);

    // The points: class 0 circles, class 1 squares, each with a dark outline.
    points.forEach(function (p) {
      var q = toPixel(p[0], p[1], size), one = Number(p[2]) === 1, c = one ? COLORS.c1 : COLORS.c0;
      ctx.fillStyle = "rgb(" + c.join(",") + ")";
      ctx.strokeStyle = one ? "#1e0f3a" : "#5a3300";
      ctx.lineWidth = 1;
      ctx.beginPath();
      if (one) ctx.rect(q[0] - 4.5, q[1] - 4.5, 9, 9);
      else ctx.arc(q[0], q[1], 5, 0, 2 * Math.PI);
      ctx.fill(); ctx.stroke();
    });
    if (selected !== null && selected !== undefined && points[selected]) {
      var p = points[selected], q = toPixel(p[0], p[1], size);
      ctx.lineWidth = 4; ctx.strokeStyle = "#ffffff";
      ctx.beginPath(); ctx.arc(q[0], q[1], 10, 0, 2 * Math.PI); ctx.stroke();
      ctx.lineWidth = 2; ctx.strokeStyle = "#111111";
      ctx.beginPath(); ctx.arc(q[0], q[1], 10, 0, 2 * Math.PI); ctx.stroke();
      ctx.font = "bold 11px system-ui, sans-serif";
      ctx.textAlign = q[0] > size.w - 40 ? "right" : "left"; ctx.textBaseline = "bottom";
      var label = "#" + selected, lx = q[0] + (q[0] > size.w - 40 ? -12 : 12), ly = q[1] < 20 ? q[1] + 22 : q[1] - 8;
      ctx.lineWidth = 3; ctx.strokeStyle = "#ffffff"; ctx.strokeText(label, lx, ly);
      ctx.fillStyle = "#111111"; ctx.fillText(label, lx, ly);
    }
    describePlot();
  }

  // The decision boundary (output 0.5), by marching squares over the heat map's grid.
  function drawBoundary(ctx, size) {
    var nx = heat.nx, ny = heat.ny, v = heat.values;
    function px(i, j) {                  // grid cell centre (i, j) -> pixel
      return [(i + 0.5) / nx * size.w, size.h - (j + 0.5) / ny * size.h];
    }
    function cross(i1, j1, i2, j2) {
      var a = v[j1 * nx + i1] - 0.5, b = v[j2 * nx + i2] - 0.5, t = a / (a - b);
      var p = px(i1, j1), q = px(i2, j2);
      return [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
    }
    ctx.beginPath();
    for (var j = 0; j < ny - 1; j++) {
      for (var i = 0; i < nx - 1; i++) {
        var s = [v[j * nx + i], v[j * nx + i + 1], v[(j + 1) * nx + i + 1], v[(j + 1) * nx + i]];
        var hits = [];
        var corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
        for (var k = 0; k < 4; k++) {
          var a = s[k], b = s[(k + 1) % 4];
          if ((a >= 0.5) !== (b >= 0.5) && isFinite(a) && isFinite(b)) {
            hits.push(cross(corners[k][0], corners[k][1], corners[(k + 1) % 4][0], corners[(k + 1) % 4][1]));
          }
        }
        for (var h = 0; h + 1 < hits.length; h += 2) {
          ctx.moveTo(hits[h][0], hits[h][1]); ctx.lineTo(hits[h + 1][0], hits[h + 1][1]);
        }
      }
    }
    ctx.strokeStyle = "rgba(40,40,40,0.55)";
    ctx.lineWidth = 1.2;
    ctx.setLineDash([4, 3]);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  function describePlot() {
    var n0 = 0, n1 = 0;
    points.forEach(function (p) { if (Number(p[2]) === 1) n1++; else n0++; });
    var fields = { count: points.length, class0: n0, class1: n1, xmin: tickText(bounds[0]), xmax: tickText(bounds[1]),
                   ymin: tickText(bounds[2]), ymax: tickText(bounds[3]) };
    var text;
    if (selected !== null && selected !== undefined && points[selected]) {
      var p = points[selected];
      fields.index = selected; fields.x = compact(p[0], 4); fields.y = compact(p[1], 4); fields.label = p[2];
      text = I18N.format(_("{count} points ({class0} of class 0, {class1} of class 1) in x from {xmin} to {xmax}, y from {ymin} to {ymax}; selected: point #{index} at ({x}, {y}), class {label}"), fields);
    } else {
      text = I18N.format(_("{count} points ({class0} of class 0, {class1} of class 1) in x from {xmin} to {xmax}, y from {ymin} to {ymax}"), fields);
    }
    el.dataCanvas.setAttribute("aria-label", text);
    el.pointNumber.max = String(Math.max(0, points.length - 1));
  }

  function nearest(px, py, size) {
    var best = null, bestD = HIT_PIXELS * HIT_PIXELS;
    points.forEach(function (p, i) {
      var q = toPixel(p[0], p[1], size), d = (q[0] - px) * (q[0] - px) + (q[1] - py) * (q[1] - py);
      if (d <= bestD) { best = i; bestD = d; }
    });
    return best;
  }
  function rounded(x) {            // a clicked coordinate, to a precision the plot can show
    var span = Math.max(Math.abs(bounds[1] - bounds[0]), Math.abs(bounds[3] - bounds[2])) || 1;
    var digits = Math.max(0, 3 - Math.floor(Math.log(span) / Math.LN10));
    return Number(x.toFixed(digits));
  }
  function mode() {
    var r = document.querySelector('input[name="mode"]:checked');
    return r ? r.value : "select";
  }
  el.dataCanvas.addEventListener("click", function (e) {
    if (!open) return;
    var rect = el.dataCanvas.getBoundingClientRect(), size = { w: el.dataCanvas.cssWidth, h: el.dataCanvas.cssHeight };
    var px = (e.clientX - rect.left) * size.w / rect.width, py = (e.clientY - rect.top) * size.h / rect.height;
    var m = mode(), hit = nearest(px, py, size);
    setPlotStatus(null);
    if (m === "select") {
      act({ type: "select", index: hit });
      if (hit === null) setPlotStatus(function () { return I18N.format(_("No point within {pixels} pixels of the click: the selection is cleared."), { pixels: HIT_PIXELS }); });
    } else if (m === "remove") {
      if (hit === null) setPlotStatus(function () { return I18N.format(_("No point within {pixels} pixels of the click: nothing removed."), { pixels: HIT_PIXELS }); });
      else act({ type: "remove_point", index: hit });
    } else {
      var d = toData(px, py, size);
      act({ type: "add_point", x: rounded(d[0]), y: rounded(d[1]), label: m === "add1" ? 1 : 0 });
    }
  });

  function setPlotStatus(write) {    // write: () -> the text, in the language of the moment
    plotStatus = write;
    el.plotStatus.textContent = write ? write() : "";
  }

  function pointIndex() {
    clearError();
    var x = numberOf(el.pointNumber, _("Point #"), true);
    return x;
  }
  el.selectPoint.addEventListener("click", function () {
    var i = pointIndex();
    if (i !== null) act({ type: "select", index: i });
  });
  el.pointNumber.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { var i = pointIndex(); if (i !== null) act({ type: "select", index: i }); }
  });
  el.removePoint.addEventListener("click", function () {
    var i = pointIndex();
    if (i !== null) act({ type: "remove_point", index: i });
  });
  el.clearSelection.addEventListener("click", function () { act({ type: "select", index: null }); });
  el.addPoint.addEventListener("click", function () {
    clearError();
    var x = numberOf(el.newX, _("New point x")), y = x === null ? null : numberOf(el.newY, _("New point y"));
    if (x === null || y === null) return;
    act({ type: "add_point", x: x, y: y, label: Number(el.newLabel.value) });
  });

  // ------------------------------------------------------------------ the loss curve

  function addHistory(step, entries) {
    var last = history.length ? history[history.length - 1][0] : -Infinity;
    if (typeof step === "number" && step < last) { history = []; last = -Infinity; }   // a reset
    (entries || []).forEach(function (e) {
      if (e && typeof e[0] === "number" && e[0] > last) { history.push([e[0], e[1], e[2]]); last = e[0]; }
    });
    if (history.length > 20000) {        // keep the memory bounded: every other old entry
      history = history.filter(function (e, i) { return i % 2 === 0 || i === history.length - 1; });
    }
  }

  // A text in lines no wider than maxWidth, broken after a Japanese full stop, else a
  // comma, else a space where there is one, else between two characters.
  function wrapText(ctx, text, maxWidth) {
    var lines = [], line = "";
    function lastBreak(t) {            // the length of t up to its best break, or 0
      for (var k = 0; k < 3; k++) {
        var i = t.lastIndexOf("。、 "[k], t.length - 2);
        if (i > 0) return i + 1;
      }
      return 0;
    }
    Array.prototype.forEach.call(text, function (ch) {
      if (line !== "" && ctx.measureText(line + ch).width > maxWidth) {
        var cut = lastBreak(line) || line.length;
        lines.push(line.slice(0, cut).trim());
        line = line.slice(cut).replace(/^ +/, "");
      }
      line += ch;
    });
    if (line.trim() !== "") lines.push(line.trim());
    return lines;
  }

  function drawLoss() {
    var size = fitCanvas(el.lossCanvas, lossCtx), ctx = lossCtx;
    var left = 46, right = 44, top = 12, bottom = 32, w = size.w - left - right, h = size.h - top - bottom;
    ctx.clearRect(0, 0, size.w, size.h);
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, size.w, size.h);
    var first = history.length ? history[0][0] : 0, last = history.length ? history[history.length - 1][0] : 1;
    if (last <= first) last = first + 1;
    var most = 0;
    history.forEach(function (e) { if (typeof e[1] === "number" && isFinite(e[1]) && e[1] > most) most = e[1]; });
    if (!(most > 0)) most = 1;
    var ys = ticks(0, most, 5), top_ = ys[ys.length - 1] < most ? ys[ys.length - 1] + niceStep(most, 5) : ys[ys.length - 1];
    if (top_ > ys[ys.length - 1]) ys.push(top_);
    function X(s) { return left + (s - first) / (last - first) * w; }
    function Y(loss) { return top + h - Math.min(loss, top_) / top_ * h; }
    function A(acc) { return top + h - Math.max(0, Math.min(1, acc)) * h; }

    ctx.font = "10px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.strokeStyle = "rgba(0,0,0,0.08)";
    ys.forEach(function (v) { ctx.beginPath(); ctx.moveTo(left, Y(v) + 0.5); ctx.lineTo(left + w, Y(v) + 0.5); ctx.stroke(); });
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath(); ctx.moveTo(left + 0.5, top); ctx.lineTo(left + 0.5, top + h + 0.5); ctx.lineTo(left + w, top + h + 0.5);
    ctx.moveTo(left + w + 0.5, top); ctx.lineTo(left + w + 0.5, top + h); ctx.stroke();
    ctx.fillStyle = COLORS.loss; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ys.forEach(function (v) { ctx.fillText(tickText(v), left - 4, Y(v)); });
    ctx.fillStyle = COLORS.acc; ctx.textAlign = "left";
    [0, 0.25, 0.5, 0.75, 1].forEach(function (a) { ctx.fillText(Math.round(a * 100) + "%", left + w + 4, A(a)); });
    ctx.fillStyle = COLORS.axis; ctx.textAlign = "center"; ctx.textBaseline = "top";
    ticks(first, last, 6).forEach(function (s) {
      if (Math.floor(s) === s) ctx.fillText(tickText(s), X(s), top + h + 3);
    });
    ctx.fillText(_("step"), left + w / 2, top + h + 17);
    ctx.save();
    ctx.translate(11, top + h / 2); ctx.rotate(-Math.PI / 2);
    ctx.fillStyle = COLORS.loss; ctx.textBaseline = "middle"; ctx.fillText(_("loss"), 0, 0);
    ctx.restore();
    ctx.save();
    ctx.translate(size.w - 8, top + h / 2); ctx.rotate(Math.PI / 2);
    ctx.fillStyle = COLORS.acc; ctx.textBaseline = "middle"; ctx.fillText(_("accuracy (%)"), 0, 0);
    ctx.restore();

    if (!history.length) {
      ctx.fillStyle = COLORS.axis; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      var lines = wrapText(ctx, _("no steps yet: press Play or Step"), w - 12);
      lines.forEach(function (t, i) { ctx.fillText(t, left + w / 2, top + h / 2 + (i - (lines.length - 1) / 2) * 13); });
      el.lossCanvas.setAttribute("aria-label", _("The loss and the accuracy over the steps: no steps yet"));
      return;
    }
    var stride = Math.max(1, Math.ceil(history.length / (w * 2)));
    var shown = [];
    for (var i = 0; i < history.length; i += stride) shown.push(history[i]);
    if (shown[shown.length - 1] !== history[history.length - 1]) shown.push(history[history.length - 1]);
    function line(value, map, color, dash) {
      ctx.beginPath();
      var started = false;
      shown.forEach(function (e) {
        var y = e[value];
        if (typeof y !== "number" || !isFinite(y)) { started = false; return; }
        if (started) ctx.lineTo(X(e[0]), map(y)); else { ctx.moveTo(X(e[0]), map(y)); started = true; }
      });
      ctx.strokeStyle = color; ctx.lineWidth = 1.8; ctx.setLineDash(dash);
      ctx.stroke(); ctx.setLineDash([]);
      if (shown.length === 1 && typeof shown[0][value] === "number" && isFinite(shown[0][value])) {
        ctx.fillStyle = color; ctx.beginPath(); ctx.arc(X(shown[0][0]), map(shown[0][value]), 2.5, 0, 2 * Math.PI); ctx.fill();
      }
    }
    line(2, A, COLORS.acc, [5, 3]);
    line(1, Y, COLORS.loss, []);
    var end = history[history.length - 1];
    el.lossCanvas.setAttribute("aria-label", I18N.format(_("The loss and the accuracy over {count} recorded steps, from step {first} to step {last}: the loss is now {loss}, the accuracy {accuracy}; the highest loss was {highest}"), {
      count: history.length, first: history[0][0], last: end[0], loss: significant(end[1], 4), accuracy: percent(end[2]),
      highest: significant(most, 4) }));
  }

  // ------------------------------------------------------------------ the network's picture

  function setNetwork(svgText) {
    if (typeof svgText !== "string" || svgText === net.svgText) return;
    net.svgText = svgText;
    el.network.innerHTML = svgText;
    net.edges = {}; net.nodes = {};
    var svg = el.network.querySelector("svg");
    if (!svg) return;
    svg.removeAttribute("width"); svg.removeAttribute("height");
    fitByDefault(svg, Array.prototype.map.call(svg.querySelectorAll("g.node[id]"), function (g) { return g.id; }).join());
    var graphTitle = svg.querySelector("g.graph > title");      // Graphviz's "%3", a useless tooltip
    if (graphTitle) graphTitle.parentNode.removeChild(graphTitle);
    Array.prototype.forEach.call(svg.querySelectorAll("g.edge[id]"), function (g) {
      var a = g.querySelector("a");
      net.edges[g.id] = {
        path: g.querySelector("path"), polygons: g.querySelectorAll("polygon"),
        texts: Array.prototype.slice.call(g.querySelectorAll("text")), a: a,
        name: a ? (a.getAttributeNS(XLINK, "title") || a.getAttribute("xlink:title") || "").split(" = ")[0] : ""
      };
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.node[id]"), function (g) {
      var a = g.querySelector("a"), ellipse = g.querySelector("ellipse");
      net.nodes[g.id] = {
        ellipse: ellipse, fill: ellipse ? ellipse.getAttribute("fill") : null,
        texts: Array.prototype.slice.call(g.querySelectorAll("text")), count: g.querySelectorAll("text").length, a: a,
        name: a ? (a.getAttributeNS(XLINK, "title") || a.getAttribute("xlink:title") || "").split(":")[0] : ""
      };
    });
  }

  var fitButton = $("fit-network"), fitChosen = false, fitShape = null;
  function setWhole(on) {
    el.network.classList.toggle("whole", on);
    fitButton.setAttribute("aria-pressed", String(on));
  }
  fitButton.addEventListener("click", function () {
    fitChosen = true;
    setWhole(fitButton.getAttribute("aria-pressed") !== "true");
  });
  // Until the learner chooses, a drawing much taller than the box is shown whole at first:
  // once for each shape of network (its neurons' ids), so that the same network drawn
  // again (in another language, after a reset) keeps the state the button shows.
  function fitByDefault(svg, shape) {
    if (fitChosen || shape === fitShape) return;
    fitShape = shape;
    var box = svg.viewBox && svg.viewBox.baseVal, width = el.network.clientWidth;
    var tall = box && box.width > 0 && width > 0 && box.height / box.width * width > 1.6 * Math.max(300, window.innerHeight - 240);
    setWhole(!!tall);
  }

  // Write texts into a group's <text> lines; more texts than lines: new lines under the last.
  function writeLines(lines, texts) {
    for (var i = 0; i < texts.length; i++) {
      var t = lines[i];
      if (!t) {
        var prev = lines[i - 1];
        if (!prev) return;
        var gap = i >= 2 ? parseFloat(prev.getAttribute("y")) - parseFloat(lines[i - 2].getAttribute("y")) : 11;
        t = prev.cloneNode(false);
        t.setAttribute("y", String(parseFloat(prev.getAttribute("y")) + (gap || 11)));
        t.setAttribute("data-added", "");
        prev.parentNode.insertBefore(t, prev.nextSibling);
        lines.push(t);
      }
      var s = String(texts[i]);
      if (t.textContent !== s) t.textContent = s;
      t.style.display = "";
    }
    for (var k = texts.length; k < lines.length; k++) {       // lines this frame has no text for
      if (lines[k].hasAttribute("data-added")) lines[k].style.display = "none";
    }
  }

  function level(a, fn) {           // an activation -> 0 (white) .. 1 (darkest grey)
    if (fn === "tanh") return (a + 1) / 2;
    if (fn === "sigmoid") return a;
    if (fn === "relu") return a > 0 ? 1 - Math.exp(-a) : 0;
    return 1 / (1 + Math.exp(-a));
  }
  function grey(t) {
    t = Math.max(0, Math.min(1, isFinite(t) ? t : 0));
    var g = Math.round(255 - t * 135);      // never darker than #787878: the black text stays readable
    return "rgb(" + g + "," + g + "," + g + ")";
  }

  function updateNetwork(frame) {
    (frame.weights || []).forEach(function (u) {
      var e = net.edges[u.id];
      if (!e) return;
      var width = String(Number(u.width));
      if (e.path) { e.path.setAttribute("stroke", u.color); e.path.setAttribute("stroke-width", width); }
      Array.prototype.forEach.call(e.polygons, function (p) {
        p.setAttribute("stroke", u.color); p.setAttribute("fill", u.color); p.setAttribute("stroke-width", width);
      });
      if (u.texts) {
        writeLines(e.texts, u.texts);
        e.texts.forEach(function (t) { t.setAttribute("fill", u.color); });
        if (e.a && e.name) e.a.setAttributeNS(XLINK, "xlink:title", e.name + ": " + u.texts.join(", "));
      }
    });
    (frame.neurons || []).forEach(function (u) {
      var n = net.nodes[u.id];
      if (!n) return;
      var texts = (u.texts || []).slice();
      var has = typeof u.activation === "number";
      if (has) texts.push("a=" + compact(u.activation, 4));
      writeLines(n.texts, texts);
      if (n.ellipse) {
        if (has) n.ellipse.setAttribute("fill", grey(level(u.activation, u.texts && u.texts[1])));
        else if (n.fill !== null) n.ellipse.setAttribute("fill", n.fill);
      }
      if (n.a && n.name) {
        var values = (u.texts || []).join(", ");
        n.a.setAttributeNS(XLINK, "xlink:title", has
          ? I18N.format(_("{name}: {values}, output for the selected point a={a}"), { name: n.name, values: values, a: short(u.activation) })
          : n.name + ": " + values);
      }
    });
  }

  // ------------------------------------------------------------------ the selected point

  function writeSelectionInfo() {
    var m = shownSelection, p = m && m.point;
    if (!m) {
      el.selectionInfo.textContent = _("No point selected: click a point in the plot (or use “Select point #”) to see its computation graph, step by step.");
    } else if (p) {
      el.selectionInfo.textContent = I18N.format(_("Point #{index} at ({x}, {y}), class {label}: its computation graph, from the inputs to the loss, and the backward pass step by step (the page's own Play and arrow keys)."),
                                                 { index: m.index, x: compact(p[0], 4), y: compact(p[1], 4), label: p[2] });
    } else {
      el.selectionInfo.textContent = I18N.format(_("Point #{index}"), { index: m.index });
    }
  }
  // The frame's text before a point is selected, in the language of the moment.
  function showPlaceholder() {
    var p = document.createElement("p");
    p.setAttribute("style", "font:14px system-ui,sans-serif;color:#57606a");
    p.textContent = _("The computation graph of the selected point appears here.");
    placeholder = p.outerHTML;
    if (el.pointGraph.getAttribute("srcdoc") !== placeholder) el.pointGraph.srcdoc = placeholder;
  }
  // The point's page in the frame speaks the lab's language (it has a menu of its own too).
  function syncFrameLanguage() {
    try {
      var w = el.pointGraph.contentWindow;
      if (w && w.I18N && w.I18N.language() !== I18N.language()) w.I18N.set(I18N.language());
    } catch (err) { /* not the lab's own page: leave it */ }
  }
  el.pointGraph.addEventListener("load", syncFrameLanguage);

  function showSelection(m) {
    shownSelection = m;
    writeSelectionInfo();
    if (typeof m.page_html === "string") el.pointGraph.srcdoc = m.page_html;
    showDelta(m.delta);
    selected = m.index;            // ringed in the plot
    dataDirty = true;
    scheduleDraw();
  }
  function clearSelectionView() {
    shownSelection = null;
    writeSelectionInfo();
    showPlaceholder();
    shownDelta = null;
    el.deltaView.replaceChildren();
  }

  function cell(tag, text, cls) {
    var c = document.createElement(tag);
    c.textContent = text;
    if (cls) c.className = cls;
    return c;
  }
  function showDelta(delta) {
    var view = el.deltaView;
    shownDelta = delta;
    view.replaceChildren();
    if (!delta) return;
    if (delta.unavailable !== undefined) {
      view.appendChild(cell("p", I18N.format(_("The seed documents' delta rule beside autograd: not shown here — {reason}"), { reason: delta.unavailable }), "hint"));
      return;
    }
    var table = document.createElement("table");
    table.appendChild(cell("caption", _("The seed documents' delta rule (δ of each neuron, weight change −k·δ·input) beside autograd's gradients (−k·grad)")));
    var head = document.createElement("thead"), hr = document.createElement("tr");
    [_("layer"), _("neuron"), _("name"), _("delta rule"), _("autograd"), _("difference")].forEach(function (h, i) {
      var th = cell("th", h, i === 2 ? "name" : "");
      th.scope = "col";
      hr.appendChild(th);
    });
    head.appendChild(hr); table.appendChild(head);
    function diff(a, b) { return (typeof a === "number" && typeof b === "number") ? short(Math.abs(a - b)) : "—"; }
    var body = document.createElement("tbody"), title = document.createElement("tr");
    var th = cell("th", _("δ of each neuron, by the delta rule and by autograd (the gradient of its bias b)"));
    th.colSpan = 6; th.scope = "colgroup"; title.appendChild(th); body.appendChild(title);
    (delta.rows || []).forEach(function (r) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("td", String(r.layer)));
      tr.appendChild(cell("td", String(r.neuron)));
      tr.appendChild(cell("td", String(r.name), "name"));
      tr.appendChild(cell("td", short(r.delta_rule)));
      tr.appendChild(cell("td", short(r.autograd)));
      tr.appendChild(cell("td", diff(r.delta_rule, r.autograd)));
      body.appendChild(tr);
    });
    table.appendChild(body);
    var wbody = document.createElement("tbody"), wtitle = document.createElement("tr");
    var wth = cell("th", typeof delta.learning_rate === "number"
      ? I18N.format(_("weight changes: −k·δ·input (delta rule) and −k·grad (autograd), learning coefficient k = {k} (the learning rate)"), { k: short(delta.learning_rate) })
      : _("weight changes: −k·δ·input (delta rule) and −k·grad (autograd)"));
    wth.colSpan = 6; wth.scope = "colgroup"; wtitle.appendChild(wth); wbody.appendChild(wtitle);
    (delta.weights || []).forEach(function (r) {
      var tr = document.createElement("tr"), name = cell("td", String(r.name), "name");
      name.colSpan = 3;
      tr.appendChild(name);
      tr.appendChild(cell("td", short(r.delta_rule)));
      tr.appendChild(cell("td", short(r.autograd)));
      tr.appendChild(cell("td", diff(r.delta_rule, r.autograd)));
      wbody.appendChild(tr);
    });
    table.appendChild(wbody);
    var verdict = cell("p", I18N.format(delta.agree ? _("They agree: the largest difference is {difference}.")
                                                    : _("They do not agree: the largest difference is {difference}."),
                                        { difference: short(delta.max_difference) }),
                       "verdict" + (delta.agree ? "" : " disagree"));
    view.appendChild(verdict);
    var scroll = document.createElement("div");
    scroll.className = "scroll";
    scroll.tabIndex = 0;                 // a scrolling box the keyboard can scroll
    scroll.setAttribute("role", "group");
    scroll.setAttribute("aria-label", _("the table (scrolls)"));
    scroll.appendChild(table);
    view.appendChild(scroll);
  }

  // ------------------------------------------------------------------ frames, drawn once per screen refresh

  function scheduleDraw() {
    if (drawScheduled) return;
    drawScheduled = true;
    window.requestAnimationFrame(function () {
      drawScheduled = false;
      var f = pendingFrame;
      pendingFrame = null;
      if (f) {
        shownFrame = f;
        el.stepOut.textContent = String(f.step);
        el.lossOut.textContent = significant(f.loss, 4);
        el.accuracyOut.textContent = percent(f.accuracy);
        updateNetwork(f);
        drawLoss();
      }
      if (dataDirty) { dataDirty = false; drawData(); }
    });
  }

  function onFrame(m) {
    addHistory(m.step, m.history);
    if (m.selected !== undefined && m.selected !== selected) {     // the server's selection
      selected = m.selected;
      if (selected === null) clearSelectionView();
      dataDirty = true;
    }
    if (m.heatmap) { setHeat(m.heatmap); dataDirty = true; }
    if (pendingFrame) {            // a frame not drawn yet: keep its numbers for the weights this one lacks
      if (!m.weights) m.weights = pendingFrame.weights;
      if (!m.neurons) m.neurons = pendingFrame.neurons;
    }
    pendingFrame = m;
    scheduleDraw();
  }

  function onState(m) {
    var s = m.settings || {};
    settings = s;
    points = Array.isArray(m.points) ? m.points : [];
    var b = m.bounds;
    if (Array.isArray(b) && b.length === 4 && b[1] > b[0] && b[3] > b[2]) {
      if (b.join() !== bounds.join()) heat = null;      // an old map of other bounds would mislead
      bounds = b;
    }
    var before = selected;
    selected = (m.selected === undefined) ? null : m.selected;
    setControls(s);
    setNetwork(m.network_svg);
    if (typeof m.network_legend === "string") el.networkLegend.textContent = m.network_legend;
    if (pendingFrame) { updateNetwork(pendingFrame); }
    if (selected === null && before !== null) clearSelectionView();
    lastSettingInput = null;
    dataDirty = true;
    scheduleDraw();
  }

  function onHello(m) {
    limits = m.limits || {};
    var c = m.choices || {};
    fillSelect(el.dataset, c.datasets || []);
    fillSelect(el.optimizer, c.optimizers || []);
    fillSelect(el.activation, c.activations || []);
    writeLimits(limits);
    enableControls(true);
  }

  function onError(m) {
    showError(String(m.message));
    // Put the control that asked back to what the server holds.
    if (lastSettingInput && settings) {
      var input = lastSettingInput;
      lastSettingInput = null;
      setControls(settings);
      if (input === el.dataset && settings.dataset !== undefined) setSelect(el.dataset, settings.dataset);
    }
  }

  function parse(text) {
    try { return JSON.parse(text); } catch (err) {
      // Python's json writes NaN and Infinity, which JSON does not have: read them as null.
      try { return JSON.parse(text.replace(/\bNaN\b|-?\bInfinity\b/g, "null")); } catch (err2) { return null; }
    }
  }

  function onMessage(event) {
    var m = parse(String(event.data));
    if (!m || typeof m !== "object") { showError(_("The server sent a message the page cannot read.")); return; }
    switch (m.type) {
      case "hello": onHello(m); break;
      case "state": onState(m); break;
      case "frame": onFrame(m); break;
      case "selection": showSelection(m); break;
      case "model_file": download(String(m.filename || "lab-model.json"), String(m.text), "application/json"); break;
      case "error": onError(m); break;
      default: break;            // a message of a newer server: ignore it
    }
  }

  function onClose() {
    if (!open && el.closed.hidden === false) return;
    open = false;
    closed = true;
    el.closed.textContent = _("The lab's server stopped or the connection was lost; restart `tinygrad-edu lab`");
    el.closed.hidden = false;
    enableControls(false);
    setPlaying(false);
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws" + location.search;
    try { socket = new WebSocket(url); } catch (err) { onClose(); return; }
    socket.onopen = function () {
      open = true;
      send({ type: "language", lang: I18N.language() });    // the server's messages in the learner's language
    };
    socket.onmessage = onMessage;
    socket.onclose = onClose;
  }

  // Another language: the server is told, and every text this script wrote is written
  // again (the marked HTML i18n.js redraws itself).
  I18N.onChange(function () {
    send({ type: "language", lang: I18N.language() });
    setPlaying(playing);
    writeLimits(limits);
    if (plotStatus) setPlotStatus(plotStatus);
    writeSelectionInfo();
    if (el.pointGraph.getAttribute("srcdoc") === placeholder) showPlaceholder();
    syncFrameLanguage();
    if (shownDelta) showDelta(shownDelta);
    if (shownFrame) updateNetwork(shownFrame);
    if (closed) el.closed.textContent = _("The lab's server stopped or the connection was lost; restart `tinygrad-edu lab`");
    nameChoices(el.dataset);
    nameChoices(el.optimizer);
    drawData();
    drawLoss();
  });

  enableControls(false);
  setPlaying(false);
  writeLimits(limits);
  writeSelectionInfo();
  showPlaceholder();
  drawData();
  drawLoss();
  connect();
})();
