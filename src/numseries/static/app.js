// The numseries page: parse the typed sequence, POST it to /predict, draw the answer. No build step, no
// libraries: the chart is an inline SVG. Optional fields (intervals, pattern, weights) are drawn when present.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

function parseValues(text) {
  // Tokens split on spaces, commas, semicolons and new lines, as `numseries predict -` reads stdin.
  const typed = tokens(text);
  if (typed.length === 0) throw new Error("type a sequence first, e.g. 2 4 6 8 10");
  return typed.map((token, i) => {
    const value = Number(token);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token) || !Number.isFinite(value)) {
      throw new Error(`'${token}' (value ${i + 1}) is not a finite number; separate numbers with spaces, commas or new lines`);
    }
    return value;
  });
}

function meanStep(values) {
  // The mean absolute step of the values, or null for a constant sequence (as numseries.formatting.mean_step).
  const steps = values.slice(1).map((v, i) => Math.abs(v - values[i]));
  const step = steps.reduce((a, b) => a + b, 0) / Math.max(steps.length, 1);
  return step > 0 && Number.isFinite(step) ? step : null;
}

function format(x, step = null) {
  // As numseries.formatting.format_value: to the digit below 1/100 of the mean step, at least 3 significant
  // digits, none below the float's resolution; without a step (a constant, an exact rule) in full.
  if (!step || !Number.isFinite(x)) {
    return Number.isInteger(x) && Math.abs(x) < 2 ** 53 ? String(x) : Number(x.toPrecision(15)).toString();
  }
  const magnitude = x ? Math.floor(Math.log10(Math.abs(x))) : 0;
  let decimals = Math.max(Math.ceil(Math.log10(100 / step)), 2 - magnitude);
  const spacing = x ? Number.EPSILON * 2 ** Math.floor(Math.log2(Math.abs(x))) : Number.MIN_VALUE;
  decimals = Math.min(decimals, Math.floor(-Math.log10(spacing)));
  if (Math.abs(x) < 1e16) decimals = Math.max(decimals, 0);
  const digits = Math.min(Math.max(magnitude + 1 + decimals, 1), 17);
  return Number(x.toPrecision(digits)).toString();
}

function formatTogether(xs, step) {
  // Numbers shown together share the decimals of the one that shows most: "118.0 to 141.8" (format_values).
  const texts = xs.map((x) => format(x, step));
  const plain = (t) => !/[en]/.test(t);
  const most = Math.max(0, ...texts.filter(plain).map((t) => (t.split(".")[1] || "").length));
  return texts.map((t, i) => (plain(t) && step ? xs[i].toFixed(most) : t));
}

function tokens(text) {
  // The numbers as the user typed them, split on spaces, commas, semicolons and new lines.
  return text.split(/[\s,;]+/).filter((t) => t !== "");
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
  render(body, data, tokens($("values").value));
}

function render(body, data, typed) {
  $("result").hidden = false;
  const step = data.exact ? null : meanStep(body.values);
  $("prediction").textContent = format(data.prediction, step);
  const cropped = data.n_used < data.n_values;
  $("note").hidden = !cropped && !data.forecast;
  $("note").textContent = [
    cropped ? `The model reads at most ${data.n_used} values; it used the last ${data.n_used} of ${data.n_values}.` : "",
    data.forecast ? `Forecast (each prediction fed back in): ${formatTogether(data.forecast, step).join(", ")}.` : "",
    data.forecast && data.forecast_read < data.n_used
      ? `From step 2 on it is read from the last ${data.forecast_read} values: read from all ${data.n_used}, ` +
        "the path ran away or missed their own last values by over twice as much."
      : "",
  ].join(" ").trim();
  showExtras(data, step);
  chart(body.values, data, step);
  table(body.values, data, typed, step);
  $("curl").textContent = curl(body);
  $("copied").textContent = "";
}

function showExtras(data, step) {
  // The pattern (an exact rule, or what the sequence looks like) and the intervals, when present.
  const pattern = $("pattern");
  pattern.hidden = !data.pattern;
  if (data.pattern) pattern.textContent = `pattern: ${data.pattern}${data.exact ? " (exact)" : ""}`;
  const intervals = $("intervals");
  const levels = Object.entries(data.intervals || {});
  intervals.hidden = levels.length === 0;
  intervals.textContent = levels.map(([level, [lo, hi]]) => `${level}% interval: ${formatTogether([lo, hi], step).join(" to ")}`).join("; ");
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

function chart(values, data, step) {
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
    el("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, svg).textContent = format(v, meanStep(values));
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
    el("title", {}, dot).textContent = `${i === 0 ? "prediction" : `forecast t+${i + 1}`}: ${format(v, step)}`;
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

function equation(values, data, typed, step) {
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
    return `${sign}${Number(Math.abs(w).toPrecision(3))} × ${typed[i]}`;
  });
  const scale = Math.max(...values.slice(1).map((v, i) => Math.abs(v - values[i])), 1e-300);
  const others = values.length - shown.length;  // what the steps not shown add (for a rule: its constant)
  const what = others > 0 ? ` (the other ${others} step${others > 1 ? "s" : ""})` : "";
  if (Math.abs(rest) > 1e-4 * scale) terms.push(`${rest < 0 ? "−" : "+"} ${format(Math.abs(rest), step)}${what}`);
  return `${format(data.prediction, step)} = ${terms.join(" ")}`;
}

function table(values, data, typed, step) {
  const weights = stepWeights(data);
  const most = Math.max(...weights.values.map(Math.abs), 1e-12);
  const rows = values.map((v, i) => {
    const w = weights.values[i];
    const row = document.createElement("tr");
    if (i < data.n_values - data.n_used) row.className = "unused";
    for (const text of [String(i + 1), typed[i], w.toFixed(3), data.attention[i].toFixed(3)]) {
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
  $("equation").textContent = equation(values, data, typed, step);
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
