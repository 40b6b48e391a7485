"""``numseries serve``: the predictor behind an HTTP API and a web page, on one process, with no cloud.

    POST /predict        {"values": [...], "steps": K}  -> the JSON of ``numseries predict --json``
    POST /predict/batch  {"series": [[...], ...]}       -> {"predictions": [one /predict JSON each]}
    GET  /health         the package version and the model's file, runtime and sha256 digest
    GET  /               the web page (static files shipped with the package, no CDN); HEAD too
    GET  /docs           the OpenAPI page (Swagger UI served from the swagger-ui-bundle-v2 package)
    GET  /openapi.json   the OpenAPI schema

The model loads once, in :func:`create_app`. Bad requests get a 4xx JSON ``{"error": "..."}`` that names
the problem; the limits below bound what one request may cost. Needs the ``serve`` extra.
"""

from __future__ import annotations

import asyncio
import gc
import glob
import hashlib
import json
import logging
import math
import re
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles
    from pydantic import AfterValidator, BaseModel, ConfigDict, Field, FiniteFloat, Strict, StrictInt
    from pydantic_core import to_json
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as err:  # pragma: no cover - depends on the install
    raise ImportError(f"numseries serve needs the serve extra ({err}); pip install 'numseries[serve]'") from err

from numseries import __version__
from numseries.commands.predict import (
    NO_PATTERN,
    _as_json,
    add_forecast,
    forecast_cycle,
    forecast_log_path,
    forecast_own_cycle,
    forecast_read,
    forecast_settles,
    forecast_steady,
    json_answer,
    round_attention,
)
from numseries.forecast import BACKTEST_STEPS, CYCLE_AGREE, CYCLE_BACKTEST, CYCLE_HOLD, PREFER_CYCLE, SETTLE_OVERSHOOT
from numseries.intervals import CALIBRATION_FILE, check_levels, fraction_note, level_name, levels_checked, widest_level
from numseries.predict import MIN_VALUES, THE_SEQUENCE, BatchPrediction, Predictor
from numseries.series import (
    BELOW_FLOAT,
    above_float,
    clipped,
    integer_text,
    isolating,
    lost_fraction,
    lost_integer,
    past_float,
    rounded_integer,
    underflowed,
)
from numseries.weights import CLASSIFIER_FILES, CONFIG_FILE

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024 * 1024  # a request body larger than this gets 413 before it is parsed
DISCARD_BYTES = 4 * MAX_BODY_BYTES  # of a body over the limit, read (and dropped) so that the client reads the 413
BODY_TIMEOUT = 10.0  # seconds a request body may send nothing before it gets 408 and its connection closes
BODY_DEADLINE = 60.0  # seconds a whole request body may take to come, before it gets 408 and its connection closes
MAX_BATCH = 10_000  # series in one /predict/batch request
MAX_VALUES = 10_000  # values in one sequence; the model reads the last max_len (64) of them
MAX_STEPS = 256  # steps of one autoregressive forecast
MAX_GROUP = 256  # /predict requests answered by one model call


def _float_texts(values: list[int | float]) -> list[int | float]:
    """``values`` with each JSON integer from 2**53 on that is written as its float's shortest digits
    (18446744073709552000: JavaScript's JSON.stringify of 2**64; 1e23 written out, 100000000000000000000000) read
    as that float, as the CLI and the page read the same text; the other numbers as given."""
    for i, value in enumerate(values):
        if type(value) is int and not -(2**53) < value < 2**53 and not past_float(value):
            read = float(value)
            if int(read) != value and lost_integer(str(value), read) is None:
                values[i] = read
    return values


# A JSON number: no strings, no booleans, no NaN or inf. Integers stay integers, so that one float64 would
# round (9007199254740993) gets the Predictor's 422 naming it rather than a prediction for another value.
Number = StrictInt | Annotated[FiniteFloat, Strict()]
Sequence_ = Annotated[list[Number], Field(min_length=MIN_VALUES, max_length=MAX_VALUES), AfterValidator(_float_texts)]
# A level in percent: above 0 in the schema, and at most the widest level the model's quantiles give there too
# (_state_widest_level); checked against them by the Predictor, whose error names that widest level (pydantic's
# own check would say less)
Level = Annotated[Number, Field(json_schema_extra={"exclusiveMinimum": 0})]


class PydanticJSON(JSONResponse):
    """JSON written by pydantic-core, FastAPI's own serializer: it reads back to the same numbers as
    ``json.dumps`` would write (big exact integers included), several times faster on a batch."""

    def render(self, content: Any) -> bytes:
        return to_json(content)


class PredictRequest(BaseModel):
    """One sequence, oldest value first."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"values": [2, 4, 6, 8, 10]}]})
    values: Sequence_
    steps: Annotated[int, Strict(), Field(ge=1, le=MAX_STEPS)] | None = Field(
        None, description="also forecast this many steps autoregressively (the CLI's --steps)"
    )
    level: Annotated[list[Level], Field(max_length=10)] | None = Field(
        None,
        description="prediction intervals in percent, e.g. [80, 95]; [] for none (default: [80] when the model "
        "has a quantile head)",
    )


class BatchRequest(BaseModel):
    """Many sequences of any lengths."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"series": [[1, 2, 3], [5, 3, 1, -1]]}]})
    series: Annotated[list[Sequence_], Field(min_length=1, max_length=MAX_BATCH)]
    steps: Annotated[int, Strict(), Field(ge=1, le=MAX_STEPS)] | None = Field(
        None, description="also forecast each series this many steps autoregressively (as /predict's steps)"
    )
    level: Annotated[list[Level], Field(max_length=10)] | None = Field(
        None, description="prediction intervals in percent for every series, as /predict's level"
    )


