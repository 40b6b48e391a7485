// The numseries page: parse the typed sequence, POST it to /predict, draw the answer. No build step, no
// libraries: the chart is an inline SVG. Optional fields (intervals, pattern, weights) are drawn when present.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

// 1,000: a thousands separator, or the values 1 and 0? Also 1 000 with a no-break or thin space between, as
// French or Russian spreadsheets write thousands (\s splits there: 1 and 000). As the CLI's _THOUSANDS.
const THOUSANDS = /\p{Nd}[,\u00a0\u202f\u2009]\p{Nd}{3}(?!\p{Nd})/u;  // (\p{Nd}: any script's digits, as Python's \d)
const NO_BREAK = /[\u00a0\u202f\u2009]/g;  // shown as a space in messages
// 1.234,56 (German), 1'234,56 (Swiss): thousands grouped by '.' or an apostrophe, then a decimal comma
// (0.123,4 is a list: no group starts 0, in any script's digits: the first is checked apart, groupedDecimal)
const GROUPED_DECIMAL = /^[+-]?(\p{Nd})\p{Nd}{0,2}(?:[.'\u2019]\p{Nd}{3})+,\p{Nd}+$/u;
const GROUPED = /^[+-]?\d{1,3}(?:[.'\u2019]\d{3})+$/;  // 1.234.567, 1'000: thousands separators
const DECIMAL_COMMA = /[+-]?\p{Nd}+,\p{Nd}+/u;  // 1,5 among other values: a decimal comma, or the values 1 and 5?
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const [MIN_VALUES, MAX_VALUES, MAX_STEPS] = [3, 10000, 256];  // the server's limits (numseries.serve; a test checks)
const DIGIT_GROUPS = /^[+-]?\d{1,3}(?:_\d{3})+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;  // 1_000, -2_500.5: as the CLI's

function parseValues(text) {
  // Tokens split on spaces, commas, semicolons and new lines, as `numseries predict -` reads stdin, refused
  // where it refuses them: ambiguous commas (1,000 or 1,5 2,5), empty fields (1,,2), numbers below float64
  // (1e-400) and integers a float64 would read as others.
  const typed = tokens(text);
  if (typed.length === 0) throw new Error("type a sequence first, e.g. 2 4 6 8 10");
  const empty = /[,;][^\S\n]*[,;]/.exec(text.trim());
  if (empty !== null) {  // 1,,2 or 1, ,2: a spreadsheet row or column with a gap, as the CLI refuses it
    const position = tokens(text.trim().slice(0, empty.index)).length + 1;
    throw new Error(`value ${position} is empty (nothing between '${empty[0]}'): a missing value; fill or drop it`);
  }
  const thousands = text.split(/[ \t\r\n\f\v]+/).find((word) => THOUSANDS.test(word));
  if (thousands !== undefined) {
    throw new Error(
      `'${thousands.replace(NO_BREAK, " ")}' is ambiguous: a thousands separator or a ` +
        `${/[\u00a0\u202f\u2009]/.test(thousands) ? "space" : "comma"} between values? Write numbers ` +
        "without thousands separators and separate values with spaces, ', ' or newlines",
    );
  }
  const grouped = text.split(/[\s;]+/).map((word) => word.replace(/^,+|,+$/g, "")).find(groupedDecimal);
  if (grouped !== undefined) {  // 1.234,56 split at its comma gave 1.234 and 56
    const number = grouped.replace(/[.'\u2019]/g, "").replace(",", ".");
    throw new Error(
      `'${grouped}' is ambiguous: ${number} written with thousands separators and a decimal comma, or a comma ` +
        `between values? Write numbers without thousands separators, decimals with '.' (${number}), and separate ` +
        "values with spaces, ', ' or newlines",
    );
  }
  const decimal = decimalComma(text);
  if (decimal !== null) {
    throw new Error(
      `'${decimal}' is ambiguous: a decimal comma or a comma between values? Write decimals with '.' ` +
        `(${decimal.replace(",", ".")}) and separate values with spaces, ', ' or newlines`,
    );
  }
  const values = typed.map((typedToken, i) => {
    // as Python's float() reads it (the CLI): the decimal digits of every script (١٢, ۱۲, १२, １２; not NFKC,
    // which reads 10² as 102) and digits grouped by thousands with '_'
    let token = typedToken.replace(/\p{Nd}/gu, (digit) => String(digitValue(digit)));
    if (token.includes("_")) {
      if (!DIGIT_GROUPS.test(token)) {
        throw new Error(
          `'${clipped(typedToken)}' (value ${i + 1}) has an underscore that groups no thousands; write numbers ` +
            `without one (${typedToken.replace(/_/g, "")})`,
        );
      }
      token = token.replace(/_/g, "");
    }
    const value = Number(token);
    if (NUMBER.test(token) && !Number.isFinite(value)) {  // 1e400: past the float range (the CLI's above_float)
      throw new Error(
        `${clipped(typedToken)} (value ${i + 1}) is larger than float64 holds (about 1.8e308) and would be read as ` +
          `${value > 0 ? "inf" : "-inf"}; divide the values by a large constant first (numseries scales its answer the same way)`,
      );
    }
    if (!NUMBER.test(token)) {
      const fix = /[\u2212\u2013\u2014]/.test(token)
        ? "type the minus sign as '-'"
        : GROUPED.test(token)  // 1.234.567, 1'000
          ? `write it without thousands separators (${token.replace(/[^0-9+-]/g, "")})`
          : i === 0 && typed.length > 1 && /^[\p{L}_][\p{L}\p{N}_]*$/u.test(token)  // a pasted column's name (round 61)
            ? `give the numbers without their header ('${clipped(typedToken)}')`
            : /[[\](){}]/.test(token)  // a pasted list, [1, 1, 2, 3] (adversarial round 65)
              ? "leave out the brackets: give the numbers alone"
              : /^[.…?]+$/u.test(token)  // a puzzle's 1 1 2 3 5 8 ... or ?
                ? "leave it out: give the numbers alone"
                : "separate numbers with spaces, commas or new lines";
      throw new Error(`'${clipped(typedToken)}' (value ${i + 1}) is not a finite number; ${fix}`);
    }
    if (value === 0 && /[1-9]/.test(token.toLowerCase().split("e")[0])) {  // 1e-400: below float64
      throw new Error(
        `${token} (value ${i + 1}) is smaller than float64 holds (about 5e-324) and would be read as 0; ` +
          "scale the values up first (numseries scales its answer the same way)",
      );
    }
    const fraction = Math.abs(value) >= 2 ** 52 && heldInteger(token) === null;
    if (fraction || (Math.abs(value) >= 2 ** 53 && readAsAnother(token, value))) {
      // a fraction from 2**52 on, where floats are whole (the CLI's lost_fraction), or an integer read as another
      const kind = fraction ? "a number" : "an integer";
      throw new Error(
        `${token} (value ${i + 1}) is ${kind} float64 cannot hold exactly (it would be read as ` +
          `${BigInt(value)}); subtract a common offset from the values first, or forecast on from the values before it`,
      );
    }
    return value;
  });
  if (values.length < MIN_VALUES) {  // (the server's words were its schema's: "list should have at least 3 items")
    throw new Error(`type at least ${MIN_VALUES} numbers, got ${values.length}: the model predicts from ${MIN_VALUES} or more`);
  }
  if (values.length > MAX_VALUES) {
    throw new Error(`type at most ${MAX_VALUES.toLocaleString("en")} numbers, got ${values.length.toLocaleString("en")}: ` +
      "the model reads the last 64 of them, so keep the latest");
  }
  return values;
}

function groupedDecimal(word) {
  // Whether a word is a number with thousands separators and a decimal comma (1.234,5; ١.٢٣٤,٥), not from 0.
  const match = GROUPED_DECIMAL.exec(word);
  return match !== null && digitValue(match[1]) !== 0;
}

function digitValue(digit) {
  // A decimal digit's value (\p{Nd}, any script): Unicode gives each script's digits 0-9 ten consecutive code
  // points, so it is how many digits come before it in its run, modulo 10 (runs of 50: the math digits).
  const code = digit.codePointAt(0);
  let before = 0;
  while (/\p{Nd}/u.test(String.fromCodePoint(code - before - 1))) before += 1;
  return before % 10;
}

function clipped(token) {
  // A token as an error quotes it: at most 40 characters.
  return token.length <= 40 ? token : `${token.slice(0, 37)}...`;
}

function words(text) {
  // The text split on white space only.
  return text.split(/\s+/).filter((word) => word !== "");
}

function decimalComma(text) {
  // The first number written with a decimal comma among other values, as typed (1,5 of "1,5 2,5", "1,5, 2,5,"
  // or "1,5;2,5", the lists of decimal-comma locales), else null. Commas alone between values (1,2,3 and
  // 1, 2, 3) are a list. As the CLI's _decimal_comma.
  if (text.includes(";")) {  // semicolons between the values: a comma between digits is inside a value
    const found = DECIMAL_COMMA.exec(text);
    return found ? found[0] : null;
  }
  const list = words(text).map((word) => word.replace(/^,+|,+$/g, ""));  // 1,5, 2,5,: a comma after each value
  if (list.length < 2) return null;
  return list.find((word) => new RegExp(`^${DECIMAL_COMMA.source}$`, "u").test(word)) ?? null;
}

function heldInteger(token) {
  // The integer a number's text holds exactly, as a BigInt ("9.007199254740993e15" too), or null for a fraction.
  const [, sign, whole, fraction, power] = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(token);
  let digits = whole + fraction;
  let shift = Number(power || 0) - fraction.length;
  if (shift < 0) {  // the last -shift digits are decimals: all zero, or a fraction
    const kept = Math.max(digits.length + shift, 0);
    if (/[1-9]/.test(digits.slice(kept))) return null;
    [digits, shift] = [digits.slice(0, kept), 0];
  }
  const held = BigInt(digits || "0") * 10n ** BigInt(shift);
  return sign === "-" ? -held : held;
}

function readAsAnother(token, value) {
  // Whether `token` holds an integer that float64 reads as another one, `value` (9007199254740993 as ...992),
  // as the CLI's lost_integer: a token that is `value`'s own shortest form (1e300, 18446744073709552000) is not, nor
  // its 17 significant digits (%.17g, a float written without loss), nor any with an exponent and 17 significant
  // digits or more (more than a float64 holds: 2.2345678901234567e+300 is no exact integer)
  if (/[eE]/.test(token) && significantDigits(token) >= 17) return false;
  const held = heldInteger(token);
  return held !== null && held !== BigInt(value) && held !== heldInteger(String(value)) &&
    held !== heldInteger(value.toPrecision(17));
}

function significantDigits(text) {
  // The significant digits a number is written with ("-4.177e-05": 4; "1200": 2), its exponent aside.
  const [, whole, fraction] = /^[+-]?(\d*)\.?(\d*)/.exec(text);
  return (whole + fraction).replace(/^0+/, "").replace(/0+$/, "").length;
}

function meanStep(values) {
  // The mean absolute step of the values, or null for a constant sequence (as numseries.formatting.mean_step:
  // where a step is past the float range, -1e308 to 1e308, measured in halves and the mean capped at the
  // largest float).
  const steps = values.slice(1).map((v, i) => Math.abs(v - values[i]));
  if (steps.every(Number.isFinite)) {
    let step = steps.reduce((a, b) => a + b, 0) / Math.max(steps.length, 1);
    if (step === Infinity) step = steps.reduce((a, b) => a + b / steps.length, 0);  // a sum past the float range: shares
    return step > 0 && Number.isFinite(step) ? step : null;
  }
  const halves = values.slice(1).map((v, i) => Math.abs(v / 2 - values[i] / 2)).filter(Number.isFinite);
  const step = Math.min(2 * halves.reduce((a, b) => a + b / halves.length, 0), Number.MAX_VALUE);
  return step > 0 ? step : null;
}

function inFull(x, step) {
  // Whether format() shows x in full rather than to the step's digits (formatting._in_full): no step, or one
  // so small (a subnormal float) that its digits are past the float range.
  return !step || !Number.isFinite(x) || !Number.isFinite(100 / step);
}

function denoised(x, step) {
  // As formatting._denoised: below 1e-12 of the mean step a value is float rounding of a sum (3.3 2.2 1.1
  // gives 2.2e-16), shown as 0; so is -0.
  return !inFull(x, step) && Math.abs(x) < step * 1e-12 ? 0 : x;
}

function shortest(x) {
  // Python's repr of a float: its shortest round-trip digits, with an exponent below 1e-4 or from 1e16 on.
  const [mantissa, exponent, decimals] = roundTrip(x);
  if (exponent < -4 || exponent >= 16) return withExponent(mantissa, exponent);
  return decimals > 0 ? x.toFixed(decimals) : `${x.toFixed(0)}.0`;
}

function roundTrip(x) {
  // x's shortest round-trip digits as [mantissa, exponent, decimals]: 1.5e+3 as ["1.5", 3, -2].
  const [mantissa, power] = x.toExponential().split("e");
  const exponent = Number(power);
  return [mantissa, exponent, mantissa.replace(/^-/, "").replace(".", "").length - 1 - exponent];
}

function general(x, digits) {
  // Python's f"{x:.{digits}g}": `digits` significant digits, trailing zeros dropped, and an exponent below 1e-4
  // or from 10**digits on (1.23e+17, never 123000000000000000, which reads as an exact integer).
  if (!Number.isFinite(x)) return String(x);
  const [mantissa, exponent] = scientific(x, digits - 1);
  const trim = (text) => (text.includes(".") ? text.replace(/\.?0+$/, "") : text);
  if (exponent < -4 || exponent >= digits) return withExponent(trim(mantissa), exponent);
  return trim(fixed(x, digits - 1 - exponent));
}

function exactDigits(x) {
  // |x| exactly, as [its decimal digits (a BigInt), how many of them are decimals]: a float is m × 2**e.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const [m, e] = biased === 0 ? [fraction, -1074] : [fraction | (1n << 52n), biased - 1075];
  return e >= 0 ? [m << BigInt(e), 0] : [m * 5n ** BigInt(-e), -e];
}

function roundedTo(x, places) {
  // |x| rounded to `places` decimals (negative: to tens, ...) as Python rounds, ties to even: a BigInt n, the
  // value n / 10**places. (JavaScript's toFixed and toExponential round a tie away from 0: 10.25 to 10.3.)
  const [digits, decimals] = exactDigits(x);
  const drop = decimals - places;
  if (drop <= 0) return digits * 10n ** BigInt(-drop);
  const unit = 10n ** BigInt(drop);
  const [whole, rest] = [digits / unit, digits % unit];
  return 2n * rest > unit || (2n * rest === unit && whole % 2n === 1n) ? whole + 1n : whole;
}

function fixed(x, places) {
  // Python's f"{x:.{places}f}" for a finite x (the sign of -0.0 and of a negative rounded to 0 kept).
  const n = roundedTo(x, places).toString().padStart(places + 1, "0");
  const text = places > 0 ? `${n.slice(0, -places)}.${n.slice(-places)}` : n;
  return x < 0 || Object.is(x, -0) ? `-${text}` : text;
}

function scientific(x, places) {
  // Python's f"{x:.{places}e}" for a finite x, as [mantissa, exponent]: 1.234e+05 as ["1.234", 5].
  const [digits, decimals] = exactDigits(x);
  if (digits === 0n) return [`${Object.is(x, -0) ? "-" : ""}${places > 0 ? `0.${"0".repeat(places)}` : "0"}`, 0];
  let exponent = digits.toString().length - 1 - decimals;
  let n = roundedTo(x, places - exponent).toString();
  if (n.length > places + 1) [n, exponent] = [n.slice(0, places + 1), exponent + 1];  // 9.99 up to 10.0
  const mantissa = places > 0 ? `${n[0]}.${n.slice(1)}` : n;
  return [x < 0 ? `-${mantissa}` : mantissa, exponent];
}

function withExponent(mantissa, exponent) {
  // As Python writes an exponent: 1.5e-05, 1.23e+17.
  return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

function format(x, step = null, integer = null, exact = false) {
  // As numseries.formatting.format_value: to the digit below 1/100 of the mean step, at least 3 significant
  // digits, none below the float's resolution; without a step (a constant, an exact rule) in full: whole
  // numbers to the last digit below 2**53, or as the server wrote them (`integer`, see serverIntegers), others
  // to 15 significant digits, an `exact` rule's to its shortest digits where they are at most 16
  // (1.1**15 = 4.177248169415651).
  x = denoised(x, step);
  if (inFull(x, step)) {
    if (integer !== null && integer !== undefined) return shortInteger(integer);
    if (Number.isInteger(x) && Math.abs(x) < 2 ** 53) return String(x);
    if (!Number.isFinite(x)) return general(x, 15);
    const [digits, repr] = [general(x, 15), shortest(x)];  // 0.3 for 0.30000000000000004; 5e-320, not 4.99994e-320
    if (exact && (Math.abs(x) >= 2 ** 53 || significantDigits(repr) <= 16)) return repr;
    return repr.length < digits.length ? repr : digits;
  }
  const digits = shownDigits(x, step);
  const text = general(x, digits);
  if (/^-?\d+$/.test(text) && Number(text) !== x) {  // 14.996 is not 15: its zeros stay (15.00), as format_value
    const places = digits - 1 - Math.floor(Math.log10(Math.abs(x)));  // of its own magnitude: 9.996 is 10.00
    if (places > 0) return fixed(x, places);
  }
  return text;
}

function shortInteger(text) {
  // An integer as the CLI shows a rule's (rules.fmt): of more than 20 digits, at most 15 of them significant,
  // with an exponent (1.7e+308, not 17 and 307 zeros); else as written.
  const digits = text.replace(/^-/, "");
  if (digits.length <= 20 || digits.replace(/0+$/, "").length > 15) return text;
  return general(Number(text), 15);
}

function shownDigits(x, step, shortestOnly = true) {
  // The significant digits format() shows x to beside data of mean step `step` (formatting._digits): with
  // shortestOnly, not past its shortest round-trip digits (5.000000000001, not 5.0000000000010001).
  const magnitude = x ? Math.floor(Math.log10(Math.abs(x))) : 0;
  let places = decimals(x, step);
  if (shortestOnly) {  // (whole below 1e16: 123460, not 1.2346e+5)
    const least = roundTrip(x)[2];
    places = Math.min(places, Math.abs(x) < 1e16 ? Math.max(least, 0) : least);
  }
  return Math.min(Math.max(magnitude + 1 + places, 1), 17);
}

function decimals(x, step) {
  // The decimals format() shows x to beside data of mean step `step` (formatting._decimals): the last digit
  // below 1/100 of the step, 3 significant digits at least, every digit the float resolves and no finer.
  const magnitude = x ? Math.floor(Math.log10(Math.abs(x))) : 0;
  const places = Math.min(Math.max(Math.ceil(Math.log10(100 / step)), 2 - magnitude), Math.ceil(-Math.log10(ulp(x))));
  return Math.abs(x) < 1e16 ? Math.max(places, 0) : places;
}

function ulp(x) {
  // Python's math.ulp: the gap from |x| to the next float away from 0 (below it, for the largest float).
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, bits + 1n);
  const next = view.getFloat64(0);
  if (Number.isFinite(next)) return next - Math.abs(x);
  view.setBigUint64(0, bits - 1n);
  return Math.abs(x) - view.getFloat64(0);
}

function lastDigit(x, step) {
  // The unit of the last digit format() keeps of x, before trailing zeros are dropped (formatting.last_digit).
  x = denoised(x, step);
  if (!Number.isFinite(x) || (x === 0 && inFull(x, step))) return 0;
  const magnitude = x ? Math.floor(Math.log10(Math.abs(x))) : 0;
  return 10 ** (magnitude + 1 - (inFull(x, step) ? 15 : shownDigits(x, step, false)));  // 6.0 to 0.01 beside steps of 1
}

function weightText(w) {
  // A weight to 3 decimals, as the CLI's table writes it: ties to even, and 0.000 for a tiny negative one.
  return Number.isFinite(w) ? fixed(w, 3).replace(/^-(?=0\.000$)/, "") : String(w);
}

function formatTogether(xs, step, integers = [], exact = false) {
  // Numbers shown together share the decimals of the one that shows most: "118.0 to 141.8" (format_values).
  xs = xs.map((x) => denoised(x, step));
  const texts = xs.map((x, i) => format(x, step, integers[i], exact));
  const plain = (t) => !/[en]/.test(t);
  const places = (t) => (t.split(".")[1] || "").length;
  const most = Math.max(0, ...texts.filter(plain).map(places));
  // each padded to the most decimals, but to none its float does not hold (8093919690244.7324218750000000)
  return texts.map((t, i) =>
    plain(t) && places(t) !== most && !inFull(xs[i], step) ? fixed(xs[i], Math.min(most, decimals(xs[i], step))) : t,
  );
}

function tokens(text) {
  // The numbers as the user typed them, split on spaces, commas, semicolons and new lines.
  return text.split(/[\s,;]+/).filter((t) => t !== "");
}

function requestJSON(body) {
  // The request's JSON. A value from 2**53 on goes as a float (1.8446744073709552e+19), as the CLI reads every
  // value: JSON.stringify writes 18446744073709552000, an integer the server reads as another than the one typed.
  const values = body.values.map((v) => (Math.abs(v) >= 2 ** 53 ? v.toExponential() : JSON.stringify(v)));
  const rest = Object.entries(body).filter(([key]) => key !== "values");
  return `{"values":[${values.join(",")}]${rest.map(([key, v]) => `,${JSON.stringify(key)}:${JSON.stringify(v)}`).join("")}}`;
}

function serverIntegers(text) {
  // The prediction and forecast of the server's JSON text where they are integers, as written: JSON.parse reads
  // one past 2**53 as the nearest float64 (2**64 + 1 as 2**64), so an exact rule's is shown from its text.
  const prediction = /"prediction"\s*:\s*(-?\d+)\s*[,}]/.exec(text);
  const forecast = /"forecast"\s*:\s*\[([^\]]*)\]/.exec(text);
  const integer = (item) => (/^\s*-?\d+\s*$/.test(item) ? item.trim() : null);
  return { prediction: prediction ? prediction[1] : null, forecast: forecast ? forecast[1].split(",").map(integer) : [] };
}

function showError(message, field = "values") {
  // `field`: the input the message is about ("values" or "steps"), marked invalid for screen readers; null where
  // it is about the server, not what was typed.
  $("error").textContent = message;
  $("error").hidden = message === "";
  if (message !== "") $("result").hidden = true;  // the previous answer is not this input's
  for (const id of ["values", "steps"]) $(id).setAttribute("aria-invalid", message !== "" && field === id ? "true" : "false");
}

function readSteps() {
  // The forecast steps typed, checked as the server checks them (a whole number from 1 to MAX_STEPS)
  const input = $("steps");
  const text = input.value.trim();
  const steps = text === "" && !input.validity.badInput ? 1 : Number(text);
  if (input.validity.badInput || !Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) {
    throw new Error(`forecast steps must be a whole number from 1 to ${MAX_STEPS}, got ${input.validity.badInput ? "what is typed" : `'${clipped(text)}'`}`);
  }
  return steps;
}

let submitted = 0;  // the latest submission: an answer to an earlier one, arriving after it, is dropped

async function predict(event) {
  event.preventDefault();
  const ticket = ++submitted;
  const typed = tokens($("values").value);  // the labels of this request's values, whatever is typed meanwhile
  let body;
  try {
    body = { values: parseValues($("values").value) };
  } catch (err) {
    showError(err.message);
    return;
  }
  let steps;
  try {
    steps = readSteps();
  } catch (err) {
    showError(err.message, "steps");
    return;
  }
  if (steps !== 1) body.steps = steps;
  let response, data;
  try {
    response = await fetch("/predict", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: requestJSON(body),
    });
  } catch (err) {
    if (ticket === submitted) showError(`cannot reach the numseries server (${err.message}); is it still running?`, null);
    return;
  }
  const text = await response.text().catch(() => "");
  if (ticket !== submitted) return;  // a later submission's answer (or error) is the one to show
  try {
    data = JSON.parse(text);
  } catch {
    data = {};
  }
  if (!response.ok) {
    // the steps box where the fix is to change it ("... overflows float64; forecast fewer steps": round 61)
    const about = response.status >= 500 ? null : /^steps\b|fewer steps$/.test(data.error || "") ? "steps" : "values";
    showError(data.error || `the server answered ${response.status}`, about);
    return;
  }
  showError("");
  render(body, data, typed, serverIntegers(text));
}

function render(body, data, typed, integers = { prediction: null, forecast: [] }) {
  $("result").hidden = false;
  // Digits from the mean step of the values the network read, as the CLI's table (the last n_read of them at
  // the end of a steep decay)
  const read = Math.min(data.n_read ?? data.n_used, data.n_used);
  const step = data.exact ? null : meanStep(body.values.slice(data.n_values - read));
  $("prediction").textContent = format(data.prediction, step, integers.prediction, data.exact);
  const cropped = data.n_used < data.n_values;
  const partly = !data.exact && data.n_read != null && data.n_read < data.n_used;  // (the CLI's note on n_read)
  const last = body.values[body.values.length - 1];
  const grew = data.logs && Math.abs(data.prediction) > Math.abs(last);  // a growth's read (a mirror's too), as the CLI's
  const [side, across, way] = last > 0 ? ["above", "below", "fall"] : ["below", "above", "rise"];  // a decay's
  const sizes = last > 0 ? "values" : "values' sizes";  // (a series below 0 is read as its mirror image)
  $("note").hidden = !cropped && !partly && !data.forecast && !data.logs && !data.settles && !data.cycle;
  $("note").textContent = [
    cropped ? `The model reads at most ${data.n_used} values; it used the last ${data.n_used} of ${data.n_values}.` : "",
    partly
      ? `The network read the last ${data.n_read} of these values (the other steps weigh 0): the earlier steps are ` +
        "far larger than the last ones (the end of a steep decay, or a jump), or far smaller, all going one way " +
        "(a steep growth), and it predicts such a series better without them."
      : "",
    data.forecast
      ? `Forecast (${
          data.exact ? "the rule continued"
          : data.forecast_cycle ? `from step 2 the last ${data.forecast_cycle} values repeated`
          : data.forecast_own_cycle ? `each prediction fed back in, from step ${data.forecast_own_cycle + 1} repeated`
          : "each prediction fed back in"
        }): ${formatTogether(data.forecast, step, integers.forecast, data.exact).join(", ")}.`
      : "",
    grew
      ? `The network read the logarithms of the ${sizes} (the prediction is a ratio): they grow by ratios, and ` +
        "read from the values it predicted a smaller ratio than they grow by."
      : data.logs
      ? `The network read the logarithms of the ${sizes} (the prediction is a ratio, ${side} 0): read from the ` +
        `values, it predicted ${across} 0, though they are all ${side} 0 and ${way}.`
      : "",
    data.settles
      ? "The step was read from the logarithms of the step sizes: the values step one way and saturate, and the " +
        "network's own step went over 1.5 times further than their last step shrunk by their ratio."
      : "",
    data.cycle
      ? `The prediction is the value ${data.cycle} steps back (the sequence's cycle), moved by the trend of the ` +
        "cycles' means: predicting their own last values so missed by less than the network did (seen twice with " +
        "too few values after: where the two cycles also agree). The weights are the cycle's own, and the interval " +
        "comes from its misses."
      : "",
    data.forecast && data.forecast_read < data.n_used
      ? `From step 2 on it is read from the last ${data.forecast_read} values: read from all ${data.n_used}, ` +
        "the path ran away or missed their own last values by over twice as much."
      : "",
    data.forecast && data.forecast_steady
      ? `From step ${data.forecast_steady} on it goes on at the mean step of the values it was read from (or levels ` +
        "off where their steps settle): the network's path ran away there."
      : "",
    data.forecast && data.forecast_cycle
      ? `From step 2 on it repeats the last ${data.forecast_cycle} values (the sequence's cycle), moved by the ` +
        "trend of the cycles' means: that forecast their own last values better than the network's path (seen " +
        "twice with too few values after to test the path: where the two cycles agree)."
      : "",
    data.forecast && data.forecast_own_cycle
      ? `From step ${data.forecast_own_cycle + 1} on it repeats its own first ${data.forecast_own_cycle} steps ` +
        "(the sequence's cycle), moved by the trend of the cycles' means: the network's path damps a cycle's later turns."
      : "",
    data.forecast && data.forecast_log_path === "growth"
      ? `From step 2 on it is the path read from the logarithms of the ${sizes} (it goes on by their ratios), as ` +
        "step 1 was read."
      : data.forecast && data.forecast_log_path === "rise"
      ? `From step 2 on it goes on by the steady ratio of the ${sizes} (the least-squares line of their ` +
        "logarithms): that line missed their own last values by under half as much as the path read from the values."
      : data.forecast && data.forecast_log_path === "rise_steady"
      ? `From step 2 on it goes on by the steady ratio of the ${sizes} (the least-squares line of their ` +
        "logarithms): that line missed their own last values by under twice as much as the path read from the " +
        "values, which went on at a steady step within 8 steps (it ran away)."
      : data.forecast && data.forecast_log_path === "decay"
      ? `From step 2 on it is the path read from the logarithms of the ${sizes} (it goes on by their ratios, and ` +
        `never ${across} 0): read from the values, the path missed their own last values by over twice as much.`
      : "",
    (data.logs || data.forecast_logs) && last < 0 ? "The values are all below 0: read as their mirror image." : "",
    data.forecast && data.forecast_settles
      ? "From step 2 on it settles: the values step one way and saturate, so its steps go the same way, each " +
        "no larger than the one before (the network's path of the logarithms of their sizes): it levels off."
      : "",
  ].join(" ").trim();
  showExtras(data, step, integers.prediction);
  chart(body.values, data, step, integers);
  table(body.values, data, typed, step, integers);
  $("curl").textContent = curl(body);
  $("copied").textContent = "";
}

function showExtras(data, step, integer = null) {
  // The pattern (an exact rule, or what the sequence looks like) and the intervals, when present. An exact
  // rule's interval is its prediction (or the floats either side of it, past 2**53), shown as the prediction is
  // (9007199254740993, not 9.00719925474099e+15 twice).
  const pattern = $("pattern");
  pattern.hidden = !data.pattern;
  const how = data.exact ? "exact" : data.rule ? "a rule, to float64 precision" : "no exact rule";  // as the CLI
  // without a rule or a pattern head, the pattern is the CLI's "no exact rule; the network's estimate": not twice
  const said = !data.rule && data.pattern?.startsWith(how) ? "" : ` (${how})`;
  if (data.pattern) pattern.textContent = `pattern: ${data.pattern}${said}`;
  const intervals = $("intervals");
  const levels = Object.entries(data.intervals || {});
  intervals.hidden = levels.length === 0;
  const shown = ([lo, hi]) => data.exact && lo <= data.prediction && data.prediction <= hi &&
    hi - lo <= 4 * Number.EPSILON * Math.abs(data.prediction)
    ? [lo, hi].map((x) => format(x, step, integer, true))
    : formatTogether([lo, hi], step);
  intervals.textContent = levels.map(([level, bounds]) => `${level}% interval: ${shown(bounds).join(" to ")}`).join("; ");
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

function chart(values, data, step, integers = { prediction: null, forecast: [] }) {
  const svg = $("chart");
  svg.replaceChildren();
  // As wide as the SVG is drawn (so that its text stays 12px on a phone), 320 to 640 units.
  const width = Math.round(Math.min(640, Math.max(320, svg.clientWidth || 640)));
  svg.setAttribute("viewBox", `0 0 ${width} 300`);
  const top = 16, plotBottom = 200, barTop = 222, barBottom = 292, right = 16;
  const predicted = data.forecast || [data.prediction];
  const band = bounds(data);
  const all = values.concat(predicted, band ? band.steps.flat() : []);
  // Measured in halves: values near both float limits (-1e308 and 1e308) span more than the float range.
  let lo = Math.min(...all), hi = Math.max(...all);
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  // a constant (to a few ulps: 1e12 + tenths, 4,000 ulps apart, was drawn flat, round 61): one unit (or a
  // thousandth, or itself if smaller) either side
  if (hi / 2 - lo / 2 <= 1e-15 * scale) {
    const pad = Math.max(Math.min(1, scale), scale * 1e-3) || 1;  // (data of 1e-14 spans 1e-14: not drawn flat)
    [lo, hi] = [Math.max(lo - pad, -Number.MAX_VALUE), Math.min(hi + pad, Number.MAX_VALUE)];
  }
  const ticks = [lo, lo / 2 + hi / 2, hi];
  const labels = ticks.map((v) => {
    const label = el("text", { "text-anchor": "end" }, svg);
    label.textContent = format(v, meanStep(values));
    return label;
  });
  // room for the longest axis label (as drawn, or 7 units a character), at least 80 units, at most half
  const widest = Math.max(...labels.map((t) => t.getComputedTextLength() || 7 * t.textContent.length));
  const left = Math.min(Math.max(80, Math.ceil(widest) + 10), width / 2);
  const n = values.length + predicted.length;
  const x = (i) => left + (n === 1 ? 0 : (i * (width - left - right)) / (n - 1));
  const y = (v) => plotBottom - ((v / 2 - lo / 2) / (hi / 2 - lo / 2)) * (plotBottom - top);
  ticks.forEach((v, i) => {
    el("line", { class: "grid", x1: left, x2: width - right, y1: y(v), y2: y(v) }, svg);
    labels[i].setAttribute("x", left - 6);
    labels[i].setAttribute("y", y(v) + 4);
  });
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
  const shown = data.forecast
    ? formatTogether(predicted, step, integers.forecast, data.exact)
    : [format(predicted[0], step, integers.prediction, data.exact)];
  predicted.forEach((v, i) => {  // each as the forecast line writes it (0.590 beside 0.612, not 0.59)
    const dot = el("circle", { class: "predicted-dot", cx: x(values.length + i), cy: y(v), r: i === 0 ? 6 : 4 }, svg);
    el("title", {}, dot).textContent = `${i === 0 ? "prediction" : `forecast t+${i + 1}`}: ${shown[i]}`;
  });
  // One bar per input step: its weight, up when positive and down when negative, scaled to the largest.
  const weights = stepWeights(data);
  const most = Math.max(...weights.values.map(Math.abs), 1e-12);
  const signed = weights.values.some((w) => w < 0);
  const zero = signed ? (barTop + barBottom) / 2 : barBottom;
  const reach = zero - barTop;
  const barWidth = Math.max(2, Math.min(24, (0.7 * (width - left - right)) / n));
  el("line", { class: "grid", x1: left, x2: x(last) + barWidth, y1: zero, y2: zero }, svg);
  // (left of the first bar, which is centred on the first value: it reached over the label)
  el("text", { class: "bars-label", x: left - barWidth / 2 - 6, y: zero + 4, "text-anchor": "end" }, svg).textContent = weights.name;
  weights.values.forEach((w, i) => {
    const h = (Math.abs(w) / most) * reach;
    const attributes = { x: x(i) - barWidth / 2, y: w < 0 ? zero : zero - h, width: barWidth, height: h };
    const bar = el("rect", { class: w < 0 ? "bar negative" : "bar", ...attributes }, svg);
    el("title", {}, bar).textContent = `step ${i + 1}: ${weights.name} ${weightText(w)}`;
  });
}

function fractionText(weight) {
  // weight as "p/q" where it is the float nearest a fraction of a denominator up to 1000 with a prime factor other
  // than 2 and 5 (2/3, -22/7), the least such denominator; else null (numseries.explain.fraction_text)
  const gcd = (a, b) => (b ? gcd(b, a % b) : Math.abs(a));
  for (let q = 1; q <= 1000; q++) {
    const p = Math.round(weight * q);
    if (p / q === weight && gcd(p, q) === 1) {
      let rest = q;
      while (rest % 2 === 0) rest /= 2;
      while (rest % 5 === 0) rest /= 5;
      return rest > 1 ? `${p}/${q}` : null;
    }
  }
  return null;
}

function equation(values, data, typed, step, integer = null) {
  // "12 = 2 × 10 − 1 × 8": the largest terms of the weighted sum over the model's window, as the CLI writes it
  // (numseries.explain.weighted_sum); what the steps not shown add is named: the other steps with a weight,
  // or, for an exact rule, whose terms are all shown, the rule's constant ("63 = 2 × 31 + 1").
  if (!data.weights) return "";
  const first = data.n_values - data.n_used;  // the steps before the model's window have no weight
  const [weights, window, labels] = [data.weights.slice(first), values.slice(first), typed.slice(first)];
  // the terms are summed over the least power of two above the largest number, as the CLI does: no overflow near
  // 1.8e308, and dividing by it is exact (by the largest itself, 1e15-sized sums were 0.1 off: "+ 0.1 (float rounding)")
  const biggest = Math.max(...window.map(Math.abs), Math.abs(data.prediction));
  let scale = biggest ? 2 ** Math.min(1023, Math.floor(Math.log2(biggest)) + 1) : 1;
  while (scale < 2 ** 1023 && scale <= biggest) scale *= 2;  // (Math.log2 may round: the least power above it)
  while (scale / 2 > biggest) scale /= 2;
  // the terms that add the most first, |weight × value|, as the CLI orders them
  const adds = weights.map((w, i) => Math.abs(w) * Math.abs(window[i] / scale));
  const order = weights.map((w, i) => i).sort((a, b) => adds[b] - adds[a] || Math.abs(weights[b]) - Math.abs(weights[a]));
  const shown = data.exact
    ? order.filter((i) => weights[i] !== 0)
    : order.slice(0, weights.length <= 5 ? weights.length : 3).filter((i) => Math.abs(weights[i]) >= 0.005);
  const unit = lastDigit(data.prediction, step);
  const unseen = unit / 2;  // half the last digit the prediction is shown to
  // what a reader adds the terms up to: the prediction as shown (a rule's: its exact value)
  const target = data.exact ? data.prediction : Number(format(data.prediction, step));
  const others = weights.filter((w, i) => w !== 0 && !shown.includes(i)).length;
  // weights to 3 significant digits, or as many more as it takes for the terms as shown to add up (on values
  // far from 0, each weight's rounding is multiplied by the level); every term shown, a few more where they
  // bring the sum to the prediction as shown (explain.weighted_sum)
  const roundedTo = (digits) => shown.map((i) => Number(general(weights[i], digits)));
  const sumOf = (rounded) => shown.reduce((total, i, k) => total + rounded[k] * (window[i] / scale), 0);
  let digits = 3;
  let rounded = [];
  for (; digits <= 17; digits++) {
    rounded = roundedTo(digits);
    const off = shown.reduce((total, i, k) => total + (weights[i] - rounded[k]) * (window[i] / scale), 0);
    if (Math.abs(off) * scale <= unseen) break;
  }
  digits = Math.min(digits, 17);
  const gap = (terms) => Math.abs(target / scale - sumOf(terms)) * scale;  // what they leave of it, as shown
  if (!others && !data.exact && gap(rounded) > unseen) {
    const most = Math.min(digits + 4, 17);  // up to 4 more digits, where they bring the sum to it (else none)
    for (let more = digits + 1; more <= most; more++) {
      const candidate = roundedTo(more);
      if (gap(candidate) <= unseen) {
        [digits, rounded] = [more, candidate];
        break;
      }
    }
  }
  // an exact rule's coefficient that is a fraction with no decimal, as that fraction (2/3 × 8; weighted_sum)
  const fractions = shown.map((i) => (data.exact ? fractionText(weights[i]) : null));
  rounded = rounded.map((r, k) => (fractions[k] ? weights[shown[k]] : r));
  const parts = [];
  shown.forEach((i, k) => parts.push(
    rounded[k] < 0 ? "−" : "+",
    `${fractions[k] ? fractions[k].replace(/^-/, "") : general(Math.abs(rounded[k]), digits)} × ${labels[i]}`,
  ));
  const rest = (target / scale - sumOf(rounded)) * scale;
  if (Math.abs(rest) > unseen) {
    const what = data.exact
      ? "the rule's constant"
      : others === 1 ? "the other step" : others ? `the other ${others} steps` : "float rounding";
    const places = unit > 0 ? -Math.floor(Math.log10(unit)) : 0;  // to the prediction's own last digit
    const amount = places > 0 && places <= 20
      ? fixed(Math.abs(rest), places).replace(/0+$/, "").replace(/\.$/, "")
      : unit >= 1 && Math.abs(rest) < 1e16
        ? (BigInt(Math.round(Math.abs(rest) / unit)) * BigInt(Math.round(unit))).toString()  // to its last digit
        : format(Math.abs(rest), step);
    parts.push(rest < 0 ? "−" : "+", `${amount} (${what})`);
  }
  const sides = parts.length ? `${parts[0] === "−" ? "−" : ""}${parts.slice(1).join(" ")}` : "0";
  return `${format(data.prediction, step, integer, data.exact)} = ${sides}`;
}

function table(values, data, typed, step, integers = { prediction: null, forecast: [] }) {
  const weights = stepWeights(data);
  const most = Math.max(...weights.values.map(Math.abs), 1e-12);
  const rows = values.map((v, i) => {
    const w = weights.values[i];
    const row = document.createElement("tr");
    if (i < data.n_values - data.n_used) row.className = "unused";
    // without per-step weights (a model exported without them) no weight column: the CLI's table has none
    // (adversarial round 61: the attention was shown under "weight")
    const cells = data.weights ? [String(i + 1), typed[i], weightText(w), data.attention[i].toFixed(3)]
      : [String(i + 1), typed[i], data.attention[i].toFixed(3)];
    for (const text of cells) {
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
  $("weight-column").hidden = !data.weights;
  $("weights-hint").hidden = !data.weights;
  $("no-weights").hidden = !!data.weights;
  $("equation").textContent = equation(values, data, typed, step, integers.prediction);
  $("equation").hidden = !data.weights;
}

function curl(body) {
  const json = requestJSON(body).replace(/'/g, "'\\''");
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
