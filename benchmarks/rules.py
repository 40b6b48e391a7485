"""The exact-rule finder: classic sequences, false rules on noise and real data, and its cost.

    python benchmarks/rules.py                 # a few minutes
    python benchmarks/rules.py --n-per-family 500 --cases-per-bucket 100 --batch-series 10000   # quicker

Measures (through ``numseries.rules`` and the shipped model's Predictor):

- a suite of classic sequences, each next term computed here from its own definition: those with a
  rule of the finder's classes must continue exactly; those without one (primes, digits of pi, ...)
  must never get an exact claim with a wrong next term;
- the issue's seven examples, through ``Predictor.predict``;
- false rules: the share of series where ``exact`` is claimed with a wrong next value, per generated
  family (noise-free families against their clean next value, the others against the observed one)
  and per real dataset (``numseries.realdata``);
- speed: microseconds the finder adds to one prediction, and batch throughput with rules on and off.

Writes benchmarks/results/rules.md.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from fractions import Fraction

import numpy as np

from numseries import Predictor
from numseries.generate import FAMILIES, generate_batch
from numseries.rules import find_rule, find_rules

from _output import RESULTS, write_result

FALSE_RULE_TARGET = 0.005  # at most 0.5% of a noisy family's or a real dataset's series get a wrong exact claim
NOISY = ("noisy", "noisy_line", "noisy_stochastic")


def _upto(fn, n: int, start: int = 0) -> tuple[list, object]:
    """The first n terms of fn(k) for k = start.., and the term after them."""
    terms = [fn(k) for k in range(start, start + n + 1)]
    return terms[:n], terms[n]


def _recurrence(first: list, coeffs: list, n: int, const=0) -> tuple[list, object]:
    x = list(first)
    while len(x) < n + 1:
        x.append(sum(c * x[-1 - i] for i, c in enumerate(coeffs)) + const)
    return x[:n], x[n]


def _squared(first: int, n: int, linear: int = 0, const: int = 0) -> tuple[list, object]:
    """x[t] = x[t-1]^2 + linear x[t-1] + const from ``first``: n terms and the next."""
    x = [first]
    while len(x) < n + 1:
        x.append(x[-1] ** 2 + linear * x[-1] + const)
    return x[:n], x[n]


def _periodic(cycle: list, n: int) -> tuple[list, object]:
    return _upto(lambda k: cycle[k % len(cycle)], n)


C = math.comb
RULED = {  # name: (terms, next term), each computed from its definition
    "constant 5": ([5] * 6, 5),
    "zeros": ([0] * 4, 0),
    "odd numbers": _upto(lambda k: 2 * k + 1, 6),
    "countdown by 3": _upto(lambda k: 10 - 3 * k, 4),
    "halves": _upto(lambda k: 0.5 * k, 5, 1),
    "hundreds": _upto(lambda k: 100 * k, 4, 1),
    "powers of 2": _upto(lambda k: 2**k, 6),
    "powers of 3": _upto(lambda k: 3**k, 5),
    "powers of -2": _upto(lambda k: (-2) ** k, 5),
    "alternating signs": _upto(lambda k: (-1) ** k, 5),
    "tenths, decaying": _upto(lambda k: 1000 * 10.0**-k, 5),
    "ratio 3/2": _upto(lambda k: 16 * Fraction(3, 2) ** k, 5),
    "interest at 5%": _upto(lambda k: 100 * 1.05**k, 8),
    "squares": _upto(lambda k: k * k, 5, 1),
    "squares from 0": _upto(lambda k: k * k, 5),
    "cubes": _upto(lambda k: k**3, 5, 1),
    "fourth powers": _upto(lambda k: k**4, 5, 1),
    "triangular": _upto(lambda k: C(k + 1, 2), 6, 1),
    "tetrahedral": _upto(lambda k: C(k + 2, 3), 6, 1),
    "pentagonal": _upto(lambda k: k * (3 * k - 1) // 2, 6, 1),
    "hexagonal": _upto(lambda k: k * (2 * k - 1), 6, 1),
    "square pyramidal": _upto(lambda k: k * (k + 1) * (2 * k + 1) // 6, 6, 1),
    "centered squares": _upto(lambda k: k * k + (k - 1) ** 2, 6, 1),
    "oblong": _upto(lambda k: k * (k + 1), 6, 1),
    "star numbers": _upto(lambda k: 6 * k * (k - 1) + 1, 6, 1),
    "pentatope": _upto(lambda k: C(k + 3, 4), 8, 1),
    "lazy caterer": _upto(lambda k: (k * k + k + 2) // 2, 7),
    "cake numbers": _upto(lambda k: C(k, 3) + C(k, 2) + C(k, 1) + C(k, 0), 7),
    "quadratic in decimals": _upto(lambda k: 0.25 * k * k - 1.5 * k + 3.1, 8),
    "Fibonacci": _recurrence([1, 1], [1, 1], 7),
    "Fibonacci from 0": _recurrence([0, 1], [1, 1], 12),
    "Lucas": _recurrence([2, 1], [1, 1], 7),
    "Pell": _recurrence([0, 1], [2, 1], 6),
    "Pell-Lucas": _recurrence([2, 2], [2, 1], 7),
    "Jacobsthal": _recurrence([0, 1], [1, 2], 8),
    "Jacobsthal-Lucas": _recurrence([2, 1], [1, 2], 8),
    "tribonacci": _recurrence([0, 0, 1], [1, 1, 1], 9),
    "Padovan": _recurrence([1, 1, 1], [0, 1, 1], 11),
    "Perrin": _recurrence([3, 0, 2], [0, 1, 1], 11),
    "even Fibonacci": _recurrence([0, 2], [4, 1], 7),
    "balancing numbers": _recurrence([0, 1], [6, -1], 7),
    "Mersenne 2^n - 1": _recurrence([1], [2], 5, const=1),
    "2^n + 1": _recurrence([3], [2], 5, const=-1),
    "3x + 1 map": _recurrence([1], [3], 5, const=1),
    "period 3": _periodic([1, 2, 3], 6),
    "period 2": _periodic([0, 1], 6),
    "period 3 with a repeat": _periodic([1, 0, 0], 7),
    "weekdays": _periodic([1, 2, 3, 4, 5, 6, 7], 14),
    "factorials": _upto(math.factorial, 5, 1),
    "factorials from 0!": _upto(math.factorial, 8),
    "factorials to 20!": _upto(math.factorial, 20, 1),
    "Catalan": _upto(lambda k: C(2 * k, k) // (k + 1), 6),
    "central binomial": _upto(lambda k: C(2 * k, k), 7),
    "odd double factorials": _upto(lambda k: math.prod(range(1, 2 * k, 2)), 6, 1),
    "2^n n!": _upto(lambda k: 2**k * math.factorial(k), 6, 1),
    "repeated squaring": _squared(2, 5),
    "squares of squares from 3": _squared(3, 4),
    "Sylvester": _squared(2, 5, -1, 1),
    "Fermat numbers": _squared(3, 5, -2, 2),
    "Lucas-Lehmer": _squared(4, 4, const=-2),
    "x^2 + 1 from 1": _squared(1, 5, const=1),
}


def _primes(n: int) -> list[int]:
    out, k = [], 2
    while len(out) < n:
        if all(k % p for p in out if p * p <= k):
            out.append(k)
        k += 1
    return out


def _squarefree(n: int) -> list[int]:
    return [k for k in range(1, 4 * n) if all(k % (p * p) for p in range(2, int(k**0.5) + 1))][:n]


def _bell(n: int) -> list[int]:
    row, out = [1], [1]
    while len(out) < n:
        new = [row[-1]]
        for v in row:
            new.append(new[-1] + v)
        row = new
        out.append(row[0])
    return out


def _partitions(n: int) -> list[int]:
    p = [1] + [0] * n
    for part in range(1, n + 1):
        for total in range(part, n + 1):
            p[total] += p[total - part]
    return p[:n]


def _motzkin(n: int) -> list[int]:
    m = [1, 1]
    while len(m) < n:
        k = len(m)
        m.append(((2 * k + 1) * m[k - 1] + (3 * k - 3) * m[k - 2]) // (k + 2))
    return m


def _recaman(n: int) -> list[int]:
    a, seen = [0], {0}
    for k in range(1, n):
        b = a[-1] - k
        a.append(b if b > 0 and b not in seen else a[-1] + k)
        seen.add(a[-1])
    return a


def _hailstone(start: int, n: int) -> list[int]:
    out = [start]
    while len(out) < n:
        out.append(out[-1] // 2 if out[-1] % 2 == 0 else 3 * out[-1] + 1)
    return out


def _divisor_function(n: int, power: int) -> list[int]:
    return [sum(d**power for d in range(1, k + 1) if k % d == 0) for k in range(1, n + 1)]


def _totient(n: int) -> list[int]:
    return [sum(math.gcd(k, j) == 1 for j in range(1, k + 1)) for k in range(1, n + 1)]


def _split(values: list, n: int) -> tuple[list, object]:
    return values[:n], values[n]


PI = [int(c) for c in "314159265358979323846"]
E = [int(c) for c in "271828182845904523536"]
SQRT2 = [int(c) for c in "141421356237309504880"]
UNRULED = {  # sequences without a rule of the finder's classes
    "primes": _split(_primes(13), 12),
    "digits of pi": _split(PI, 15),
    "digits of e": _split(E, 15),
    "digits of sqrt(2)": _split(SQRT2, 15),
    "squarefree numbers": _split(_squarefree(13), 12),
    "Bell numbers": _split(_bell(9), 8),
    "partition numbers": _split(_partitions(13), 12),
    "Motzkin numbers": _split(_motzkin(10), 9),
    "Recaman": _split(_recaman(13), 12),
    "hailstone from 27": _split(_hailstone(27, 13), 12),
    "number of divisors": _split(_divisor_function(13, 0), 12),
    "sum of divisors": _split(_divisor_function(13, 1), 12),
    "Euler totient": _split(_totient(13), 12),
    "Thue-Morse": _split([bin(k).count("1") % 2 for k in range(17)], 16),
    "tetranacci": _recurrence([0, 0, 0, 1], [1, 1, 1, 1], 11),
    "squares of primes": _split([p * p for p in _primes(8)], 7),
    "rounded log decay": ([4.39, 3.91, 3.58, 3.33, 3.14], 2.99),
}

ISSUE_TABLE = [  # the issue's seven examples and the values users expect
    ([1, 1, 2, 3, 5, 8, 13], 21),
    ([2, 1, 3, 4, 7, 11, 18], 29),
    ([1, 8, 27, 64, 125], 216),
    ([1, 2, 6, 24, 120], 720),
    ([1, -1, 1, -1, 1], -1),
    ([1, 4, 9, 16, 25], 36),
    ([0, 1, 2, 5, 12, 29], 70),
]


def _same(predicted, expected) -> bool:
    if isinstance(predicted, float) or isinstance(expected, float):
        return math.isclose(float(predicted), float(expected), rel_tol=1e-9, abs_tol=1e-12)
    return predicted == expected


def suite() -> tuple[list[str], dict]:
    lines = ["| Sequence | Given | Next | Rule's next | Rule |", "|---|---|---|---|---|"]
    ruled_ok = 0
    for name, (terms, expected) in RULED.items():
        rule = find_rule([float(v) for v in terms])
        ok = rule is not None and _same(rule.next_value, expected)
        ruled_ok += ok
        shown = "—" if rule is None else _text(rule.next_value)
        lines.append(f"| {name} | {_given(terms)} | {_text(expected)} | {shown}{'' if ok else ' **wrong**'} "
                     f"| {rule.description if rule else '—'} |")
    unruled_wrong = unruled_claims = 0
    lines += ["", "Without a rule of the finder's classes:", "",
              "| Sequence | Given | Next | Exact claim |", "|---|---|---|---|"]
    for name, (terms, expected) in UNRULED.items():
        rule = find_rule([float(v) for v in terms])
        unruled_claims += rule is not None
        wrong = rule is not None and not _same(rule.next_value, expected)
        unruled_wrong += wrong
        claim = "none" if rule is None else f"{rule.description}: {_text(rule.next_value)}"
        lines.append(f"| {name} | {_given(terms)} | {_text(expected)} | {claim}{' **wrong**' if wrong else ''} |")
    counts = {"ruled": len(RULED), "ruled_ok": ruled_ok, "unruled": len(UNRULED),
              "unruled_claims": unruled_claims, "unruled_wrong": unruled_wrong}
    return lines, counts


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _given(terms: list) -> str:
    shown = " ".join(_text(v) for v in terms[:12])
    return f"`{shown}{' …' if len(terms) > 12 else ''}` ({len(terms)})"


def issue_table(predictor: Predictor) -> tuple[list[str], int]:
    lines = ["| Input | Expected | numseries | Exact | Pattern |", "|---|---|---|---|---|"]
    good = 0
    for values, expected in ISSUE_TABLE:
        result = predictor.predict(values)
        good += result.value == expected and result.exact
        lines.append(f"| `{' '.join(map(str, values))}` | {expected} | {result.value:g} | {result.exact} "
                     f"| {result.pattern} |")
    return lines, good


def _wrong(rules: dict, truth: np.ndarray, scale: np.ndarray) -> tuple[int, int]:
    """(claims, wrong claims): a claim is wrong when it misses the truth by more than 1e-6 of the scale
    and 1e-9 of the truth's size (a saturated logistic's run of 1.0 followed by 1 - 1e-13 is not wrong)."""
    wrong = 0
    for i, rule in rules.items():
        tolerance = 1e-6 * scale[i] + 1e-9 * abs(truth[i])
        wrong += not abs(float(rule.next_value) - truth[i]) <= tolerance
    return len(rules), wrong


def false_rules_synthetic(n: int, seed: int) -> tuple[list[str], dict]:
    lines = [
        "| Family | Kind | Series | Exact claimed | Claimed and wrong | Wrong rate | `find_rules` CPU per series |",
        "|---|---|---|---|---|---|---|",
    ]
    rates = {}
    for k, name in enumerate(FAMILIES):
        batch = generate_batch(n, families=[name], seed=seed + k)
        values = np.where(batch.masks, batch.data, np.nan)
        scale = np.nanmean(np.abs(np.diff(values, axis=1)), axis=1)
        family = FAMILIES[name]
        kind = "noisy" if family.noise else "stochastic" if family.stochastic else "deterministic"
        truth = batch.clean_labels if kind == "deterministic" else batch.labels
        start = time.process_time()
        found = find_rules(values, batch.lengths)
        cost = 1e6 * (time.process_time() - start) / n
        claims, wrong = _wrong(found, truth, scale)
        rates[name] = wrong / n
        target = f" (target ≤ {FALSE_RULE_TARGET:.1%})" if name in NOISY else ""
        lines.append(
            f"| {name} | {kind} | {n:,} | {claims / n:.2%} | {wrong:,} | {wrong / n:.2%}{target} | {cost:.1f} µs |"
        )
    return lines, rates


def false_rules_real(cases_per_bucket: int) -> tuple[list[str], dict]:
    from numseries.realdata import real_cases

    cases = real_cases(cases_per_bucket=cases_per_bucket)
    values = np.where(cases.masks, cases.data, np.nan)
    scale = np.nanmean(np.abs(np.diff(values, axis=1)), axis=1)
    start = time.process_time()
    rules = find_rules(values, cases.lengths)
    cost = 1e6 * (time.process_time() - start) / len(cases)
    lines = ["| Dataset | Cases | Exact claimed | Claimed and wrong | Wrong rate |", "|---|---|---|---|---|"]
    rates = {}
    for k, name in enumerate(cases.family_names):
        rows = np.flatnonzero(cases.family_ids == k)
        subset = {i: rules[i] for i in rows.tolist() if i in rules}
        claims, wrong = _wrong(subset, cases.labels, scale)
        rates[name] = wrong / max(len(rows), 1)
        lines.append(f"| {name} | {len(rows):,} | {claims:,} | {wrong:,} | {rates[name]:.2%} |")
    claims, wrong = _wrong(rules, cases.labels, scale)
    lines.append(f"| all | {len(cases):,} | {claims:,} | {wrong:,} | {wrong / len(cases):.2%} |")
    lines += ["", f"`find_rules` took {cost:.1f} µs of CPU time per case."]
    rates["all"] = wrong / len(cases)
    return lines, rates


def _mixed_series(n: int, seed: int) -> list[np.ndarray]:
    """Lengths 4-64 from every training family, as benchmarks/predict_speed.py draws them."""
    lengths = np.random.default_rng(seed).integers(4, 65, n)
    batch = generate_batch(n, lengths=lengths, seed=seed)
    return [row[:length] for row, length in zip(batch.data, batch.lengths, strict=False)]


def _best_seconds(fn, repeats: int, clock=time.perf_counter) -> float:
    """Best of ``repeats`` times of ``fn`` on ``clock``: wall time by default (a batch runs its length groups
    on several threads), ``time.process_time`` for CPU time (other users of a shared machine do not count)."""
    best = float("inf")
    for _ in range(repeats):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def _cpu_seconds(fn, repeats: int) -> float:
    return _best_seconds(fn, repeats, time.process_time)


def _wall_seconds(fn, repeats: int) -> float:
    return _best_seconds(fn, repeats)


def speed(predictor: Predictor, args: argparse.Namespace) -> tuple[list[str], dict]:
    """CPU time of the finder per call (all it adds to ``predict``), of ``predict`` with rules on and off
    (interleaved, medians), and batch throughput (wall time, as predict_speed.py measures it) on and off."""
    rng = np.random.default_rng(7)
    walk64 = np.cumsum(rng.normal(size=64))  # predict_speed.py's single-prediction case
    mixed = _mixed_series(2_000, seed=8)
    ruled = [np.array(terms, dtype=float) for terms, _ in RULED.values()]
    per_call = {}
    for name, sequences in [("random walk, 64 values", [walk64] * 2000), ("generated mix, 4-64 values", mixed),
                            ("classic ruled sequences", ruled * 20)]:
        times = []
        for sequence in sequences:
            start = time.process_time()
            find_rule(sequence)
            times.append(time.process_time() - start)
        per_call[name] = (1e6 * statistics.median(times), 1e6 * float(np.percentile(times, 90)),
                          1e6 * float(np.mean(times)))
    off = Predictor.from_pretrained(args.weights, rules=False)
    single: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(2000):  # interleaved, so that both see the same machine; wall time, as predict_speed.py
        for label, p in (("on", predictor), ("off", off)):  # (onnxruntime's idle threads spin: CPU time misleads)
            start = time.perf_counter()
            p.predict(walk64)
            single[label].append(time.perf_counter() - start)
    single_us = {label: 1e6 * statistics.median(times) for label, times in single.items()}
    batch = _mixed_series(args.batch_series, seed=1)
    throughput = {"on": 0.0, "off": 0.0}
    for _ in range(3):  # interleaved, so that a busy spell of a shared machine does not fall on one side only
        for label, p in (("on", predictor), ("off", off)):
            throughput[label] = max(throughput[label], len(batch) / _wall_seconds(lambda p=p: p.predict_batch(batch), 1))
    cpu = {label: 1e6 * _cpu_seconds(lambda p=p: p.predict_batch(batch), 2) / len(batch)
           for label, p in [("on", predictor), ("off", off)]}
    exact_share = float(predictor.predict_batch(batch).exact.mean())
    lines = [
        "| `find_rule` (CPU time per call: all that rules add to a prediction) | Median | p90 | Mean |",
        "|---|---|---|---|",
        *[f"| {name} | {m:.1f} µs | {p:.1f} µs | {a:.1f} µs |" for name, (m, p, a) in per_call.items()],
        "",
        "| Measure | Rules on | Rules off | Difference |",
        "|---|---|---|---|",
        f"| `Predictor.predict`, random walk of 64 values (wall time, median of 2,000 interleaved) "
        f"| {single_us['on']:.1f} µs | {single_us['off']:.1f} µs | {single_us['on'] - single_us['off']:+.1f} µs |",
        f"| `predict_batch`, {len(batch):,} generated series of 4–64 values: CPU time per series (best of 2) "
        f"| {cpu['on']:.1f} µs | {cpu['off']:.1f} µs | {cpu['on'] - cpu['off']:+.1f} µs |",
        f"| … throughput, wall time (best of 3, on and off interleaved; target ≥ 20,000 with rules on) | {throughput['on']:,.0f} series/s "
        f"| {throughput['off']:,.0f} series/s | {throughput['on'] / throughput['off'] - 1:+.0%} |",
        "",
        f"{exact_share:.1%} of that batch's series get an exact rule (the generator's noise-free lines, "
        "polynomials, periodic waves, geometric series and constant runs). The batch runs the network on "
        f"{predictor.workers} threads and the rule finder on one; on a busy machine the wall-time figures "
        "move with the load (see above) while CPU times hold.",
    ]
    figures = {"single_added_us": per_call["random walk, 64 values"][0], "batch_on": throughput["on"],
               "batch_added_us": cpu["on"] - cpu["off"],
               "batch_off": throughput["off"], "per_call": per_call}
    return lines, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument("--n-per-family", type=int, default=3_000, help="generated series per family")
    parser.add_argument("--cases-per-bucket", type=int, default=300, help="real cases per dataset and length bucket")
    parser.add_argument("--batch-series", type=int, default=50_000, help="series in the throughput batch")
    parser.add_argument("--seed", type=int, default=13, help="seed of the generated series")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    predictor = Predictor.from_pretrained(args.weights)
    load_before = os.getloadavg()
    started = time.perf_counter()

    suite_lines, counts = suite()
    issue_lines, issue_good = issue_table(predictor)
    synthetic_lines, synthetic = false_rules_synthetic(args.n_per_family, args.seed)
    real_lines, real = false_rules_real(args.cases_per_bucket)
    speed_lines, figures = speed(predictor, args)

    noisy_worst = max(synthetic[name] for name in NOISY)
    real_worst = max(rate for name, rate in real.items())
    met = {True: "met", False: "**not met**"}
    summary = [
        f"- Classic sequences with a rule: **{counts['ruled_ok']} of {counts['ruled']}** continue exactly "
        f"({met[counts['ruled_ok'] == counts['ruled']]}).",
        f"- Classic sequences without one: {counts['unruled_claims']} of {counts['unruled']} get an exact claim, "
        f"**{counts['unruled_wrong']} wrong** ({met[counts['unruled_wrong'] == 0]}).",
        f"- The issue's table: **{issue_good} of {len(ISSUE_TABLE)}** give the expected value, exactly "
        f"({met[issue_good == len(ISSUE_TABLE)]}).",
        f"- Wrong exact claims on the noisy families: at most **{noisy_worst:.2%}** "
        f"({met[noisy_worst <= FALSE_RULE_TARGET]}, target ≤ {FALSE_RULE_TARGET:.1%}); on the real data: at most "
        f"**{real_worst:.2%}** per dataset ({met[real_worst <= FALSE_RULE_TARGET]}).",
        f"- Speed: the finder adds **{figures['single_added_us']:.1f} µs** of CPU time to one prediction "
        "(median, random walk of 64 values) "
        f"({met[figures['single_added_us'] <= 50]}, target ≤ 50 µs); a batch of generated series runs at "
        f"**{figures['batch_on']:,.0f} series/s** with rules, {figures['batch_off']:,.0f} without "
        f"({met[figures['batch_on'] >= 20_000]}, target ≥ 20,000 with rules): the finder adds "
        f"{figures['batch_added_us']:.1f} µs of CPU time per series there (a fifth of them have a rule), "
        "less on noise and real data (tables below).",
    ]
    text = "\n".join([
        "# Exact rules",
        "",
        "Measured by `python benchmarks/rules.py"
        + (f" --weights {args.weights}" if args.weights else "") + "` on "
        f"{os.cpu_count()} CPUs in {time.perf_counter() - started:.0f} s; load average before: "
        f"{', '.join(f'{v:.2f}' for v in load_before)}, after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}.",
        "",
        *summary,
        "",
        "## The issue's examples, through `Predictor.predict`",
        "",
        *issue_lines,
        "",
        "## Classic sequences",
        "",
        "Each next term is computed in the script from the sequence's definition, not by the finder.",
        "",
        *suite_lines,
        "",
        "## False rules on generated series",
        "",
        f"{args.n_per_family:,} series per family, lengths 3–64 (seed {args.seed}). A claim is wrong when it "
        "misses the next value by more than 1e-6 of the series' mean absolute step plus 1e-9 of the value: the noise-free next value "
        "for deterministic families, the observed one for the others (a `step` series' constant run ends at "
        "a random jump, which no rule can foresee).",
        "",
        *synthetic_lines,
        "",
        "## False rules on real data",
        "",
        f"`numseries.realdata.real_cases(cases_per_bucket={args.cases_per_bucket})`: rolling-origin cases of "
        "8 to 64 values from the real suite (statsmodels and vega_datasets), against the observed next value.",
        "",
        *real_lines,
        "",
        "## Speed",
        "",
        *speed_lines,
        "",
    ])
    write_result(RESULTS / "rules.md", text)
    print("\n".join(summary))


if __name__ == "__main__":
    main()