class PredictAnswer(BaseModel):
    """The JSON of ``numseries predict --json`` (documentation only: ``_as_json`` builds it)."""

    prediction: float
    exact: bool = Field(description="true when an exact rule (Fibonacci, squares, ...) gives the prediction")
    rule: bool = Field(
        description="true when a rule gives the prediction: an exact one, or past 2**53, where a rule of floats "
        "is float arithmetic's, one to float64 precision (exact false)"
    )
    pattern: str = Field(
        description="the exact rule, or what the model's pattern head says the sequence looks like; without either, "
        f"'{NO_PATTERN}', as the pattern line of numseries predict"
    )
    weights: list[float] | None = Field(
        description="each value's exact weight in the prediction (sum of weight × value = prediction; an exact "
        "rule's coefficients); 0 before the model's window; null in /predict/batch items and for a model "
        "exported without gradient graphs"
    )
    attention: list[float] = Field(description="one weight per value, summing to 1; 0 before the model's window")
    n_values: int
    n_used: int = Field(
        description="the model's window: the last min(n_values, 64) values (at the end of a steep decay or "
        "growth the network reads only the last of them; the others get weight and attention 0)"
    )
    n_read: int = Field(
        description="how many of the n_used values the network read: fewer at the end of a steep decay, whose "
        "earlier steps are far larger than its last ones, or of a steep growth, far smaller (an exact rule reads "
        "them all)"
    )
    logs: bool = Field(
        False,
        description="whether the network read the logarithms of the values (the prediction a ratio, of their sign; "
        "values below 0 as their mirror image): read from the values it predicted past 0, though they all lie on one "
        "side of it and approach it, or a smaller ratio than they grow by, and its read of their logarithms "
        "forecast their own last values with under half the error",
    )
    settles: bool = Field(
        False,
        description="whether the step was read from the logarithms of the step sizes: the values step one way and "
        "saturate (their steps shrink by about one ratio, or the pattern is a logistic curve and they shrank for 2 "
        "steps), their last step smaller than the one before, and the network's own step went on over "
        f"{SETTLE_OVERSHOOT:g}x further than their last step shrunk by their last steps' ratio (the step is at most "
        "that far)",
    )
    cycle: int | None = Field(
        None,
        description="the cycle whose value that many steps back the prediction is, moved by the trend of the cycles' "
        "means: the values repeat it, and predicting each of their last values so (up to "
        f"{CYCLE_BACKTEST}, at least {CYCLE_HOLD}) from the values before it missed by under {PREFER_CYCLE:g}x what "
        "the network did (its weights are the cycle's, its interval from those misses; seen twice with too few values "
        f"after them, where the two cycles also agree within {CYCLE_AGREE:g} of the last one's spread, its interval "
        "from the cycle's misses within them); null: none",
    )
    forecast: list[float] | None = Field(None, description="present when steps was given")
    intervals: dict[str, list[float]] | None = Field(
        None, description='{"80": [lo, hi], ...}: the prediction intervals, when the model has a quantile head'
    )
    forecast_intervals: dict[str, list[list[float]]] | None = Field(
        None, description='{"80": [[lo per step], [hi per step]]}: present with steps and intervals'
    )
    forecast_read: int | None = Field(
        None,
        description="present with steps: how many of the last values the path was read from; fewer than n_used "
        "when the path read from all of them ran away (a step over twice their largest) or, forecasting their "
        "last values (up to 8) from those before, missed by over twice as much as the path read from the last "
        "12: steps 2 on are then that path",
    )
    forecast_cycle: int | None = Field(
        None,
        description="present with steps: null, or the length of the cycle the path repeats from step 2 (moved "
        "by its trend) where the sequence repeats and its last cycle repeated forecast its own last values "
        f"(up to {BACKTEST_STEPS}) better than the network's path (with fewer than {BACKTEST_STEPS} after two cycles: "
        f"those, at least {CYCLE_HOLD}; with fewer, where the two cycles agree within {CYCLE_AGREE:g} of the last one's spread)",
    )
    forecast_steady: int | None = Field(
        None,
        description="present with steps: null, or the step from which the path goes on at the mean step of the "
        "values read, where the network's path (each prediction fed back in) ran away: a step over twice "
        "their largest (grown by the ratio their last steps grow by, where they grow steadily one way; shrunk by "
        "the ratio they settle by, where they do: there measured by their last step, and a step back or past the "
        "level they settle at counts too, and then the path levels off at that level)",
    )
    forecast_logs: bool | None = Field(
        None,
        description="present with steps: whether steps 2 on go on by the values' ratios, read in logarithms (values "
        "all below 0 as their mirror image): a decay's (the last value nearer 0 than the first) is the network's path "
        "of their logarithms, never past 0; a rise by ratios (the last value at least twice the first, closer to a "
        "line in logarithms) goes on by the least-squares line of its logarithms, a steady ratio; a growth read so at "
        "step 1 by the network's path of their logarithms. Taken where, forecasting the values' own last values (up "
        "to 8) from those before, the path read from the values missed by over twice as much (a rise's: over half as much, "
        "where that path goes on at a steady step within 8 steps: rise_steady), and it never turns back "
        "past the last value (forecast_log_path says which path and why)",
    )
    forecast_log_path: Literal["rise", "rise_steady", "growth", "decay"] | None = Field(
        None,
        description="present with steps: which path read in logarithms steps 2 on took (null: none): \"rise\" the "
        "least-squares line of a rise by ratios' logarithms (a steady ratio), which missed the values' own last values "
        "by under half as much as the path read from the values; \"rise_steady\" that line where it missed by under "
        "twice as much and the path read from the values went on at a steady step within 8 steps (it ran away), the "
        "whole window lying about the line as noise does; \"growth\" the network's path of a "
        "growth's logarithms, as its step 1 was read; \"decay\" the network's path of a decay's logarithms",
    )
    forecast_own_cycle: int | None = Field(
        None,
        description="present with steps: null, or the length k of the sequence's cycle (a period near a whole "
        "number of steps, seen twice) where the path is the network's: from step k + 1 it repeats its own first k "
        "steps, moved by the trend of the cycles' means (the network's path, fed back in, damps a cycle's later turns)",
    )
    forecast_settles: bool | None = Field(
        None,
        description="present with steps: whether steps 2 on settle: the values read (at least 6) all step one way, "
        "the last step smaller than the largest, and saturate (their steps shrink by about one ratio, not as a "
        "wave's near its peak, or the pattern is a logistic curve and they shrank for 2 steps), and step 1 goes "
        "their way; the steps ahead go that way too, their sizes the network's path read from the logarithms of "
        "the step sizes, none larger than the one before or than the last step shrunk by the last steps' "
        "ratio, so the path levels off instead of turning back (a sequence of one sign never crosses "
        "0 so)",
    )
    note: str | None = Field(
        None, description="present when a level is below 1: levels are percent (0.8 is a 0.8% interval, not 80%)"
    )


