// The numseries page: parse the typed sequence, POST it to /predict, draw the answer. No build step, no
// libraries: the chart is an inline SVG. Fields that /predict does not return today are drawn only when
// present (see showExtras).
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

function chart(values, data) {
  const svg = $("chart");
  svg.replaceChildren();
  // As wide as the SVG is drawn (so that its text stays 12px on a phone), 320 to 640 units.
  const width = Math.round(Math.min(640, Math.max(320, svg.clientWidth || 640)));
  svg.setAttribute("viewBox", `0 0 ${width} 300`);
  const top = 16, plotBottom = 210, barTop = 230, barBottom = 290, left = 80, right = 16;
  const predicted = data.forecast || [data.prediction];
  const all = values.concat(predicted);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { lo -= 1; hi += 1; }
  const n = all.length;
  const x = (i) => left + (n === 1 ? 0 : (i * (width - left - right)) / (n - 1));
  const y = (v) => plotBottom - ((v - lo) / (hi - lo)) * (plotBottom - top);
  for (const v of [lo, (lo + hi) / 2, hi]) {
    el("line", { class: "grid", x1: left, x2: width - right, y1: y(v), y2: y(v) }, svg);
    el("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, svg).textContent = format(v);
  }
  const points = (list, offset) => list.map((v, i) => `${x(i + offset)},${y(v)}`).join(" ");
  el("polyline", { class: "series", points: points(values, 0) }, svg);
  const last = values.length - 1;
  el("polyline", { class: "predicted", points: points([values[last]].concat(predicted), last) }, svg);
  values.forEach((v, i) => el("circle", { class: "series-dot", cx: x(i), cy: y(v), r: 3.5 }, svg));
  predicted.forEach((v, i) => {
    const dot = el("circle", { class: "predicted-dot", cx: x(values.length + i), cy: y(v), r: i === 0 ? 6 : 4 }, svg);
    el("title", {}, dot).textContent = `${i === 0 ? "prediction" : `forecast t+${i + 1}`}: ${format(v)}`;
  });
  // One bar per input step, its attention weight (they sum to 1), on a scale to the largest.
  const most = Math.max(...data.attention, 1e-12);
  const barWidth = Math.max(2, Math.min(24, (0.7 * (width - left - right)) / n));
  el("text", { x: left - 6, y: barBottom, "text-anchor": "end" }, svg).textContent = "attention";
  data.attention.forEach((w, i) => {
    const h = (w / most) * (barBottom - barTop);
    const bar = el("rect", { class: "bar", x: x(i) - barWidth / 2, y: barBottom - h, width: barWidth, height: h }, svg);
    el("title", {}, bar).textContent = `step ${i + 1}: weight ${w.toFixed(3)}`;
  });
}

function table(values, data) {
  const rows = values.map((v, i) => {
    const w = data.attention[i];
    const row = document.createElement("tr");
    if (i < data.n_values - data.n_used) row.className = "unused";
    for (const text of [String(i + 1), format(v), w.toFixed(3)]) {
      row.appendChild(document.createElement("td")).textContent = text;
    }
    const cell = row.appendChild(document.createElement("td"));
    cell.className = "bar-cell";
    cell.appendChild(document.createElement("span")).style.width = `${(100 * w).toFixed(1)}%`;
    return row;
  });
  $("weights").tBodies[0].replaceChildren(...rows);
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
