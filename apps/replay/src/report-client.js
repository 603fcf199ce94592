/*
 * The drawing code of the replay's day report (apps/replay/src/report.ts
 * inlines it after TradingView Lightweight Charts™). It reads the day's data
 * from the JSON data island (id ict-report-data) and builds, per symbol: the candles
 * (1m or 5m), the zones as boxes (a series primitive drawing on the canvas),
 * breaks of structure, the 5m EQ line and OTE band, SMT markers, a stage band
 * pane under the candles, and the tables of stage transitions and confluence
 * lives. Times are shown in New York time. Nothing is fetched.
 */
(function () {
  "use strict";
  var LW = window.LightweightCharts;
  var D = JSON.parse(document.getElementById("ict-report-data").textContent);
  var root = document.getElementById("ict-report");
  var STATUS = D.statuses;

  var NY_HM = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  var NY_DAY = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", month: "short", day: "numeric" });
  var NY_FULL = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function hm(s) { return NY_HM.format(new Date(s * 1000)); }

  var COLORS = {
    FVG: { 1: [38, 166, 154], "-1": [239, 83, 80] },
    IFVG: { 1: [0, 150, 136], "-1": [216, 27, 96] },
    OB: { 1: [33, 150, 243], "-1": [255, 152, 0] },
    BB: { 1: [126, 87, 194], "-1": [141, 110, 99] },
  };
  function rgba(c, a) { return "rgba(" + c[0] + "," + c[1] + "," + c[2] + "," + a + ")"; }
  function zoneColor(kind, dir) { var k = COLORS[kind] || COLORS.FVG; return k[dir > 0 ? 1 : "-1"]; }
  var BULL = "#1b9e77", BEAR = "#d7263d";
  var STAGE_COLORS = {
    htf: { none: "#e3e6ec", reversal_seen: "#f4b860", confirmed: "#4f9d69" },
    ltf: { none: "#e3e6ec", scanning: "#9cc3e6", entry_window: "#2e8b57", invalidated: "#d9534f" },
    bias: { bull: "#7cc89a", bear: "#ef8a8a", "null": "#e3e6ec" },
  };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /** 5m bars from 1m bars: buckets on UTC 5-minute boundaries, as the engine's aggregate(). */
  function viewOf(s, step) {
    if (step === 60) return { step: 60, t: s.t, o: s.o, h: s.h, l: s.l, c: s.c };
    var v = { step: step, t: [], o: [], h: [], l: [], c: [] };
    var key = null, m = -1;
    for (var i = 0; i < s.t.length; i++) {
      var k = s.t[i] - (((s.t[i] % step) + step) % step);
      if (k !== key) { key = k; m++; v.t.push(k); v.o.push(s.o[i]); v.h.push(s.h[i]); v.l.push(s.l[i]); v.c.push(s.c[i]); }
      else { if (s.h[i] > v.h[m]) v.h[m] = s.h[i]; if (s.l[i] < v.l[m]) v.l[m] = s.l[i]; v.c[m] = s.c[i]; }
    }
    return v;
  }

  /** Logical (fractional bar index) of a UTC-seconds time in a view. */
  function logicalOf(v, ts) {
    var t = v.t, n = t.length;
    if (n === 0) return 0;
    if (ts < t[0]) return (ts - t[0]) / v.step;
    var lo = 0, hi = n - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (t[mid] <= ts) lo = mid; else hi = mid - 1; }
    var frac = (ts - t[lo]) / v.step;
    if (lo < n - 1 && frac > 0.999) frac = 0.999;
    return lo + frac;
  }

  /** The overlay of one chart: zones, EQ/OTE, breaks (a series primitive). */
  function Overlay(state) {
    this.state = state;
    this.chart = null; this.series = null; this.request = null;
    var self = this;
    this.view = {
      zOrder: function () { return "normal"; },
      renderer: function () {
        return {
          drawBackground: function (target) { target.useBitmapCoordinateSpace(function (sc) { self.drawBack(sc); }); },
          draw: function (target) { target.useBitmapCoordinateSpace(function (sc) { self.drawFront(sc); }); },
        };
      },
    };
  }
  Overlay.prototype.attached = function (p) { this.chart = p.chart; this.series = p.series; this.request = p.requestUpdate; };
  Overlay.prototype.detached = function () { this.chart = null; this.series = null; this.request = null; };
  Overlay.prototype.updateAllViews = function () {};
  Overlay.prototype.paneViews = function () { return [this.view]; };
  Overlay.prototype.redraw = function () { if (this.request) this.request(); };
  Overlay.prototype.x = function (ts) {
    var c = this.chart.timeScale().logicalToCoordinate(logicalOf(this.state.view, ts));
    return c === null ? null : c;
  };
  Overlay.prototype.y = function (p) { var c = this.series.priceToCoordinate(p); return c === null ? null : c; };
  Overlay.prototype.drawBack = function (sc) {
    if (!this.chart) return;
    var ctx = sc.context, hr = sc.horizontalPixelRatio, vr = sc.verticalPixelRatio, st = this.state, s = st.sym;
    var W = sc.bitmapSize.width;
    function clampX(x) { return Math.max(-10, Math.min(W + 10, x)); }
    if (st.layers.eq) {
      for (var i = 0; i < s.eqote.length; i++) {
        var q = s.eqote[i];
        if (q[2] === null || q[3] === null) continue;
        var t1 = i + 1 < s.eqote.length ? s.eqote[i + 1][0] : s.end;
        var xa = this.x(q[0]), xb = this.x(t1), ya = this.y(q[3]), yb = this.y(q[2]);
        if (xa === null || xb === null || ya === null || yb === null) continue;
        ctx.fillStyle = "rgba(255,193,7,0.16)";
        ctx.fillRect(Math.round(clampX(xa * hr)), Math.round(ya * vr), Math.max(1, Math.round(clampX(xb * hr) - clampX(xa * hr))), Math.max(1, Math.round((yb - ya) * vr)));
      }
    }
    for (var pass = 0; pass < 2; pass++) {
      var tf = pass === 0 ? "5m" : "1m";
      if (!st.layers[tf]) continue;
      for (var j = 0; j < s.zones.length; j++) {
        var z = s.zones[j];
        if (z[1] !== tf) continue;
        var x0 = this.x(z[3]), x1 = this.x(z[4] === null ? s.end : z[4]);
        var y0 = this.y(z[6]), y1 = this.y(z[5]);
        if (x0 === null || x1 === null || y0 === null || y1 === null) continue;
        var X0 = clampX(x0 * hr), X1 = clampX(x1 * hr);
        if (X1 < 0 || X0 > W) continue;
        var col = zoneColor(z[0], z[2]);
        var Y0 = Math.round(y0 * vr), H = Math.max(Math.round(1 * vr), Math.round((y1 - y0) * vr));
        var w = Math.max(Math.round(2 * hr), Math.round(X1 - X0));
        ctx.fillStyle = rgba(col, tf === "5m" ? (z[4] === null ? 0.22 : 0.14) : 0.12);
        ctx.fillRect(Math.round(X0), Y0, w, H);
        ctx.lineWidth = Math.max(1, Math.round(hr));
        ctx.strokeStyle = rgba(col, tf === "5m" ? 0.85 : 0.45);
        ctx.setLineDash(z[0] === "IFVG" || z[0] === "BB" ? [Math.round(4 * hr), Math.round(3 * hr)] : []);
        ctx.strokeRect(Math.round(X0) + 0.5, Y0 + 0.5, w, H);
        if (z[8] !== null && tf === "5m") {
          var yc = this.y(z[8]);
          if (yc !== null) {
            ctx.setLineDash([Math.round(2 * hr), Math.round(2 * hr)]);
            ctx.beginPath(); ctx.moveTo(Math.round(X0), Math.round(yc * vr) + 0.5); ctx.lineTo(Math.round(X0) + w, Math.round(yc * vr) + 0.5); ctx.stroke();
          }
        }
        ctx.setLineDash([]);
      }
    }
  };
  Overlay.prototype.drawFront = function (sc) {
    if (!this.chart) return;
    var ctx = sc.context, hr = sc.horizontalPixelRatio, vr = sc.verticalPixelRatio, st = this.state, s = st.sym;
    ctx.font = Math.round(10 * vr) + "px system-ui, sans-serif";
    ctx.textBaseline = "bottom";
    if (st.layers.eq) {
      ctx.strokeStyle = "rgba(90,90,90,0.9)";
      ctx.lineWidth = Math.max(1, Math.round(hr));
      ctx.setLineDash([Math.round(6 * hr), Math.round(4 * hr)]);
      for (var i = 0; i < s.eqote.length; i++) {
        var q = s.eqote[i];
        if (q[1] === null) continue;
        var t1 = i + 1 < s.eqote.length ? s.eqote[i + 1][0] : s.end;
        var xa = this.x(q[0]), xb = this.x(t1), y = this.y(q[1]);
        if (xa === null || xb === null || y === null) continue;
        ctx.beginPath(); ctx.moveTo(Math.round(xa * hr), Math.round(y * vr) + 0.5); ctx.lineTo(Math.round(xb * hr), Math.round(y * vr) + 0.5); ctx.stroke();
      }
      ctx.setLineDash([]);
      var lastq = s.eqote.length ? s.eqote[s.eqote.length - 1] : null;
      if (lastq && lastq[1] !== null) {
        var yl = this.y(lastq[1]), xl = this.x(s.end);
        if (yl !== null && xl !== null) { ctx.fillStyle = "rgba(90,90,90,0.95)"; ctx.fillText("EQ", Math.round(xl * hr) - Math.round(16 * hr), Math.round(yl * vr) - 2); }
      }
    }
    if (st.layers.breaks) {
      for (var j = 0; j < s.breaks.length; j++) {
        var b = s.breaks[j];
        if (!st.layers[b[0]]) continue;
        var x0 = this.x(b[3]), x1 = this.x(b[4]), yb = this.y(b[5]);
        if (x0 === null || x1 === null || yb === null) continue;
        var col = b[1] > 0 ? BULL : BEAR;
        ctx.strokeStyle = col;
        ctx.lineWidth = Math.max(1, Math.round((b[0] === "5m" ? 2 : 1) * hr));
        ctx.setLineDash(b[2] === "CHOCH" ? [Math.round(5 * hr), Math.round(3 * hr)] : []);
        var Y = Math.round(yb * vr) + 0.5;
        ctx.beginPath(); ctx.moveTo(Math.round(x0 * hr), Y); ctx.lineTo(Math.round(x1 * hr), Y); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = col;
        ctx.textBaseline = b[1] > 0 ? "bottom" : "top";
        ctx.fillText((b[2] === "CHOCH" ? "CHoCH" : "BOS") + " " + b[0], Math.round(((x0 + x1) / 2) * hr) - Math.round(14 * hr), b[1] > 0 ? Y - 2 : Y + 2);
      }
      ctx.textBaseline = "bottom";
    }
    if (st.layers["5m"]) {
      for (var k = 0; k < s.zones.length; k++) {
        var z = s.zones[k];
        if (z[1] !== "5m") continue;
        var zx = this.x(z[3]), zy = this.y(z[6]);
        if (zx === null || zy === null) continue;
        ctx.fillStyle = rgba(zoneColor(z[0], z[2]), 1);
        ctx.fillText(z[0] + " 5m", Math.round(zx * hr) + 3, Math.round(zy * vr) - 1);
      }
    }
  };

  /** The stage band pane: one row per stage (HTF, LTF, bias), coloured by value over time. */
  function StageBands(state) {
    this.state = state; this.chart = null; this.request = null;
    var self = this;
    this.view = {
      zOrder: function () { return "normal"; },
      renderer: function () { return { draw: function (target) { target.useBitmapCoordinateSpace(function (sc) { self.draw(sc); }); } }; },
    };
  }
  StageBands.prototype.attached = function (p) { this.chart = p.chart; this.request = p.requestUpdate; };
  StageBands.prototype.detached = function () { this.chart = null; };
  StageBands.prototype.updateAllViews = function () {};
  StageBands.prototype.paneViews = function () { return [this.view]; };
  StageBands.prototype.draw = function (sc) {
    if (!this.chart) return;
    var ctx = sc.context, hr = sc.horizontalPixelRatio, vr = sc.verticalPixelRatio, s = this.state.sym, v = this.state.view;
    var W = sc.bitmapSize.width, H = sc.bitmapSize.height, rowH = Math.floor(H / 3);
    var ts = this.chart.timeScale();
    var rows = [["htf", 1], ["ltf", 2], ["bias", 3]];
    for (var r = 0; r < 3; r++) {
      var key = rows[r][0], col = rows[r][1];
      for (var i = 0; i < s.stages.length; i++) {
        var a = s.stages[i], t1 = i + 1 < s.stages.length ? s.stages[i + 1][0] : s.end;
        var xa = ts.logicalToCoordinate(logicalOf(v, a[0])), xb = ts.logicalToCoordinate(logicalOf(v, t1));
        if (xa === null || xb === null) continue;
        var X0 = Math.max(0, Math.round(xa * hr)), X1 = Math.min(W, Math.round(xb * hr));
        if (X1 <= X0) continue;
        ctx.fillStyle = STAGE_COLORS[key][String(a[col])] || "#cccccc";
        ctx.fillRect(X0, r * rowH + 1, X1 - X0, rowH - 2);
      }
      ctx.fillStyle = "#1f2430";
      ctx.font = Math.round(10 * vr) + "px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      ctx.textAlign = "right";
      ctx.fillText(key.toUpperCase(), W - Math.round(4 * hr), r * rowH + rowH / 2);
      ctx.textAlign = "left";
    }
  };

  function stageAt(s, ts) {
    var cur = null;
    for (var i = 0; i < s.stages.length && s.stages[i][0] <= ts; i++) cur = s.stages[i];
    return cur;
  }

  function legend() {
    var box = el("div", { class: "legend" });
    function item(color, text, dashed) {
      var sp = el("span");
      var sw = el("span", { class: "sw", style: "background:" + color + (dashed ? ";border-style:dashed" : "") });
      sp.appendChild(sw); sp.appendChild(document.createTextNode(text)); box.appendChild(sp);
    }
    item(rgba(COLORS.FVG[1], 0.5), "FVG bull"); item(rgba(COLORS.FVG["-1"], 0.5), "FVG bear");
    item(rgba(COLORS.IFVG[1], 0.5), "IFVG bull", true); item(rgba(COLORS.IFVG["-1"], 0.5), "IFVG bear", true);
    item(rgba(COLORS.OB[1], 0.5), "OB bull"); item(rgba(COLORS.OB["-1"], 0.5), "OB bear");
    item(rgba(COLORS.BB[1], 0.5), "breaker bull", true); item(rgba(COLORS.BB["-1"], 0.5), "breaker bear", true);
    item("rgba(255,193,7,0.45)", "OTE (5m)"); item("#5a5a5a", "EQ (5m)");
    item(BULL, "BOS/CHoCH bull"); item(BEAR, "BOS/CHoCH bear");
    return box;
  }

  function stagesTable(s) {
    var det = el("details", { open: "" });
    det.appendChild(el("summary", null, "Stage transitions (" + s.stages.length + ")"));
    var wrap = el("div", { class: "scroll" }), tab = el("table");
    var hr = el("tr");
    ["time (NY)", "htf_stage", "ltf_stage", "bias", "price vs EQ"].forEach(function (h) { hr.appendChild(el("th", null, h)); });
    tab.appendChild(hr);
    s.stages.forEach(function (a) {
      var tr = el("tr");
      [hm(a[0]), a[1], a[2], a[3] === null ? "—" : a[3], a[4] === null ? "—" : a[4]].forEach(function (x) { tr.appendChild(el("td", null, x)); });
      tab.appendChild(tr);
    });
    wrap.appendChild(tab); det.appendChild(wrap);
    return det;
  }

  function confTable(s) {
    var det = el("details");
    var counts = {};
    s.confs.forEach(function (c) { var last = STATUS[c[4][c[4].length - 1][1]]; counts[last] = (counts[last] || 0) + 1; });
    var parts = Object.keys(counts).sort().map(function (k) { return k + " " + counts[k]; });
    det.appendChild(el("summary", null, "Confluences (" + s.confs.length + "; at the close: " + (parts.join(", ") || "none") + ")"));
    var built = false;
    det.addEventListener("toggle", function () {
      if (built || !det.open) return;
      built = true;
      var wrap = el("div", { class: "scroll" }), tab = el("table");
      var hr = el("tr");
      ["confluence", "kind", "tf", "first seen", "life (NY time)", "last"].forEach(function (h) { hr.appendChild(el("th", null, h)); });
      tab.appendChild(hr);
      s.confs.forEach(function (c) {
        var tr = el("tr");
        tr.appendChild(el("td", null, c[3]));
        tr.appendChild(el("td", null, c[0]));
        tr.appendChild(el("td", null, c[1]));
        tr.appendChild(el("td", null, hm(c[4][0][0])));
        var life = el("td");
        c[4].forEach(function (e, i) {
          if (i > 0) life.appendChild(document.createTextNode(" → "));
          life.appendChild(el("span", { class: "st-" + STATUS[e[1]] }, STATUS[e[1]] + " " + hm(e[0])));
        });
        tr.appendChild(life);
        var last = STATUS[c[4][c[4].length - 1][1]];
        tr.appendChild(el("td", { class: "st-" + last }, last));
        tab.appendChild(tr);
      });
      wrap.appendChild(tab); det.appendChild(wrap);
    });
    return det;
  }

  function buildSymbol(s) {
    var sec = el("section", { class: "sym", "data-symbol": s.symbol });
    sec.appendChild(el("h2", null, s.symbol));
    var f = s.final;
    var counts = { "1m": 0, "5m": 0 };
    s.zones.forEach(function (z) { counts[z[1]] = (counts[z[1]] || 0) + 1; });
    sec.appendChild(el("div", { class: "meta" },
      s.t.length + " bars · zones 5m " + counts["5m"] + ", 1m " + counts["1m"] + " · breaks " + s.breaks.length + " · SMT " + s.smt.length +
      (f ? " · at the close: htf " + f.htf + ", ltf " + f.ltf + ", bias " + (f.bias === null ? "—" : f.bias) + (f.pvq ? ", " + f.pvq : "") : "")));
    var state = { sym: s, view: viewOf(s, 60), layers: { "1m": false, "5m": true, breaks: true, eq: true, smt: true } };
    var controls = el("div", { class: "controls" });
    function radio(step, text) {
      var lab = el("label"), inp = el("input", { type: "radio", name: "tf-" + s.symbol, value: String(step) });
      if (step === 60) inp.checked = true;
      inp.addEventListener("change", function () { if (inp.checked) setView(step); });
      lab.appendChild(inp); lab.appendChild(document.createTextNode(" " + text)); controls.appendChild(lab);
    }
    function check(key, text) {
      var lab = el("label"), inp = el("input", { type: "checkbox", "data-layer": key });
      inp.checked = state.layers[key];
      inp.addEventListener("change", function () { state.layers[key] = inp.checked; if (key === "smt") setMarkers(); overlay.redraw(); });
      lab.appendChild(inp); lab.appendChild(document.createTextNode(" " + text)); controls.appendChild(lab);
    }
    controls.appendChild(el("span", null, "candles:"));
    radio(60, "1m"); radio(300, "5m");
    controls.appendChild(el("span", null, "· show:"));
    check("5m", "5m zones & breaks"); check("1m", "1m zones & breaks"); check("breaks", "BOS/CHoCH"); check("eq", "EQ/OTE"); check("smt", "SMT");
    sec.appendChild(controls);
    var readout = el("div", { class: "meta readout" }, " ");
    sec.appendChild(readout);
    var box = el("div", { class: "chart" });
    sec.appendChild(box);
    sec.appendChild(legend());
    sec.appendChild(stagesTable(s));
    sec.appendChild(confTable(s));
    root.appendChild(sec);

    var chart = LW.createChart(box, {
      autoSize: true,
      layout: { background: { type: "solid", color: "#ffffff" }, textColor: "#1f2430", attributionLogo: true },
      grid: { vertLines: { color: "#f1f3f7" }, horzLines: { color: "#f1f3f7" } },
      rightPriceScale: { borderColor: "#d6dae3" },
      timeScale: {
        borderColor: "#d6dae3", timeVisible: true, secondsVisible: false,
        tickMarkFormatter: function (t, type) { return type < 3 ? NY_DAY.format(new Date(t * 1000)) : hm(t); },
      },
      localization: { timeFormatter: function (t) { return NY_FULL.format(new Date(t * 1000)) + " NY"; } },
    });
    var candles = chart.addSeries(LW.CandlestickSeries, {
      upColor: "#26a69a", downColor: "#ef5350", borderVisible: false, wickUpColor: "#26a69a", wickDownColor: "#ef5350",
    });
    var stageSeries = chart.addSeries(LW.LineSeries, {
      color: "rgba(0,0,0,0)", lineVisible: false, lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false, pointMarkersVisible: false,
      priceScaleId: "stages",
    }, 1);
    var overlay = new Overlay(state);
    candles.attachPrimitive(overlay);
    var bands = new StageBands(state);
    stageSeries.attachPrimitive(bands);
    var markers = LW.createSeriesMarkers(candles, []);
    function setMarkers() {
      var v = state.view, list = [];
      if (state.layers.smt) {
        s.smt.forEach(function (m) {
          var i = Math.floor(logicalOf(v, m[0]));
          if (i < 0 || i >= v.t.length) return;
          list.push({ time: v.t[i], position: m[1] > 0 ? "belowBar" : "aboveBar", shape: m[1] > 0 ? "arrowUp" : "arrowDown", color: m[1] > 0 ? BULL : BEAR, text: "SMT" });
        });
        list.sort(function (a, b) { return a.time - b.time; });
      }
      markers.setMarkers(list);
    }
    function setView(step) {
      var v = viewOf(s, step);
      state.view = v;
      var data = new Array(v.t.length), flat = new Array(v.t.length);
      for (var i = 0; i < v.t.length; i++) {
        data[i] = { time: v.t[i], open: v.o[i], high: v.h[i], low: v.l[i], close: v.c[i] };
        flat[i] = { time: v.t[i], value: 0 };
      }
      candles.setData(data);
      stageSeries.setData(flat);
      setMarkers();
      chart.timeScale().fitContent();
      overlay.redraw();
    }
    setView(60);
    var panes = chart.panes();
    if (panes.length > 1) panes[1].setHeight(66);
    chart.subscribeCrosshairMove(function (p) {
      if (!p || p.time === undefined) { readout.textContent = " "; return; }
      var d = p.seriesData.get(candles), st = stageAt(s, p.time);
      readout.textContent = NY_FULL.format(new Date(p.time * 1000)) + " NY" +
        (d ? "  O " + d.open + "  H " + d.high + "  L " + d.low + "  C " + d.close : "") +
        (st ? "  ·  htf " + st[1] + ", ltf " + st[2] + ", bias " + (st[3] === null ? "—" : st[3]) : "");
    });
  }

  if (!D.symbols.length) root.appendChild(el("p", null, "No bars for this day."));
  D.symbols.forEach(buildSymbol);
  window.__ictReport = { ready: true, symbols: D.symbols.map(function (s) { return s.symbol; }) };
})();