class SeriesError(BaseModel):
    error: str = Field(description="one line: series[i], what failed and what to do")


class BatchAnswer(BaseModel):
    predictions: list[PredictAnswer | SeriesError] = Field(
        description="each series' answer, in order; a series that fails alone (its forecast past the float range) "
        "gets its error, the others their answers"
    )
    note: str | None = Field(  # (round 61: the schema left it out)
        None, description="present when a level is below 1: levels are percent (0.8 is a 0.8% interval, not 80%)"
    )


class ErrorAnswer(BaseModel):
    error: str = Field(description="one line naming the field, what it got and what is allowed")


ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorAnswer} for status in (400, 408, 413, 415, 422)}  # (408: a body that stopped; 415: a compressed one)


def create_app(
    weights: str | Path | None = None, *, body_timeout: float = BODY_TIMEOUT, body_deadline: float = BODY_DEADLINE
) -> FastAPI:
    """The ASGI app serving the model at ``weights`` (``None``: the shipped one), loaded once here; a request
    body that sends nothing for ``body_timeout`` seconds, or takes over ``body_deadline`` seconds in all, gets 408."""
    predictor = Predictor.from_pretrained(weights)
    model = model_info(predictor)
    health = {"status": "ok", "version": __version__, "model": model}
    app = FastAPI(
        title="numseries",
        version=__version__,
        description="Predict the next value of a short numeric sequence, with the attention over its steps.",
        docs_url=None,  # FastAPI's own /docs and /redoc load their scripts from a CDN: replaced below
        redoc_url=None,
        redirect_slashes=False,  # POST /predict/: a 404 JSON, not an empty 307 to the Host header's (round 61)
    )
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES, timeout=body_timeout, deadline=body_deadline)
    _add_error_handlers(app)

    batcher = Batcher(predictor)
    app.state.batcher = batcher

    @app.post(
        "/predict",
        summary="Predict the next value of one sequence",
        responses={200: {"model": PredictAnswer}, **ERRORS},
    )
    async def predict(request: PredictRequest, http: Request) -> PydanticJSON:
        _refuse_query(http)
        _refuse_repeated(http.scope.get(BODY_KEY), PredictRequest.model_fields)
        _refuse_misread(http.scope.get(BODY_KEY))
        _refuse_level(predictor, request.level)
        if request.steps is None:  # requests that arrive together share one model call
            answer = await batcher.predict(request.values, request.level)
        else:
            answer = await run_in_threadpool(_predict_one, predictor, request.values, request.steps, request.level)
        note = fraction_note(request.level or ())
        return PydanticJSON(answer if note is None else {**answer, "note": note})

    @app.post(
        "/predict/batch",
        summary=f"Predict the next value of up to {MAX_BATCH:,} sequences",
        responses={200: {"model": BatchAnswer}, **ERRORS},
    )
    async def predict_batch(request: BatchRequest, http: Request) -> PydanticJSON:
        _refuse_query(http)
        _refuse_repeated(http.scope.get(BODY_KEY), BatchRequest.model_fields)
        _refuse_misread(http.scope.get(BODY_KEY))
        _refuse_level(predictor, request.level)
        answers = await run_in_threadpool(_predict_many, predictor, request.series, request.level, request.steps)
        note = fraction_note(request.level or ())
        return PydanticJSON({"predictions": answers} if note is None else {"predictions": answers, "note": note})

    @app.get("/health", summary="Version and the model's digest")
    async def get_health() -> dict:
        return health

    @app.head("/health", include_in_schema=False)  # uptime checks (one operation per path in the OpenAPI)
    async def head_health() -> dict:
        return health

    static = resources.files("numseries") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)  # HEAD: curl -I, uptime checks
    async def page() -> FileResponse:
        return FileResponse(str(static / "index.html"))

    _add_offline_docs(app)
    _state_widest_level(app.openapi(), widest_level(predictor.quantile_levels))  # (the schema, built once here)
    # What is loaded by now (the model, numpy, FastAPI, pydantic) lives as long as the server: frozen, the
    # cyclic garbage collector stops walking it on every collection, which made the latency's tail under
    # 16 clients (benchmarks/results/serve_load.md measures the server with it).
    gc.freeze()
    log.info("numseries serve: %s (%s, sha256 %s)", predictor.source, predictor.runtime, model["sha256"][:12])
    return app


@levels_checked()  # a level below 1 is the answer's note, not a warning on the server's stderr
def _predict_one(predictor: Predictor, values: list[float], steps: int | None, level: list[float] | None) -> dict:
    levels = predictor.levels_or_default(level)
    result = predictor.predict(values, level=levels)
    if not steps:
        return _as_json(result, None)
    forecast = predictor.forecast_batch([values], steps, level=levels or None, ids=THE_SEQUENCE)
    bands = {lv: (lo[0], hi[0]) for lv in forecast.levels for lo, hi in [forecast.interval(lv)]}
    path = result.rule.forecast(steps) if result.rule is not None else forecast.values[0]
    return _as_json(
        result, path, bands, forecast_read(forecast, result.n_used), forecast_cycle(forecast), forecast_steady(forecast),
        forecast_log_path(forecast), forecast_settles(forecast), forecast_own_cycle(forecast),
    )


