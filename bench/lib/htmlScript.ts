/**
 * The script embedded in the HTML report: draws, from the JSON in <script id="bench-data">, one
 * latency-by-percentile plot per latency scenario (x = 1/(1-p) on a log scale labelled 90%, 99%,
 * 99.9%…, y = latency on a log scale, the HdrHistogram chart) and one throughput bar chart per
 * throughput scenario (baseline, peers and the machine's limit beside the ringbus variants), as
 * inline SVG. Plain ES5-style browser JavaScript, no network, no library; kept as text here
 * because the project compiles TypeScript for Node only (no DOM types).
 */
export const PLOT_SCRIPT = String.raw`
(function () {
  var NS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('bench-data').textContent);
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  var ROLE_DASH = { ringbus: '', baseline: '8 4', peer: '3 3', limit: '1 3' };
  var ROLE_FILL = { ringbus: '#1f77b4', baseline: '#7f7f7f', peer: '#ff7f0e', limit: '#2ca02c' };
  function el(name, attrs, parent, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmtNs(ns) {
    if (ns >= 1e9) return (ns / 1e9).toPrecision(3) + ' s';
    if (ns >= 1e6) return (ns / 1e6).toPrecision(3) + ' ms';
    if (ns >= 1e3) return (ns / 1e3).toPrecision(3) + ' \u00b5s';
    return ns.toFixed(0) + ' ns';
  }
  function fmtRate(r) {
    if (r >= 1e6) return (r / 1e6).toFixed(2) + ' M/s';
    if (r >= 1e3) return (r / 1e3).toFixed(1) + ' k/s';
    return r.toFixed(0) + ' /s';
  }
  function decadeLabel(k) {
    var ns = Math.pow(10, k);
    if (ns >= 1e9) return Math.round(ns / 1e9) + ' s';
    if (ns >= 1e6) return Math.round(ns / 1e6) + ' ms';
    if (ns >= 1e3) return Math.round(ns / 1e3) + ' \u00b5s';
    return Math.round(ns) + ' ns';
  }
  function percentileLabel(k) {
    if (k === 0) return '0%';
    if (k === 1) return '90%';
    return '99' + (k > 2 ? '.' + '9'.repeat(k - 2) : '') + '%';
  }
  function latencyPlot(section, sc) {
    var W = 760, H = 420, L = 70, R = 40, T = 20, B = 60;
    var maxX = 2, minY = Infinity, maxY = -Infinity;
    sc.latency.forEach(function (s) {
      s.points.forEach(function (p) {
        var lx = Math.log10(p[0]);
        if (lx > maxX) maxX = lx;
        var ly = Math.log10(Math.max(1, p[1]));
        if (ly < minY) minY = ly;
        if (ly > maxY) maxY = ly;
      });
    });
    maxX = Math.ceil(maxX);
    minY = Math.floor(minY);
    maxY = Math.max(minY + 1, Math.ceil(maxY));
    var svg = el('svg', { class: 'latency-plot', 'data-scenario': sc.scenario, width: W, height: H + 24 * sc.latency.length, viewBox: '0 0 ' + W + ' ' + (H + 24 * sc.latency.length) }, section);
    var x = function (v) { return L + ((W - L - R) * Math.log10(v)) / maxX; };
    var y = function (ns) { return T + ((H - T - B) * (maxY - Math.log10(Math.max(1, ns)))) / (maxY - minY); };
    var k;
    for (k = 0; k <= maxX; k++) {
      var px = L + ((W - L - R) * k) / maxX;
      el('line', { x1: px, x2: px, y1: T, y2: H - B, stroke: '#ddd' }, svg);
      el('text', { class: 'x-tick', x: px, y: H - B + 18, 'text-anchor': 'middle', 'font-size': 12 }, svg, percentileLabel(k));
    }
    for (k = minY; k <= maxY; k++) {
      var py = T + ((H - T - B) * (maxY - k)) / (maxY - minY);
      el('line', { x1: L, x2: W - R, y1: py, y2: py, stroke: '#ddd' }, svg);
      el('text', { class: 'y-tick', x: L - 6, y: py + 4, 'text-anchor': 'end', 'font-size': 12 }, svg, decadeLabel(k));
    }
    el('text', { class: 'axis-title x-title', x: (L + W - R) / 2, y: H - 14, 'text-anchor': 'middle', 'font-size': 13 }, svg, 'percentile (log scale of 1/(1-p))');
    el('text', { class: 'axis-title y-title', x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', 'font-size': 13, transform: 'rotate(-90 14 ' + (T + H - B) / 2 + ')' }, svg, 'latency');
    sc.latency.forEach(function (s, i) {
      var color = COLORS[i % COLORS.length];
      var d = s.points.map(function (p, j) { return (j === 0 ? 'M' : 'L') + x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); }).join(' ');
      el('path', { class: 'series', 'data-series': s.name, 'data-role': s.role, d: d, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': ROLE_DASH[s.role] || '' }, svg);
      var ly = H + 24 * i + 8;
      el('line', { x1: L, x2: L + 30, y1: ly, y2: ly, stroke: color, 'stroke-width': 2, 'stroke-dasharray': ROLE_DASH[s.role] || '' }, svg);
      el('text', { class: 'legend', x: L + 38, y: ly + 4, 'font-size': 12 }, svg, s.name + (s.role === 'ringbus' ? '' : ' (' + s.role + ')') + '  p50 ' + fmtNs(s.p50) + ', p99 ' + fmtNs(s.p99) + ', max ' + fmtNs(s.max));
    });
  }
  function throughputPlot(section, sc) {
    var rowH = 26, R = 120, W = 900, T = 10;
    // room on the left for the longest label (about 6.5 px per character at 12 px)
    var L = 20 + 6.5 * sc.throughput.reduce(function (m, b) { return Math.max(m, (b.name + ' (' + b.role + ')').length); }, 0);
    var H = T + rowH * sc.throughput.length + 30;
    var max = 0;
    sc.throughput.forEach(function (b) { max = Math.max(max, b.max || b.eventsPerSec); });
    var svg = el('svg', { class: 'throughput-plot', 'data-scenario': sc.scenario, width: W, height: H, viewBox: '0 0 ' + W + ' ' + H }, section);
    var scale = function (v) { return ((W - L - R) * v) / max; };
    sc.throughput.forEach(function (b, i) {
      var top = T + rowH * i;
      el('text', { class: 'bar-label', x: L - 8, y: top + 16, 'text-anchor': 'end', 'font-size': 12 }, svg, b.name + (b.role === 'ringbus' ? '' : ' (' + b.role + ')'));
      el('rect', { class: 'bar', 'data-series': b.name, 'data-role': b.role, x: L, y: top + 4, width: Math.max(1, scale(b.eventsPerSec)).toFixed(1), height: rowH - 8, fill: ROLE_FILL[b.role] || '#1f77b4' }, svg);
      if (b.min !== undefined && b.max !== undefined)
        el('line', { class: 'whisker', x1: L + scale(b.min), x2: L + scale(b.max), y1: top + rowH / 2, y2: top + rowH / 2, stroke: '#000' }, svg);
      el('text', { class: 'bar-value', x: L + scale(b.max || b.eventsPerSec) + 6, y: top + 16, 'font-size': 12 }, svg, fmtRate(b.eventsPerSec));
    });
    el('text', { class: 'axis-title', x: L, y: H - 8, 'font-size': 12 }, svg, 'events/s (median; line: fastest to slowest run)');
  }
  var root = document.getElementById('plots');
  data.scenarios.forEach(function (sc) {
    var section = document.createElement('section');
    section.setAttribute('data-scenario', sc.scenario);
    var h2 = document.createElement('h2');
    h2.textContent = sc.scenario + (sc.quick ? ' (quick smoke run: figures not meaningful)' : '');
    section.appendChild(h2);
    if (sc.latency.length > 0) latencyPlot(section, sc);
    if (sc.throughput.length > 0) throughputPlot(section, sc);
    var p = document.createElement('p');
    p.className = 'placement';
    p.textContent = 'machine: ' + sc.machine + ' \u2014 placement: ' + sc.placement;
    section.appendChild(p);
    root.appendChild(section);
  });
  document.body.setAttribute('data-drawn', String(data.scenarios.length));
})();
`;
