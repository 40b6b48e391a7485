"""Arrays of series and the numpy helpers every module shares: no generator, no torch.

Contexts are right-padded (N, T) arrays with prefix masks: row ``i`` holds its ``lengths[i]`` values in
its first columns. The model (:mod:`numseries.model`) has its own torch versions of :func:`keep_last`
and :func:`step_scale` inside its graph; tests check that the two agree.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import numpy as np

LARGEST_FLOAT = float(np.finfo(np.float64).max)


@dataclasses.dataclass(frozen=True)
class SequenceBatch:
    """Contexts with their next values, right-padded with zeros. ``N`` series, ``T`` steps."""

    data: np.ndarray  # (N, T) float64 context values, 0 after each length
    labels: np.ndarray  # (N,) float64 the value right after the context
    masks: np.ndarray  # (N, T) bool, True on the first ``lengths[i]`` steps
    lengths: np.ndarray  # (N,) int64 context lengths
    family_ids: np.ndarray  # (N,) int64 index into ``family_names``
    family_names: tuple[str, ...]
    clean_labels: np.ndarray  # (N,) float64 the next value before noise (== labels when noise-free)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def families(self) -> np.ndarray:
        """(N,) family name of each series."""
        return np.asarray(self.family_names, dtype=object)[self.family_ids]


def padded_rows(windows: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Windows of any lengths -> (N, longest) values padded with trailing NaN, and the lengths (N,)."""
    lengths = np.array([len(window) for window in windows], dtype=np.int64)
    values = np.full((len(windows), int(lengths.max(initial=0))), np.nan)
    for i, window in enumerate(windows):
        values[i, : len(window)] = window
    return values, lengths


def unit_scaled(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., W) values -> the same scaled by a power of two per row so that every ``|value| < 1``, and (...,) the
    exponents (``np.ldexp(scaled, exponent[..., None])`` gives the values back). Exact: every bit is kept, and
    sums, differences and squares computed on them round as on the values, scaled, but do not overflow (squares
    of differences of values near 1e160 did, to inf)."""
    _, exponent = np.frexp(np.abs(values).max(axis=-1, initial=0.0))
    return np.ldexp(values, -exponent[..., None]), exponent


def mirrored_back(signs: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(N,) signs (1, or -1 for a series read as its mirror image) and (N, ..., Q) values computed from the mirror
    images, ordered along the last axis (quantiles, a band's low and high) -> the series' own: each row times its
    sign, the last axis reversed where that is -1 (a mirror's lowest quantile is the series' highest)."""
    out = signs.reshape(-1, *[1] * (values.ndim - 1)) * values
    out[signs < 0] = out[signs < 0][..., ::-1]
    return out