class Batcher:
    """Runs ``/predict`` requests on one model thread, each call taking every request that arrived while
    the previous call ran (up to :data:`MAX_GROUP`): under concurrent load they share one batched model
    call, whose cost per series is a fraction of a single call's (the per-step weights most of all), and
    the event loop keeps reading requests meanwhile. A lone request runs at once, as before.

    Answers equal :func:`_predict_one`'s up to float32 rounding of the model (about 1e-7 relative, the
    weights included: their graph sums in another order for another batch). A request whose series fails alone gets its own error.
    """

    def __init__(self, predictor: Predictor) -> None:
        self.predictor = predictor
        self.calls = 0  # model calls made, for tests and logs
        # Per event loop (an app may run on several, e.g. TestClient without `with`): the requests waiting
        # for its drain task, and that task, both present while it runs; so each future is resolved on its loop.
        self._pending: dict[asyncio.AbstractEventLoop, list[tuple[list[float], list[float] | None, asyncio.Future]]]
        self._pending = {}
        self._draining: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="numseries-model")

    async def predict(self, values: list[float], level: list[float] | None) -> dict:
        """The JSON answer of ``POST /predict`` without steps."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if loop not in self._pending:
            self._pending[loop] = []
            self._draining[loop] = loop.create_task(self._drain(loop))
        self._pending[loop].append((values, level, future))
        return await future

    async def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        pending = self._pending[loop]
        try:
            while pending:
                group = pending[:MAX_GROUP]
                del pending[:MAX_GROUP]
                items = [(values, level) for values, level, _ in group]
                try:
                    answers = await loop.run_in_executor(self._thread, self._call, items)
                except Exception as err:  # noqa: BLE001 - the model thread failed (shut down): every request's answer
                    answers = [err] * len(group)
                for (_, _, future), answer in zip(group, answers, strict=True):
                    if future.done():  # the client went away
                        continue
                    if isinstance(answer, Exception):
                        future.set_exception(answer)
                    else:
                        future.set_result(answer)
        finally:
            del self._pending[loop], self._draining[loop]

    def _call(self, items: list[tuple[list[float], list[float] | None]]) -> list[dict | Exception]:
        """One model call, on the model thread (which also keeps ``calls`` exact under several loops). Should
        it fail as a whole, each request runs alone: a fault is only the answer of the request it comes from."""
        try:
            answers = _predict_group(self.predictor, items)
        except Exception as err:  # noqa: BLE001 - answered to its own request below
            answers = [err] if len(items) == 1 else [self._call([item])[0] for item in items]
        self.calls += 1
        return answers


@levels_checked()  # a level below 1 is the answer's note, not a warning on the server's stderr
def _predict_group(predictor: Predictor, items: list[tuple[list[float], list[float] | None]]) -> list[dict | Exception]:
    """Answers to ``(values, level)`` requests, one ``predict_batch`` call per set of levels; when a call
    fails (a series whose prediction overflows, a level it refuses), each of its requests runs alone, to find
    whose it is. Each request's answer is its own: a dict, or the exception it raised (any kind), never another's."""
    answers: list[dict | Exception] = [ValueError("not predicted")] * len(items)
    by_levels: dict[tuple[float, ...], list[int]] = {}
    for i, (_, level) in enumerate(items):
        try:
            levels = tuple(predictor.levels_or_default(level) or ())
        except Exception as err:  # noqa: BLE001 - this request's own answer
            answers[i] = err
            continue
        by_levels.setdefault(levels, []).append(i)
    for levels, rows in by_levels.items():
        if len(rows) > 1:  # together: one batch; alone (a batch of one costs more), or when it fails, one by one
            try:
                batch = predictor.predict_batch(
                    [items[i][0] for i in rows], level=list(levels) or None, weights=predictor.has_weights
                )
                for k, answer in enumerate(_rows_json(batch)):
                    answers[rows[k]] = answer
                continue
            except Exception:  # noqa: BLE001 - whose fault it is: each request alone, below
                pass
        for i in rows:
            try:
                answers[i] = _predict_one(predictor, items[i][0], None, items[i][1])
            except Exception as err:  # noqa: BLE001 - a ValueError is its 422, anything else its own 500
                answers[i] = err
    return answers


@levels_checked()  # a level below 1 is the answer's note, not a warning on the server's stderr
def _predict_many(
    predictor: Predictor, series: list[list[float]], level: list[float] | None = None, steps: int | None = None
) -> list[dict]:
    """Each series' answer; where one fails (a forecast past the float range), its own ``{"error": ...}``
    naming it, the others answered (the whole batch was one 422). A bad level is the request's error."""
    if level and predictor.quantile_levels:  # (a bad level: the request's 422)
        check_levels(level, predictor.quantile_levels)
    try:
        return _predict_rows(predictor, series, level, steps)
    except ValueError:
        pass
    errors = np.full(len(series), None, dtype=object)
    answers: list[dict] = [{} for _ in series]
    if steps:  # a rule's path past the float range, found alone (a rule's forecast is cheap: no network;
        for i in _ruled(predictor, series):  # halving alone re-ran the batch where failures were many)
            try:
                predictor.forecast_batch([series[i]], steps, ids=THE_SEQUENCE)
            except ValueError as err:
                errors[i] = " ".join(str(err).split())

    def predict(rows: np.ndarray) -> list[dict]:  # any other failing series is found by halving: few calls
        return _predict_rows(predictor, [series[i] for i in rows], level, steps, THE_SEQUENCE if len(rows) == 1 else None)

    for rows, part in isolating(predict, np.flatnonzero(errors == None), errors, strict=False):  # noqa: E711
        for i, answer in zip(rows.tolist(), part, strict=True):
            answers[i] = answer
    for i in np.flatnonzero(errors != None).tolist():  # noqa: E711 (element-wise)
        answers[i] = {"error": f"series[{i}]: {errors[i]}"}
    return answers


def _ruled(predictor: Predictor, series: list[list[float]]) -> list[int]:
    """The series an exact rule continues (none where one series cannot be read: halving finds it)."""
    try:
        return sorted(predictor.predict_batch(series, level=[]).rules)
    except ValueError:
        return []


