// The numseries page: parse the typed sequence, POST it to /predict, draw the answer. No build step, no
// libraries: the chart is an inline SVG. Optional fields (intervals, pattern, weights) are drawn when present.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

function parseValues(text) {
  // Tokens split on spaces, commas, semicolons and new lines, as `numseries predict -` reads stdin.
  const tokens = text.split(/[\s,;]+/).filter((t) => t !== "");
  if (tokens.length === 0) throw new Error("type a sequence first, e.g. 2 4 6 8 10");
  return tokens.map((token, i) => {
    const value = Number(token);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token) || !Number.isFinite(value)) {
      throw new Error(`'${token}' (value ${i + 1}) is not a finite number; separate numbers with spaces, commas or new lines`);
    }
    return value;
  });
}

function format(x) {
  // Like the CLI's %.6g: six significant digits, no trailing zeros.
  return Number(x.toPrecision(6)).toString();
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = message === "";
  $("values").setAttribute("aria-invalid", message === "" ? "false" : "true");
}

async function predict(event) {
  event.preventDefault();
  let body;
  try {
    body = { values: parseValues($("values").value) };
  } catch (err) {
    showError(err.message);
    return;
  }
  const steps = Number($("steps").value || 1);
  if (steps !== 1) body.steps = steps;
  let response, data;
  try {
    response = await fetch("/predict", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (err) {
    showError(`cannot reach the numseries server (${err.message}); is it still running?`);
    return;
  }
  data = await response.json().catch(() => ({}));
  if (!response.ok) {
    showError(data.error || `the server answered ${response.status}`);
    return;
  }
  showError("");
  render(body, data);
}

function render(body, data) {
  $("result").hidden = false;
  $("prediction").textContent = format(data.prediction);
  const cropped = data.n_used < data.n_values;
  $("note").hidden = !cropped && !data.forecast;
  $("note").textContent = [
    cropped ? `The model reads at most ${data.n_used} values; it used the last ${data.n_used} of ${data.n_values}.` : "",
    data.forecast ? `Forecast (each prediction fed back in): ${data.forecast.map(format).join(", ")}.` : "",
  ].join(" ").trim();
  showExtras(data);
  chart(body.values, data);
  table(body.values, data);
  $("curl").textContent = curl(body);
  $("copied").textContent = "";
}

function showExtras(data) {
  // The pattern (an exact rule, or what the sequence looks like) and the intervals, when present.
  const pattern = $("pattern");
  pattern.hidden = !data.pattern;
  if (data.pattern) pattern.textContent = `pattern: ${data.pattern}${data.exact ? " (exact)" : ""}`;
  const intervals = $("intervals");
  const levels = Object.entries(data.intervals || {});
  intervals.hidden = levels.length === 0;
  intervals.textContent = levels.map(([level, [lo, hi]]) => `${level}% interval: ${format(lo)} to ${format(hi)}`).join("; ");
}

function el(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  parent.appendChild(node);
  return node;
}

function stepWeights(data) {
  // The exact per-step weights (prediction = sum of weight × value), or the attention when the model has none.
  return data.weights ? { name: "weight", values: data.weights } : { name: "attention", values: data.attention };
}

function bounds(data) {
  // [lo, hi] per predicted step of the widest interval, or null.
  const levels = Object.keys(data.forecast_intervals || data.intervals || {}).sort((a, b) => Number(b) - Number(a));
  if (levels.length === 0) return null;
  if (data.forecast_intervals) {
    const [lo, hi] = data.forecast_intervals[levels[0]];
    return { level: levels[0], steps: lo.map((l, i) => [l, hi[i]]) };
  }
  return { level: levels[0], steps: [data.intervals[levels[0]]] };
}

function chart(values, data) {
  const svg = $("chart");
  svg.replaceChildren();
  // As wide as the SVG is drawn (so that its text stays 12px on a phone), 320 to 640 units.
  const width = Math.round(Math.min(640, Math.max(320, svg.clientWidth || 640)));
  svg.setAttribute("viewBox", `0 0 ${width} 300`);
  const top = 16, plotBottom = 200, barTop = 222, barBottom = 292, left = 80, right = 16;
  const predicted = data.forecast || [data.prediction];
  const band = bounds(data);
  const all = values.concat(predicted, band ? band.steps.flat() : []);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { lo -= 1; hi += 1; }
  const n = values.length + predicted.length;
  const x = (i) => left + (n === 1 ? 0 : (i * (width - left - right)) / (n - 1));
  const y = (v) => plotBottom - ((v - lo) / (hi - lo)) * (plotBottom - top);
  for (const v of [lo, (lo + hi) / 2, hi]) {
    el("line", { class: "grid", x1: left, x2: width - right, y1: y(v), y2: y(v) }, svg);
    el("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, svg).textContent = format(v);
  }
  const last = values.length - 1;
  if (band) {  // the interval: a shaded band from the last value through each predicted step
    const upper = band.steps.map(([, h], i) => `${x(last + 1 + i)},${y(h)}`);
    const lower = band.steps.map(([l], i) => `${x(last + 1 + i)},${y(l)}`).reverse();
    const start = `${x(last)},${y(values[last])}`;
    const shape = el("polygon", { class: "band", points: [start, ...upper, ...lower].join(" ") }, svg);
    el("title", {}, shape).textContent = `${band.level}% interval`;
  }
  const points = (list, offset) => list.map((v, i) => `${x(i + offset)},${y(v)}`).join(" ");
  el("polyline", { class: "series", points: points(values, 0) }, svg);
  el("polyline", { class: "predicted", points: points([values[last]].concat(predicted), last) }, svg);
  values.forEach((v, i) => el("circle", { class: "series-dot", cx: x(i), cy: y(v), r: 3.5 }, svg));
  predicted.forEach((v, i) => {
    const dot = el("circle", { class: "predicted-dot", cx: x(values.length + i), cy: y(v), r: i === 0 ? 6 : 4 }, svg);
    el("title", {}, dot).textContent = `${i === 0 ? "prediction" : `forecast t+${i + 1}`}: ${format(v)}`;
  });
  // One bar per input step: its weight, up when positive and down when negative, scaled to the largest.
  const weights = stepWeights(data);
  const most = Math.max(...weights.values.map(Math.abs), 1e-12);
  const signed = weights.values.some((w) => w < 0);
  const zero = signed ? (barTop + barBottom) / 2 : barBottom;
  const reach = zero - barTop;
  const barWidth = Math.max(2, Math.min(24, (0.7 * (width - left - right)) / n));
  el("line", { class: "grid", x1: left, x2: x(last) + barWidth, y1: zero, y2: zero }, svg);
  el("text", { x: left - 6, y: zero + 4, "text-anchor": "end" }, svg).textContent = weights.name;
  weights.values.forEach((w, i) => {
    const h = (Math.abs(w) / most) * reach;
    const attributes = { x: x(i) - barWidth / 2, y: w < 0 ? zero : zero - h, width: barWidth, height: h };
    const bar = el("rect", { class: w < 0 ? "bar negative" : "bar", ...attributes }, svg);
    el("title", {}, bar).textContent = `step ${i + 1}: ${weights.name} ${w.toFixed(3)}`;
  });
}

function equation(values, data) {
  // "12 = 2 × 10 − 1 × 8": the largest terms of the weighted sum, as the CLI writes it.
  if (!data.weights) return "";
  const order = data.weights.map((w, i) => i).filter((i) => Math.abs(data.weights[i]) >= 0.005);
  order.sort((a, b) => Math.abs(data.weights[b]) - Math.abs(data.weights[a]));
  const shown = order.slice(0, order.length <= 5 ? 5 : 3);
  let rest = data.prediction;
  const terms = shown.map((i, k) => {
    const w = data.weights[i];
    rest -= w * values[i];
    const sign = k === 0 ? (w < 0 ? "−" : "") : (w < 0 ? "− " : "+ ");
    return `${sign}${format(Math.abs(w))} × ${format(values[i])}`;
  });
  const scale = Math.max(...values.slice(1).map((v, i) => Math.abs(v - values[i])), 1e-300);
  const others = values.length - shown.length;  // what the steps not shown add (for a rule: its constant)
  const what = others > 0 ? ` (the other ${others} step${others > 1 ? "s" : ""})` : "";
  if (Math.abs(rest) > 1e-4 * scale) terms.push(`${rest < 0 ? "−" : "+"} ${format(Math.abs(rest))}${what}`);
  return `${format(data.prediction)} = ${terms.join(" ")}`;
}

function table(values, data) {
  const weights = stepWeights(data);
  const most = Math.max(...weights.values.map(Math.abs), 1e-12);
  const rows = values.map((v, i) => {
    const w = weights.values[i];
    const row = document.createElement("tr");
    if (i < data.n_values - data.n_used) row.className = "unused";
    for (const text of [String(i + 1), format(v), w.toFixed(3), data.attention[i].toFixed(3)]) {
      row.appendChild(document.createElement("td")).textContent = text;
    }
    const cell = row.appendChild(document.createElement("td"));
    cell.className = "bar-cell";
    const bar = cell.appendChild(document.createElement("span"));
    bar.className = w < 0 ? "negative" : "positive";
    bar.style.width = `${(50 * Math.abs(w) / most).toFixed(1)}%`;
    return row;
  });
  $("weights").tBodies[0].replaceChildren(...rows);
  $("equation").textContent = equation(values, data);
  $("equation").hidden = !data.weights;
}

function curl(body) {
  const json = JSON.stringify(body).replace(/'/g, "'\\''");
  return `curl -s ${location.origin}/predict -H 'Content-Type: application/json' -d '${json}'`;
}

async function copyCurl() {
  const text = $("curl").textContent;
  try {
    await navigator.clipboard.writeText(text);
    $("copied").textContent = "copied";
  } catch {
    // No clipboard permission: select the command so that Ctrl+C copies it.
    window.getSelection().selectAllChildren($("curl"));
    $("copied").textContent = "selected: press Ctrl+C to copy";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("form").addEventListener("submit", predict);
  $("values").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("form").requestSubmit();
    }
  });
  $("copy").addEventListener("click", copyCurl);
});