def mean_abs_step(values: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(N, T) values with prefix masks -> (N,) mean absolute step of each context (0 when constant)."""
    valid = masks[:, 1:] & masks[:, :-1]
    with np.errstate(over="ignore", invalid="ignore"):  # near the float limits a step is inf: so is the scale
        steps = np.abs(np.diff(values, axis=1)) * valid
        return steps.sum(axis=1) / np.maximum(valid.sum(axis=1), 1)  # steps near the limits sum past them: inf


def step_scale(values: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(N,) the scale the model divides by: the mean absolute step, 1 where the context is constant."""
    step = mean_abs_step(values, masks)
    return np.where(step > 0, step, 1.0)


def keep_last(values: np.ndarray, lengths: np.ndarray, width: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Crop (N, T) prefix-padded rows to (N, min(T, max width)), keeping each row's last ``width`` values
    (one width for all rows, or (N,) one per row).

    Returns the cropped values and the (N, min(T, max width)) column of ``values`` each came from; rows of
    ``width`` values or fewer keep their place (columns past their length hold the padding).
    """
    widest = int(np.max(width, initial=0))
    columns = min(values.shape[1], widest)
    start = np.maximum(np.asarray(lengths) - width, 0)  # (N,)
    index = start[:, None] + np.arange(columns)  # (N, columns); past a row's length only with per-row widths
    if values.shape[1] <= np.min(width):  # every row already fits (rows may be cut already): no copy
        return values, index
    return np.take_along_axis(values, np.minimum(index, values.shape[1] - 1), axis=1), index


# A steep decay or a saturating curve ends in steps far smaller than those of its start. Scaled by the
# whole window's mean step, its last steps are tiny and the network's answer is off by a large share of
# them (100 * 0.9^t, rounded, at 64 values: 22% low; at 32: 0.1%). A steep growth ends in steps far larger
# than those of its start, scaled so they are huge: 1.3^t at 64 values, 10.7% off (0.04% read from its last
# 24). So the network reads a shorter window when the recent steps are that small, or, all going one way,
# that large: benchmarks/results/decays.md and accuracy_*.md measure the effect.
TRIM_RATIO = 5.0  # the window's mean step may be at most this many times that of its last RECENT_STEPS
GROWTH_RATIO = 3.0  # ... and at least 1 / GROWTH_RATIO of it, where those go one way (5 left 1.5^t 4.9% off)
RECENT_STEPS = 8  # ... or of its last half, in a window of fewer than 2 * RECENT_STEPS steps
TRIM_WIDTHS = (48, 32, 24, 16, 12, 8, 6)  # the shorter windows tried, longest first; the last is the shortest read


def read_lengths(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) prefix-aligned windows, (N,) their lengths -> (N,) how many of its last values the network
    reads: all of them, unless the window's mean absolute step is more than ``TRIM_RATIO`` times that of
    its last ``RECENT_STEPS`` steps (of its last half, when shorter: a decay's end), or less than
    ``1 / GROWTH_RATIO`` of it where those steps all go one way (a growth's end; a jump or an outlier among
    level values goes back, or stays); then the longest of ``TRIM_WIDTHS`` whose mean step is within that
    ratio (the shortest when none is). Scale- and shift-free, like the model."""
    lengths = np.asarray(lengths, dtype=np.int64)
    out = lengths.copy()
    long = np.flatnonzero(lengths > TRIM_WIDTHS[-1])
    if not long.size:
        return out
    rows, n = values[long], lengths[long]
    valid = np.arange(rows.shape[1] - 1)[None, :] < (n - 1)[:, None]  # (M, W - 1)
    with np.errstate(all="ignore"):  # values near the float limits: inf/NaN steps trim nothing below
        signed = np.where(valid, np.diff(rows, axis=1), 0.0)  # (M, W - 1)
        steps = np.abs(signed)
        at = np.arange(len(n))

        def sum_last(each: np.ndarray) -> Callable[[np.ndarray | int], np.ndarray]:  # (M, W - 1) per step
            total = np.concatenate([np.zeros((len(n), 1)), np.cumsum(each, axis=1)], axis=1)  # (M, W)
            return lambda k: total[at, n - 1] - total[at, n - 1 - np.minimum(k, n - 1)]  # (M,) of the last k

        summed = sum_last(steps)

        def mean_last(k: np.ndarray | int) -> np.ndarray:  # (M,) mean of each row's last k steps (at most all)
            return summed(k) / np.minimum(k, n - 1)

        recent = np.minimum(RECENT_STEPS, (n - 1) // 2)  # (M,)
        recent_mean, whole_mean = mean_last(recent), mean_last(n - 1)  # (M,) each
        limit = TRIM_RATIO * recent_mean
        drowned = (whole_mean > limit) & (limit > 0)
        grown = whole_mean * GROWTH_RATIO < recent_mean
        if grown.any():  # only where the recent steps all go one way
            grown &= np.maximum(sum_last(signed > 0)(recent), sum_last(signed < 0)(recent)) == recent
        if not (drowned.any() or grown.any()):  # the usual case: every row is read whole
            return out
        read = np.where(drowned | grown, TRIM_WIDTHS[-1], n)
        for width in TRIM_WIDTHS[-2::-1]:  # shortest first, so the longest that fits is kept
            mean = mean_last(width - 1)
            fits = (width < n) & ((drowned & (mean <= limit)) | (grown & (mean * GROWTH_RATIO >= recent_mean)))
            read = np.where(fits, width, read)
    out[long] = read
    return out


def shift_right(rows: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(N, W) prefix-aligned rows, (N,) offsets -> (N, W) each row moved ``offsets[i]`` columns to the
    right, zeros before (what falls off the end is dropped)."""
    index = np.arange(rows.shape[1])[None, :] - offsets[:, None]  # (N, W) source column
    out = np.take_along_axis(rows, np.clip(index, 0, rows.shape[1] - 1), axis=1)
    return np.where(index >= 0, out, 0).astype(rows.dtype, copy=False)


def narrow_float(dtype: Any) -> bool:
    """Whether values of ``dtype`` are floats narrower than float64 (float32, float16; pandas' Float32 too):
    read by :func:`widened`, as the decimals they hold."""
    dtype = np.dtype(getattr(dtype, "numpy_dtype", dtype))
    return dtype.kind == "f" and dtype.itemsize < 8


def widened(narrow: np.ndarray) -> np.ndarray:
    """float32 or float16 values (any shape) -> float64, each the shortest decimal that reads back as it (the float32
    0.1 is 0.1, not 0.10000000149011612): the number that was typed or stored, so that exact rules and
    recorded decimals see 0.1, 0.2, 0.3 where a float32 array or a Parquet float column holds them. Whole
    numbers stay as they are (past 2**24 float32 holds only some, and those are what was stored)."""
    shape, narrow = narrow.shape, narrow.ravel()
    digits = np.finfo(narrow.dtype).precision + 3  # enough to read any of them back (float32: 9)
    wide = narrow.astype(np.float64)
    out = wide.copy()
    # whole numbers stay as stored (a float32 1000000064 is no 1.00000006e9: counts are whole)
    pending = np.flatnonzero(np.isfinite(wide) & (wide != np.round(wide)))
    found, mantissas, exponents = [], [], []  # each value as mantissa * 10**exponent, mantissa of the fewest digits
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for count in range(1, digits + 1):  # the fewest significant digits first
            x = wide[pending]
            exponent = np.floor(np.log10(np.abs(x))) - (count - 1)
            mantissa = np.round(x / 10.0**exponent)
            back = (mantissa * 10.0**exponent).astype(narrow.dtype) == narrow[pending]  # (to float64 rounding)
            found.append(pending[back])
            mantissas.append(mantissa[back])
            exponents.append(exponent[back])
            pending = pending[~back]
            if not pending.size:
                break
    if not found:
        return out.reshape(shape)
    where, mantissa, exponent = np.concatenate(found), np.concatenate(mantissas), np.concatenate(exponents)
    # Each decimal correctly rounded, as Python reads its text: 10**k is exact up to k = 22, so one product or
    # quotient of exact numbers rounds once; past that, the text is read (1e-30, not 1e30's reciprocal).
    near = np.abs(exponent) <= 22
    power = 10.0 ** np.abs(np.where(near, exponent, 0))
    out[where[near]] = np.where(exponent >= 0, mantissa * power, mantissa / power)[near]
    far = np.flatnonzero(~near)
    texts = [f"{int(m)}e{int(e)}" for m, e in zip(mantissa[far].tolist(), exponent[far].tolist(), strict=True)]
    out[where[far]] = np.array(texts, dtype=np.float64)
    return out.reshape(shape)


def check_exact_integers(given: np.ndarray, values: np.ndarray, what: str) -> None:
    """``given`` (any shape) as the caller received it, ``values`` the same as float64: a ValueError naming the
    first integer float64 rounds (beyond 2**53 most integers are not floats: 9007199254740993 would be read
    as 9007199254740992, and a progression typed in such digits predicted as another). ``what`` names it."""
    flat, numbers = values.ravel(), given.ravel()
    with np.errstate(invalid="ignore"):
        big = np.flatnonzero(np.abs(flat) >= 2.0**52)  # (M,) only here can an integer be rounded (from 2**53) or
        # a fraction lost entirely (from 2**52, where floats are whole numbers)
    if numbers.dtype.kind in "iu":  # machine integers: compared at once (below 2**63 they fit int64)
        small = np.abs(flat[big]) < 2.0**63
        back = np.where(small, flat[big], 0.0).astype(np.int64)
        big = big[~small | (back != numbers[big])]
    for index in big.tolist():  # exact numbers in object arrays (int, Decimal, ...), and the few past 2**63
        if not np.isfinite(flat[index]):  # past the float range: its own error, elsewhere
            continue
        exact = lost_integer(numbers[index], float(flat[index]))
        where = f"row {index // given.shape[1]} of {what}" if given.ndim == 2 else what
        if exact is not None:
            raise ValueError(f"{where} holds {integer_text(exact)}, {rounded_integer(int(flat[index]))}")
        if lost_fraction(numbers[index], float(flat[index])):  # 40000000000000001.5: read as 40000000000000000
            raise ValueError(f"{where} holds {clipped(str(numbers[index]).strip())}, {rounded_integer(int(flat[index]), 'a number')}")


def lost_integer(number: Any, read: float) -> int | None:
    """The integer ``number`` holds, when float64 read it as another one (``read``, finite); ``None`` when it
    holds none or ``read`` is it. Python and NumPy integers and integral Fractions are exact as given; decimal
    text and Decimals to the digits typed: '1e300' is read as the float that prints as 1e+300 and taken, and so are
    its 17 significant digits (``%.17g``, a float written without loss: numpy's savetxt, C's printf) and any
    text with an exponent and 17 significant digits or more (more than a float64 holds: no one wrote
    2.2345678901234567e+300 as an exact integer), while '9007199254740993.0' and '9.007199254740993e15' (16 digits,
    read as 9007199254740992) are not, nor '4611686018427387905.0' (2**62 + 1 written with a point)."""
    if isinstance(number, (int, np.integer)):
        return int(number) if int(number) != int(read) else None
    if isinstance(number, str):
        try:
            text, number = number.strip(), Decimal(number.strip())
        except InvalidOperation:
            return None
        if number.is_finite() and re.search(r"[eE]", text) and len(number.normalize().as_tuple().digits) >= 17:
            return None
    if isinstance(number, Decimal) and (
        not number.is_finite() or number == Decimal(repr(float(read))) or number == Decimal(f"{read:.17g}")
    ):
        return None
    if isinstance(number, (Decimal, Fraction)):
        exact = Fraction(number)
        if exact.denominator == 1 and exact.numerator != int(read):
            return exact.numerator
    return None


def underflowed(number: Any, read: float) -> bool:
    """Whether ``number`` (text, a Decimal or a Fraction, as given) is not 0 though float64 read it as 0:
    below about 5e-324 (``1e-400``), where a prediction would be made for 0."""
    if read != 0:
        return False
    if isinstance(number, (str, bytes)):
        text = number.decode("ascii", "replace") if isinstance(number, bytes) else number
        return re.search(r"[1-9]", text.lower().partition("e")[0]) is not None
    return isinstance(number, (Decimal, Fraction)) and number != 0


def check_narrowed(given: np.ndarray, values: np.ndarray, what: str) -> None:
    """``given`` a long-double array (more range and digits than float64) or one of objects (Decimal, Fraction),
    ``values`` the same as float64: a ValueError naming the first value float64 reads as 0 though it is not,
    or a long double's integer it rounds (objects' integers: :func:`check_exact_integers`)."""
    flat, numbers = values.ravel(), given.ravel()
    differs = flat.astype(given.dtype) != numbers  # (M,) objects: only the zeros are misread
    for index in np.flatnonzero(differs if given.dtype.kind == "f" else differs & (flat == 0)).tolist():
        number = numbers[index]
        where = f"row {index // given.shape[1]} of {what}" if given.ndim == 2 else what
        if flat[index] == 0 and (given.dtype.kind == "f" or underflowed(number, 0.0)):
            raise ValueError(f"{where} holds {clipped(str(number))}, which {BELOW_FLOAT}")  # (format() goes through float)
        if given.dtype.kind != "f":
            continue
        if np.isfinite(flat[index]) and number == np.floor(number) and abs(flat[index]) >= 2.0**53:
            raise ValueError(f"{where} holds {integer_text(int(number))}, {rounded_integer(int(flat[index]))}")
        if np.isfinite(flat[index]) and number != np.floor(number) and abs(flat[index]) >= 2.0**52:  # its fraction lost
            raise ValueError(f"{where} holds {str(number)}, {rounded_integer(int(flat[index]), 'a number')}")


BELOW_FLOAT = (
    "is smaller than float64 holds (about 5e-324) and would be read as 0; scale the values up first "
    "(numseries scales its answer the same way)"
)


def rounded_integer(read_as: int, kind: str = "an integer") -> str:
    """What is wrong with an integer (or another ``kind`` of number) float64 rounds to ``read_as``, and the fix
    (the end of the error)."""
    return (
        f"{kind} float64 cannot hold exactly (it would be read as {integer_text(read_as)}); "
        "subtract a common offset from the values first, or forecast on from the values before it"
    )


def lost_fraction(number: Any, read: float) -> bool:
    """Whether ``number`` (text, a Decimal or a Fraction, as given) is no whole number though float64 read it
    from 2**52 on (as ``read``), where floats are whole numbers: its fraction, and maybe units, are lost
    (4503599627370496.5 is read as 4503599627370496, 40000000000000001.5 as 40000000000000000), as
    :func:`lost_integer` finds of integers."""
    if not abs(read) >= 2.0**52 or isinstance(number, (int, np.integer, float, np.floating)):
        return False
    try:
        exact = Fraction(Decimal(number.strip()) if isinstance(number, str) else number)
    except (InvalidOperation, TypeError, ValueError, OverflowError):  # (Decimal('Infinity'): no fraction)
        return False
    return exact.denominator != 1


def above_float(read_as: float) -> str:
    """What is wrong with a number past the float range, read as ``read_as`` (inf or -inf), and the fix."""
    return (
        f"is larger than float64 holds (about 1.8e308) and would be read as {read_as}; divide the values by a "
        "large constant first (numseries scales its answer the same way)"
    )


def past_float(value: int) -> bool:
    """Whether float64 cannot hold an integer even rounded (it would be read as inf): the largest float + 1
    is read as the largest float."""
    try:
        float(value)
    except OverflowError:
        return True
    return False


def clipped(text: str) -> str:
    """Text as an error quotes it: at most 60 characters."""
    return text if len(text) <= 60 else text[:57] + "..."


def integer_text(value: int) -> str:
    """An integer as an error shows it: in full up to 30 digits, else its first 20 and how many it has."""
    text = str(value)
    digits = len(text.lstrip("-"))
    return text if digits <= 30 else f"{text[: 20 + text.startswith('-')]}... ({digits:,} digits)"


# words that name times as a header's labels do (jan,feb,...; mon,tue,...) or positions (first,second; one,two;
# start,end): the columns of one series, never quantities
_CALENDAR_WORDS = frozenset({
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january",
    "february", "march", "april", "june", "july", "august", "september", "october", "november", "december",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "y",
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "last",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "start", "middle", "end",
    "begin", "prev", "previous", "current", "next", "before", "after", "now", "then", "initial", "interim",
    "final", "baseline", "midpoint", "followup", "pre", "mid", "post", "early", "late", "morning", "noon",
    "afternoon", "evening", "night", "midnight", "spring", "summer", "autumn", "fall", "winter",
})  # fmt: skip
# the label of a column of times: the one word, or a name ending so (created_at, order_date, updated_on,
# event_time, date_utc, createdAt); not any word holding "time" (runtime, uptime and downtime are quantities)
_TIME_WORDS = frozenset({
    "ds", "date", "time", "datetime", "timestamp", "year", "month", "quarter", "week", "day", "period", "hour",
    "minute", "ts", "epoch", "step", "timestep", "when",
})  # fmt: skip
_TIME_ENDS = re.compile(
    r".+[_\s.-](at|date|time|ts|datetime|timestamp)|.+ed[_\s.-]on|(date|time|datetime|timestamp)[_\s.(-].*"
)
_CAMEL_TIME = re.compile(r".*[a-z](At|Date|Time|Ts|Timestamp)")
_INDEX_WORDS = frozenset({"index", "idx", "row", "#"})  # a row's position: df.reset_index() writes "index"


def time_named(label: Any) -> bool:
    """Whether a column label names times (``date``, ``hour``, ``epoch``, ``created_at``, ``orderDate``): its
    cells are the times of the values beside them, never values."""
    if not isinstance(label, str):
        return False
    text = label.strip()
    return text.lower() in _TIME_WORDS or bool(_TIME_ENDS.fullmatch(text.lower()) or _CAMEL_TIME.fullmatch(text))


def index_named(label: Any) -> bool:
    """Whether a column label names a row's position (``index``, ``idx``, ``row``): beside quantities, the
    steps of a series down each; beside values, each row's label."""
    return isinstance(label, str) and label.strip().lower() in _INDEX_WORDS


def quantity_names(labels: Sequence[Any], least: int = 3) -> bool:
    """Whether ``least`` or more column labels name quantities (``temperature,humidity,pressure``; ``sales,cost,
    units``; ``pm2_5,pm10,co2``), so that a table's rows are observations and each column a series: none is a
    number or date (2020, 2024-01), has fewer than two letters (a,b,c: as a spreadsheet's columns) but for one
    letter numbered alone (o3 beside co2), numbers positions with others of its stem (t1,t2,...; day_1,day_2;
    not pm1 beside pm10: :func:`_position_stems`), or is named as a time, a row's
    index, a month, a weekday or a position is (date, created_at, index, jan, mon, first, one, start)."""
    if len(labels) < least or not all(isinstance(label, str) for label in labels):
        return False
    positions = _position_stems(labels)
    return all(_quantity_name(label, positions) for label in labels)


_NO_QUANTITIES = _CALENDAR_WORDS | _TIME_WORDS
_NUMBERED = re.compile(r"(\D*?)[_\s.-]?(\d+)")  # t1, day_2, FY2020: a stem numbered (pm2_5 is none)


def _position_stems(labels: Sequence[str]) -> set[str]:
    """The stems that number positions among ``labels``: three or more labels of one stem (t1 t2 t3 t5 t8),
    or two numbered one after the other (t1 t2); not two apart (pm1 beside pm10, with pm2_5)."""
    numbers: dict[str, set[int]] = {}
    for label in labels:
        if match := _NUMBERED.fullmatch(label.strip().lower()):
            numbers.setdefault(match[1], set()).add(int(match[2]))
    return {stem for stem, found in numbers.items() if len(found) >= 3 or (len(found) == 2 and max(found) - min(found) == 1)}


def _quantity_name(label: str, positions: set[str]) -> bool:
    text = label.strip().lower()
    letters = re.sub(r"[\W\d_]", "", text)
    numbered = _NUMBERED.fullmatch(text)
    return (
        (len(letters) > 1 or (numbered is not None and len(numbered[1]) == 1))  # o3, x1 beside co2, y1: a, b no
        and not {letters, text} & _NO_QUANTITIES
        and not time_named(label) and not index_named(label) and (numbered is None or numbered[1] not in positions)
    )  # fmt: skip


def time_labels(labels: Sequence[Any]) -> list[Any]:
    """The labels among ``labels`` named as times are (date, year, month, created_at, ...)."""
    return [label for label in labels if time_named(label)]


def timed_labels(labels: Sequence[Any]) -> list[Any]:
    """The labels among ``labels`` named as times or a row's index are (``hour``, ``created_at``, ``index``)."""
    return [label for label in labels if time_named(label) or index_named(label)]


def observed(labels: Sequence[Any], least: int = 3) -> bool:
    """Whether column labels are those of quantities observed row by row: ``least`` or more named as quantities
    are (:func:`quantity_names`), beside at most one named as times or a row's index are (``hour``, ``index``)."""
    timed = timed_labels(labels)
    return len(timed) <= 1 and quantity_names([label for label in labels if label not in timed], least)


ID_COLUMN = "unique_id"  # the column of series ids in long format, as statsforecast names it
# Labels that name a series (lower-cased): id, sku, store_id, product id, Country Code, ticker, sensor, ...; and
# camelCase ...Id (adversarial round 40: ticker,date,close was read as two series, ticker and close, each failing).
# Not the names measurements go by too (round 41: user, as sar's CPU user%; meter, a reading; state; category)
_ID_NAMES = re.compile(
    r"id|sku|series|store|item|product|key|name|code|ticker|symbol|country|city|region|customer|device|sensor"
    r"|station|location|shop|warehouse|brand|.*[_\s.-](id|name|code|key|nbr)"
)
_CAMEL_ID = re.compile(r".*[a-z]Id")


def id_named(labels: list[Any]) -> list[str]:
    """The labels, among a file's 3 or more ``labels`` without unique_id, of the columns named as series ids
    are (``id``, ``sku``, ``store_id``, ``Country Code``, ...): the first columns (``Country Name,Country
    Code,2000,...``), or any where another is named as times are and a value column is left (``date,store,
    item,sales``: long format). Empty where there are none."""
    if len(labels) < 3 or ID_COLUMN in labels:
        return []
    named = [
        label for label in labels
        if isinstance(label, str) and (_ID_NAMES.fullmatch(label.strip().lower()) or _CAMEL_ID.fullmatch(label.strip()))
        or index_named(label)
    ]  # fmt: skip
    if any(map(index_named, named)) and observed([label for label in labels if label not in named or index_named(label)], 1):
        named = [label for label in named if not index_named(label)]  # index,temperature,...: the rows' steps
    times = time_labels(labels) or (["ds"] if "ds" in labels else [])
    if times:
        return named if len(labels) - len(named) - len(times) >= 1 else []
    return named if named == labels[: len(named)] else []


def isolating(call: Any, rows: np.ndarray, errors: np.ndarray, strict: bool) -> list[tuple[np.ndarray, Any]]:
    """``call(rows)`` as ``[(rows, result)]``; when it raises, the rows halved until the failing series are
    single, each marked in ``errors`` with the message (raised at once when ``strict``)."""
    if not len(rows):
        return []
    try:
        return [(rows, call(rows))]
    except ValueError as err:
        if strict:
            raise
        if len(rows) == 1:
            errors[rows[0]] = " ".join(str(err).split())
            return []
    half = len(rows) // 2
    return isolating(call, rows[:half], errors, strict) + isolating(call, rows[half:], errors, strict)