def _predict_rows(
    predictor: Predictor,
    series: list[list[float]],
    level: list[float] | None,
    steps: int | None,
    ids: tuple[str] | None = None,
) -> list[dict]:
    # Without per-step weights: they cost 2-3x the batch's time. The forecast first: a rule's path past the float
    # range fails before the batch's one-step predictions (isolating a failing series halves the batch).
    levels = predictor.levels_or_default(level)
    forecast = predictor.forecast_batch(series, steps, level=levels or None, ids=ids) if steps else None
    batch = predictor.predict_batch(series, level=levels, ids=ids)
    answers = _rows_json(batch)
    if steps and forecast is not None:  # each series' forecast as /predict gives it: a rule's path, else the network's
        bounds = {lv: forecast.interval(lv) for lv in forecast.levels}  # {level: (lo (N, K), hi (N, K))}
        for i, answer in enumerate(answers):
            rule = batch.rules.get(i)
            path = rule.forecast(steps) if rule is not None else forecast.values[i]
            bands = {lv: (lo[i], hi[i]) for lv, (lo, hi) in bounds.items()}
            read = forecast_read(forecast, int(batch.n_used[i]), i)
            add_forecast(
                answer, rule, path, bands, read, forecast_cycle(forecast, i), forecast_steady(forecast, i), forecast_log_path(forecast, i),
                forecast_settles(forecast, i), forecast_own_cycle(forecast, i),
            )
    return answers


def _rows_json(batch: BatchPrediction) -> list[dict]:
    """The ``predict --json`` answer of each row of ``batch`` (as ``predict()`` gives it), each array made
    into lists once for all rows rather than row by row."""
    bounds = {level_name(level): np.stack(batch.interval(level), axis=1).tolist() for level in batch.levels}
    attention = round_attention(batch.attention).tolist()  # (N, W): row i's window in its first n_used columns
    weights = None if batch.weights is None else batch.weights.tolist()
    n_values, n_used = batch.n_values.tolist(), batch.n_used.tolist()
    n_read = n_used if batch.n_read is None else np.minimum(batch.n_read, batch.n_used).tolist()
    patterns = batch.patterns or [""] * len(n_values)
    answers = []
    for i, value in enumerate(batch.values.tolist()):
        before = [0.0] * (n_values[i] - n_used[i])  # values before the model's window: no attention, no weight
        answer = json_answer(
            value,
            batch.rules.get(i),
            patterns[i],
            None if weights is None else before + weights[i][: n_used[i]],
            before + attention[i][: n_used[i]],
            n_values[i],
            n_used[i],
            n_read[i],
            {level: rows[i] for level, rows in bounds.items()} if bounds else None,
            batch.logs is not None and bool(batch.logs[i]),
            batch.settles is not None and bool(batch.settles[i]),
            int(batch.cycles[i]) if batch.cycles is not None else 0,
        )
        answers.append(answer)
    return answers


def model_info(predictor: Predictor) -> dict[str, Any]:
    """Which model answers: its file (or folder), runtime, window, a sha256 of that file (of a folder: of its
    files' bytes, in name order), and ``files``: the sha256 of each file that shapes the answers (the model's,
    its gradient graphs, and the configuration, calibration and pattern classifier beside it)."""
    source = Path(predictor.source)
    files = sorted(p for p in source.iterdir() if p.is_file()) if source.is_dir() else [source]
    contents = {file: file.read_bytes() for file in files if file.exists()}  # each file read once
    digest = hashlib.sha256()
    for data in contents.values():
        digest.update(data)
    if source.is_file():  # (a folder's files are those of its digest)
        folder = source.parent
        beside = [folder / name for name in (CONFIG_FILE, CALIBRATION_FILE, *CLASSIFIER_FILES)]
        for file in sorted(folder.glob(f"{glob.escape(source.stem)}.gradient_*.onnx")) + [p for p in beside if p.is_file()]:
            contents[file] = file.read_bytes()
    return {
        "source": source.name,
        "runtime": predictor.runtime,
        "max_len": predictor.max_len,
        "sha256": digest.hexdigest(),
        "files": {file.name: hashlib.sha256(data).hexdigest() for file, data in contents.items()},
    }


BODY_KEY = "numseries.body"  # the request's body in its ASGI scope, put there by BodyLimit


class BodyLimit:
    """ASGI middleware: a request whose body passes ``max_bytes`` gets 413 before the app parses it, and one
    whose body sends nothing for ``timeout`` seconds, or takes over ``deadline`` seconds in all, gets 408
    (adversarial round 61: a client that sent half a body held its connection, and the server's shutdown, for as
    long as it liked; round 63: one byte every few seconds did too). Both close the connection."""

    def __init__(self, app, max_bytes: int, timeout: float = BODY_TIMEOUT, deadline: float = BODY_DEADLINE) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.deadline = deadline

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        encoding = headers.get(b"content-encoding", b"identity").decode("latin-1").strip().lower()
        if encoding not in ("", "identity"):  # no decoder here: gzip's bytes were "an error parsing the body"
            error = f"the body is compressed (Content-Encoding: {encoding}), which numseries serve does not read; send it uncompressed"
            return await JSONResponse({"error": error}, status_code=415)(scope, receive, send)
        declared = headers.get(b"content-length", b"0")
        too_big = not declared.isdigit() or int(declared) > self.max_bytes
        chunks, size, more = [], 0, not too_big
        clock = asyncio.get_running_loop().time
        ends = clock() + self.deadline
        while more:  # read the body ourselves, counting, in case it is longer than it declared
            try:
                message = await asyncio.wait_for(receive(), max(0.0, min(self.timeout, ends - clock())))
            except asyncio.TimeoutError:  # (TimeoutError itself from Python 3.11; not on 3.10)
                return await self._stalled(size, declared, clock() >= ends)(scope, receive, send)
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False) and size <= self.max_bytes
            too_big = size > self.max_bytes
        if too_big:
            asked = not chunks and headers.get(b"expect", b"").lower() == b"100-continue"  # (no 100 Continue sent)
            return await self._too_big(receive, send, size, asked, ends)
        body, replayed = b"".join(chunks), False
        scope[BODY_KEY] = body  # for an error naming a number as the client wrote it (1e400, not Infinity)

        async def replay() -> dict:  # the body we read, then receive() as usual (it waits for disconnect)
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)

    def _stalled(self, size: int, declared: bytes, late: bool) -> JSONResponse:
        of = f" of its {int(declared):,}" if declared.isdigit() and int(declared) else ""  # (chunked: no length)
        error = (
            f"the request body came too slowly: {size:,}{of} bytes in {self.deadline:g} s; send the whole body at once"
            if late else
            f"the request body stopped coming: {size:,}{of} bytes came, then nothing for {self.timeout:g} s; "
            "send the whole body without pausing"
        )  # fmt: skip
        return JSONResponse({"error": error}, status_code=408, headers={"Connection": "close"})

    async def _too_big(self, receive, send, size: int, asked: bool, ends: float) -> None:
        """Answer 413, then read the rest of the body (up to :data:`DISCARD_BYTES` in all, while it keeps coming, until
        the body's deadline ``ends``, in the event loop's time) before the connection closes: closed on unread bytes, it was reset, and a client that sends its whole body
        before reading (Python's urllib) got "Connection reset by peer", not the 413 (adversarial round 61). A
        client that asked first (``Expect: 100-continue``, as curl does) sends no body after a 413: none is read."""
        error = f"request body over the limit of {self.max_bytes:,} bytes; send fewer or shorter series"
        response = JSONResponse({"error": error}, status_code=413, headers={"Connection": "close"})
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body, "more_body": True})  # (read by the client now)
        more, clock = not asked, asyncio.get_running_loop().time
        while more and size <= DISCARD_BYTES and clock() < ends:  # (round 64: a drip held the connection so)
            try:
                message = await asyncio.wait_for(receive(), min(self.timeout, ends - clock()))
            except asyncio.TimeoutError:  # (TimeoutError itself from Python 3.11; not on 3.10)
                break
            size += len(message.get("body", b""))
            more = message["type"] == "http.request" and message.get("more_body", False)
        await send({"type": "http.response.body", "body": b"", "more_body": False})  # (then the connection closes)


def _add_error_handlers(app: FastAPI) -> None:
    """Every bad request -> 4xx ``{"error": one line}``; anything else -> 500 without a traceback."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        errors = _number_errors(err.errors())
        first = errors[0]
        if first["type"] == "json_invalid":
            reason, at = first.get("ctx", {}).get("error", "cannot parse"), first["loc"][-1]
            return _error(
                400, f"the body is not valid JSON ({reason} at character {at}); check the brackets and commas"
            )
        misspelled = _misspelled(errors)
        if misspelled is not None:
            return _error(422, misspelled)
        return _error(422, _describe(first, len(errors), _sent_number(request.scope.get(BODY_KEY), first)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        body = request.scope.get(BODY_KEY)
        if err.status_code == 400 and isinstance(body, bytes):  # FastAPI says only "error parsing the body"
            # in a thread: counting a deep body's nesting takes up to a second on 16 MiB (numpy, mostly without the GIL)
            problem = await run_in_threadpool(_body_problem, body, err.__cause__, request.url.path.endswith("/batch"))
            if problem is not None:
                return _error(*problem)
        allowed = (err.headers or {}).get("Allow")  # a 405's: RFC 9110 asks for it, and the message names it
        use = f"; use {allowed.replace(', ', ' or ')}" if allowed else ""
        response = _error(err.status_code, f"{request.method} {request.url.path}: {err.detail}{use}; see /docs")
        response.headers.update(err.headers or {})
        return response

    @app.exception_handler(ValueError)
    async def bad_value(_request: Request, err: ValueError) -> JSONResponse:
        return _error(422, str(err))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, err: Exception) -> JSONResponse:
        log.exception("numseries serve: unexpected error on %s %s", request.method, request.url.path)
        return _error(500, f"internal error ({type(err).__name__}); the server logged it and keeps serving")


_MAX_DIGITS = sys.get_int_max_str_digits()  # 0: no limit


def _depth(body: bytes) -> int:
    """How deep a JSON body nests arrays and objects, brackets and braces inside strings aside: in linear
    time over its quotes, backslashes and brackets (a regex for runs of openers took seconds a megabyte, on
    the event loop; 15 MiB of brackets take about 0.1 s)."""
    raw = np.frombuffer(body, dtype=np.uint8)
    quotes = np.flatnonzero(raw == 34)  # (Q,)
    slashes = np.flatnonzero(raw == 92)  # (S,)
    if len(slashes) and len(quotes):  # a quote after an odd run of backslashes is escaped ("a\\" ends at its second)
        first = np.ones(len(slashes), dtype=bool)
        first[1:] = slashes[1:] != slashes[:-1] + 1
        run_start = np.maximum.accumulate(np.where(first, slashes, 0))  # (S,) where each backslash's run starts
        after = (quotes > 0) & (raw[np.maximum(quotes - 1, 0)] == 92)  # (Q,) quotes right after a backslash
        at = np.searchsorted(slashes, quotes[after] - 1)
        escaped = np.zeros(len(quotes), dtype=bool)
        escaped[after] = (quotes[after] - run_start[at]) % 2 == 1
        quotes = quotes[~escaped]
    toggle = np.zeros(len(raw), dtype=np.uint8)
    toggle[quotes] = 1
    inside = np.bitwise_xor.accumulate(toggle)  # (B,) 1 inside a string (its closing quote too)
    opens = ((raw == 91) | (raw == 123)).view(np.int8)  # (B,) 1 at [ and {
    closes = ((raw == 93) | (raw == 125)).view(np.int8)  # (B,) 1 at ] and }
    step = (opens - closes) * (1 - inside.view(np.int8))  # (B,) +1, -1 outside strings, else 0
    return int(np.cumsum(step, dtype=np.int32).max(initial=0))  # (a body under 2 GiB: int32 holds its depth)


def _body_problem(body: bytes, cause: BaseException | None, batch: bool) -> tuple[int, str] | None:
    """Why Python's JSON parser refused a body that FastAPI answered only "There was an error parsing the body"
    (``cause``: what the parser raised) -> (status, message), or None: not UTF-8 (or UTF-16/32) text, an
    integer of more digits than Python reads (int_max_str_digits), or arrays or objects nested past its
    recursion limit. In linear time: a regex for runs of digits took seconds a megabyte, on the event loop."""
    if isinstance(cause, UnicodeDecodeError):
        compressed = " (gzip's header: a compressed body)" if body[:2] == b"\x1f\x8b" else ""
        return 400, (
            f"the body is not UTF-8 text: byte 0x{cause.object[cause.start]:02x} at position {cause.start:,}{compressed}; "
            "send the JSON uncompressed, encoded as UTF-8"
        )
    if isinstance(cause, RecursionError):
        example = '{"series": [[1, 2, 3], [5, 3, 1]]}' if batch else '{"values": [2, 4, 6]}'
        return 400, f"the body nests arrays or objects {_depth(body):,} deep; send {example}"
    digits = re.search(r"value has (\d+) digits", str(cause)) if isinstance(cause, ValueError) else None
    if digits:  # Python's JSON parser reads no integer of more digits than int_max_str_digits
        return 422, (
            f"the body holds an integer of {int(digits[1]):,} digits, more than the {_MAX_DIGITS:,} Python reads; "
            "numseries holds float64, about 16 significant digits: give the values scaled, e.g. 1.5e300"
        )
    return None


def _refuse_level(predictor: Predictor, level: list[float] | None) -> None:
    """A request for intervals from a model without a quantile head -> a 422 that names the field to drop."""
    if level and not predictor.quantile_levels:
        raise ValueError("this server's model has no quantile head, so no intervals; leave out level (or send [])")


def _misspelled(errors: Sequence[Any]) -> str | None:
    """A required field missing beside a key that is no field ({"valuez": [...]}): both named in one line
    (it was "values: field required (and 1 more problem)")."""
    missing = [error["loc"][-1] for error in errors if error["type"] == "missing" and len(error["loc"]) == 2]
    extra = [error["loc"][-1] for error in errors if error["type"] == "extra_forbidden" and len(error["loc"]) == 2]
    if not missing or not extra:
        return None
    return f"{missing[0]}: field required, and the body's key {repr(clipped(str(extra[0])))} is none of this request's; did you mean {missing[0]!r}?"


def _number_errors(errors: Sequence[Any]) -> list[dict]:
    """A bad value of a ``Number`` fails both its branches (integer, float): keep the float's error, placed at
    the value itself (``values[2]``, not ``values[2].float``)."""
    kept = []
    for error in errors:
        *place, branch = error["loc"] or ("",)
        if branch == "int" and place:
            continue
        kept.append({**error, "loc": tuple(place)} if branch == "float" and place else error)
    return kept or list(errors)


class _Beyond(str):
    """A JSON number's text that float64 reads as infinite (1e400)."""


def _sent_number(body: bytes | None, error: dict) -> str | None:
    """The number the client wrote where ``error`` found an infinity, when it wrote a finite number past
    the float range (``1.0e400``, which JSON parsing reads as inf; not ``Infinity`` itself), else None."""
    value = error.get("input")
    if not body or not isinstance(value, float) or not math.isinf(value):
        return None
    try:  # the body again, the numbers past the float range kept as written (only on this error's path)
        value = json.loads(body, parse_float=lambda text: _Beyond(text) if math.isinf(float(text)) else 0.0)
        for part in error["loc"][1:]:
            value = value[part]
    except (ValueError, LookupError, TypeError):
        return None
    return value if isinstance(value, _Beyond) else None


class _Misread(str):
    """A JSON number's text that float64 reads as another number: 0 though it is not (1e-400), or another
    integer (9007199254740993.0, read as ...992). Its ``problem`` ends the error."""

    problem = ""


_BIG_EXPONENT = re.compile(rb"[eE](?:-\d{3}|\+?(?:1[5-9]|[2-9]\d|\d{3}))")
_EXPONENT_NUMBER = re.compile(rb"[\d.]+[eE][+-]?\d+")
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")


def _past_float_digits(number: bytes) -> bool:
    """Whether a number written with an exponent is 1e15 or more, or 1e-300 or less, counting the digits beside its
    exponent (adversarial round 41: 900719925474099.3e1 is 2**53 + 1, and 0.000...1e-99, 250 zeros after the point,
    is below float64: neither exponent is large)."""
    mantissa, power = re.split(rb"[eE]", number, maxsplit=1)
    whole, _, fraction = mantissa.partition(b".")
    if whole.strip(b"0"):
        lead = len(whole.lstrip(b"0")) - 1  # the power of ten of its first digit
    elif fraction.strip(b"0"):
        lead = -(len(fraction) - len(fraction.lstrip(b"0")) + 1)
    else:
        return False  # 0
    return not -300 < lead + int(power) < 15


def _may_be_misread(body: bytes) -> bool:
    """Whether ``body`` may hold a number that float64 reads as another: below its 5e-324, a number has an
    exponent of -100 or less, 300 zeros after its point, or as many with the zeros after its point and a
    negative exponent; an integer it rounds (2**53 or more) has 16 digits before its point, an exponent of 15 or
    more, or 16 with the digits before its point and its exponent (not 0.30000000000000004's digits). Searched
    one by one (one regular expression of the first four took 8.5 ms on a batch of 1,000 series, 242 kB; these
    1.5 ms). Many numbers with an exponent are left to the parse that reads each."""
    digits = body.translate(_DIGITS_AS_ZEROS)  # every digit a 0: a run of 16 digits is 16 zeros
    exponents = sum(digits.count(mark) for mark in (b"0e", b"0E", b".e", b".E"))  # numbers with one (not "series")
    if exponents > 256:  # many: the parse that reads each number checks them sooner than a search here would
        return True
    if exponents and (_BIG_EXPONENT.search(body) or any(map(_past_float_digits, _EXPONENT_NUMBER.findall(body)))):
        return True
    if b"." + b"0" * 300 in body:
        return True
    start = digits.find(b"0" * 16)  # the first digit of a run (found from outside one)
    while start >= 0:
        if start == 0 or body[start - 1] != ord("."):  # an integer part
            return True
        end = start + 16
        while end < len(digits) and digits[end] == ord("0"):
            end += 1
        start = digits.find(b"0" * 16, end)
    return False


def _misread_or_float(text: str) -> float | _Misread:
    value = float(text)
    if underflowed(text, value):
        problem = BELOW_FLOAT
    elif math.isfinite(value) and abs(value) >= 2.0**53 and lost_integer(text, value) is not None:
        problem = "is " + rounded_integer(int(value))
    elif math.isfinite(value) and lost_fraction(text, value):  # 4503599627370496.5: no fraction from 2**52 on
        problem = "is " + rounded_integer(int(value), "a number")
    else:
        return value
    misread = _Misread(text)
    misread.problem = problem
    return misread


def _misread_int(text: str) -> int | _Misread:
    value = int(text)
    if not past_float(value):  # (the largest float + 1 is read as the largest float: rounded_integer's case)
        return value
    misread = _Misread(integer_text(value))  # 400 nines: past the float range, as 1e400 is
    misread.problem = above_float(math.inf if value > 0 else -math.inf)
    return misread


def _refuse_query(http: Request) -> None:
    """ValueError (a 422) for query parameters, which a POST here does not read: ``/predict?steps=3`` was
    answered without the forecast asked for, as an unknown field of the body is refused."""
    if http.query_params:
        names = ", ".join(sorted(set(http.query_params.keys())))
        raise ValueError(
            f"query parameters are not read ({names}); put them in the JSON body, e.g. "
            '{"values": [1, 2, 3], "steps": 3}'
        )


def _refuse_repeated(body: bytes | None, fields: Iterable[str]) -> None:
    """ValueError (a 422) where the body names one of ``fields`` twice: JSON parsing keeps the last, and
    ``{"values": [1, 2, 3], "values": [4, 5, 6]}`` was answered for 4 5 6 without a word."""
    if not body:
        return
    plain = b"\\" not in body and b"\x00" not in body  # no escaped names (\u0076alues), no UTF-16 or UTF-32
    if plain and not any(body.count(b'"' + name.encode() + b'"') > 1 for name in fields):  # (no parse usually)
        return

    def once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [name for name, _ in pairs]
        twice = next((name for name in names if names.count(name) > 1), None)
        if twice is not None:
            raise ValueError(f'the body names "{twice}" {names.count(twice)} times; send each field once')
        return dict(pairs)

    json.loads(body, object_pairs_hook=once)


def _refuse_misread(body: bytes | None) -> None:
    """ValueError (a 422) naming the first number of the body that JSON parsing read as another number: 0
    though it is not (``1e-400``: below float64), or an integer float64 rounds (``9007199254740993.0``), as
    the CLI and the page refuse them; a prediction for the numbers read would be for another series. JSON's
    integers (``9007199254740993``) are read exactly, and the request's model refuses them."""
    if not body or not _may_be_misread(body):  # (no parse on the usual path)
        return
    stack: list[tuple[str, Any]] = [("", json.loads(body, parse_float=_misread_or_float, parse_int=_misread_int))]
    while stack:  # depth first, in order
        where, value = stack.pop()
        if isinstance(value, _Misread):  # (the fix that ends the problem is for values, not a level)
            problem = value.problem if where.startswith((".values", ".series")) else value.problem.split(";")[0]
            raise ValueError(f"{where.lstrip('.')}: got {value[:60]}, which {problem}")
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        stack.extend(reversed([(f"{where}.{k}" if isinstance(k, str) else f"{where}[{k}]", v) for k, v in items]))


def _describe(error: dict, count: int, sent: str | None = None) -> str:
    """A pydantic error -> one line naming the field, what it got and what is allowed; ``sent``: the
    number as the client wrote it, where JSON parsing read it as an infinity (``1e400``)."""
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"][1:])
    where = clipped(where.lstrip(".")) or "the body"  # e.g. series[1][0] (a key of a megabyte: its first characters)
    if isinstance(error.get("input"), bytes):  # a body FastAPI did not parse: not sent as JSON
        return "the body must be a JSON object sent with Content-Type: application/json"
    if error["type"] == "missing" and where == "the body":
        return 'the body is empty; send a JSON object such as {"values": [2, 4, 6, 8]}'
    more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
    got = (
        "" if error["type"] in ("missing", "too_long")
        else f", got {sent[:60]}, which is beyond the float range (±1.8e308)" if sent is not None
        else f", got {json.dumps(error.get('input'), default=repr)[:60]}"
    )  # fmt: skip
    return f"{where}: {error['msg'][0].lower()}{error['msg'][1:]}{got}{more}"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _state_widest_level(schema: dict[str, Any], widest: float) -> None:
    """Bound each ``level`` of the requests in the OpenAPI ``schema`` by the ``widest`` level the model's
    quantiles give: what a level above it is refused with (adversarial report: the schema said below 100,
    the server refused 99.5 with "use a level up to 99")."""
    for name in ("PredictRequest", "BatchRequest"):
        level = schema["components"]["schemas"][name]["properties"]["level"]
        (array,) = [option for option in level["anyOf"] if option.get("type") == "array"]
        array["items"]["maximum"] = widest


def _add_offline_docs(app: FastAPI) -> None:
    """Serve /docs with Swagger UI's files from the swagger-ui-bundle-v2 package instead of a CDN."""
    import swagger_ui_bundle

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="numseries API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )
