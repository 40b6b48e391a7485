"""``Predictor.predict_df`` on a Spark or Dask DataFrame: many series per model call, on the workers.

fugue's ``transform`` sends the rows to the engine's workers partitioned by series id, "coarse": every row
of a series lands in the same partition, and many series share one. Each partition is one pandas frame that
:func:`numseries.frames.predict_frame` predicts as one batch, as ``predict_df`` does on one machine, so a
series gets the same numbers (up to float32 rounding in batches of other sizes) in the engine's own kind
of frame. statsforecast's fugue backend (``StatsForecast(models=[NumSeries()]).forecast(df=spark_df)``)
runs one series per call instead, at a fraction of the speed (benchmarks/results/statsforecast_cv.md).

The Predictor is not pickled: each worker process loads it again (once) from what ``from_pretrained`` was
given, so the shipped model, or a weights path every worker can read. Needs fugue with the engine's
extra (``numseries[spark]`` or ``numseries[dask]``). Ray Datasets are not taken: fugue's Ray engine is
not tested here (Ray is not in the CI install).

fugue runs a Dask frame on a ``distributed`` client. Where none is running, it would start one of worker
processes, which a script without an ``if __name__ == "__main__":`` guard cannot start (each process
imports the script again: hundreds of lines of tracebacks); an in-process client of threads is started
instead (onnxruntime runs outside the GIL), and stays the default one for the rest of the process, as
fugue's own would.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd  # at run time: fugue reads the partition function's annotations

if TYPE_CHECKING:
    import pyarrow as pa

# numseries.predict imports this module (Predictor.predict_df), so its classes are not imported back (no cycle)
Predictor = Any  # numseries.predict.Predictor

log = logging.getLogger(__name__)

ENGINES = ("pyspark", "dask")  # the packages whose DataFrames predict_df sends to fugue


def is_distributed(df: Any) -> bool:
    """Whether ``df`` is a Spark or Dask DataFrame (by its type's package: nothing is imported)."""
    return _package(df) in ENGINES


def _package(df: Any) -> str:
    """The top package of ``df``'s type: ``pyspark``, ``dask``, ``pandas``, ..."""
    return type(df).__module__.split(".")[0]


def predict_distributed(
    predictor: Predictor,
    df: Any,
    *,
    id_col: str,
    time_col: str,
    target_col: str,
    steps: int,
    level: Sequence[float] | float | None,
    load: Callable[[str | None, bool, str, bool], Predictor],
    freq: Any = None,
) -> Any:
    """:meth:`Predictor.predict_df` of a Spark or Dask DataFrame -> a frame of the same engine, with the
    columns of the pandas answer (checked here; the rows are computed when the engine runs the frame).
    ``load(weights, rules, runtime, calibrated)`` gives each worker its Predictor, once per process
    (:func:`numseries.predict.load_predictor`, passed in: numseries.predict imports this module)."""
    try:
        import fugue.api as fa
        import pyarrow as pa
        from triad import Schema
    except ImportError as err:
        raise ImportError(
            f"predict_df on a {_package(df)} frame needs fugue ({err}); "
            "pip install 'numseries[spark]' (or [dask])"
        ) from err
    from numseries.frames import (
        FreqMismatch,
        check_columns,
        check_freq,
        check_freq_steps,
        check_time_dtype,
        check_value_dtype,
        frame_levels,
        output_columns,
        predict_frame,
    )

    if predictor.origin is None:
        raise ValueError(
            "predict_df on a Spark or Dask frame needs a model its workers can load: one from "
            "Predictor.from_pretrained (write an in-memory model to a folder with numseries.weights.save_pretrained first)"
        )
    names = (id_col, time_col, target_col)
    check_columns(list(df.columns), names)  # (a Spark frame's names, a Dask frame's as its pandas frame's)
    dtypes = getattr(df, "dtypes", None)  # a Dask frame's pandas dtypes (a Spark frame's are a list)
    if isinstance(dtypes, pd.Series):  # as the pandas call refuses them, before fugue's own errors (round 54)
        check_time_dtype(dtypes[time_col], time_col)
        check_value_dtype(dtypes[target_col], f"column {target_col}")
        if isinstance(dtypes[id_col], pd.CategoricalDtype):
            # fugue reads no categorical column: the ids as their categories' values (they come back so)
            df = df.assign(**{id_col: df[id_col].astype(dtypes[id_col].categories.dtype)})
    schema = fa.get_schema(df)
    levels = frame_levels(predictor, level)
    columns = output_columns(names, levels)
    freq = check_freq(freq)  # before any worker starts
    given = schema[time_col].type
    text = pa.types.is_string(given) or pa.types.is_large_string(given)
    time_type = _text_time_type(df, time_col) if text else _time_type(given)
    kind = "i" if pa.types.is_integer(time_type) else "f" if pa.types.is_floating(time_type) else "M"
    check_freq_steps(freq, kind)
    types = [schema[id_col].type, time_type, *[pa.float64()] * (len(columns) - 3), pa.string()]
    out = Schema(list(zip(columns, types, strict=True)))
    weights, runtime, calibrated = predictor.origin
    rules = predictor.rules

    def predict_partition(frame: pd.DataFrame) -> pd.DataFrame:  # on a worker: one partition of whole series
        local = load(weights, rules, runtime, calibrated)
        run = functools.partial(
            predict_frame, local, frame, id_col=id_col, time_col=time_col, target_col=target_col, steps=steps,
            level=levels, where=_no_place,
        )  # fmt: skip
        try:
            answer = run(freq=freq)
        except FreqMismatch:  # text read as the other kind here: each of its series is refused just below
            answer = run()
        return _other_kind_refused(answer, columns, pa.types.is_integer(time_type)) if text else answer

    engine = _dask_client() if _package(df) == "dask" else None
    result = fa.transform(df, predict_partition, schema=out, partition={"by": [id_col], "algo": "coarse"}, engine=engine)
    return result if engine is None else result.astype(_local_dtypes(dtypes, columns, time_type))


def _local_dtypes(given: pd.Series, columns: list[str], time_type: pa.DataType) -> dict[str, Any]:
    """The pandas dtypes of a Dask frame's answer as the pandas call gives them, ``given`` the input's and
    ``time_type`` the answer's times': fugue's Arrow types come back as ``timestamp[us][pyarrow]``, ``Float64``
    and ``string``, which no pandas frame of the user's merges with (``datetime64[ns]``, ``float64``, a
    categorical id). Integer times are nullable (``Int64``): a partition cannot know another's are all known."""
    import pyarrow as pa

    id_col, time_col, *values, error = columns
    time = given[time_col]
    integers, floats = pa.types.is_integer(time_type), pa.types.is_floating(time_type)
    ds = "Int64" if integers else "float64" if floats else time if time.kind == "M" else "datetime64[ns]"
    return {id_col: given[id_col], time_col: ds, **dict.fromkeys(values, "float64"), error: object}


def _text_time_type(df: Any, time_col: str) -> pa.DataType:
    """The type of the next times of a text time column, by its first row, as the pandas path reads text:
    whole numbers are integer steps, anything else a date. Each partition is read on its own: one whose
    series read the other way is refused by :func:`_other_kind_refused` (it would be cast to this type)."""
    import fugue.api as fa
    import pyarrow as pa

    from numseries.frames import STEP_TEXT

    first = fa.as_array(fa.head(df, 1, columns=[time_col]))
    steps = bool(first) and isinstance(first[0][0], str) and re.fullmatch(STEP_TEXT, first[0][0].strip()) is not None
    return pa.int64() if steps else pa.timestamp("ns")


def _other_kind_refused(answer: pd.DataFrame, columns: list[str], integers: bool) -> pd.DataFrame:
    """A partition's answer whose times are not of the kind the answer's schema holds (integer steps where
    the column's first row was a date, or dates where it was a whole number): each series' error, no value.
    fugue would cast them to it, reading 6000 as 1970-01-01 00:00:00.000006."""
    _, time_col, *values, error = columns
    kind = answer[time_col].dtype.kind
    if (kind in "iu") == integers or answer.empty or answer[time_col].isna().all():
        return answer
    answer = answer.copy()
    read, expected = ("integer steps", "dates") if kind in "iu" else ("dates", "integer steps")
    message = (
        f"column {time_col} is text read as {read} in this series and as {expected} in the frame's first row; "
        f"give one kind throughout, e.g. convert {time_col} to integers or timestamps before predict_df"
    )
    answer[error] = answer[error].where(answer[error].notna(), message)
    answer[values] = np.nan
    answer[time_col] = None
    return answer


def _dask_client() -> Any:
    """The running ``distributed`` client, or else a new one in this process (threads, no worker processes)."""
    from distributed import Client, get_client

    try:
        return get_client()
    except ValueError:  # no client: fugue would start worker processes
        log.warning("note: no Dask client is running; started one in this process (threads) for predict_df")
        return Client(processes=False)


def _no_place(_label: Any) -> None:
    """A row of a partition: its index is the partition's own, which names no row of the user's frame."""
    return None


def _time_type(given: pa.DataType) -> pa.DataType:
    """The type of the next times: integers and floats stay numbers (64-bit), timestamps keep theirs, and dates
    or text read as dates (as the pandas path reads them) become timestamps."""
    import pyarrow as pa

    if pa.types.is_integer(given):
        return pa.int64()
    if pa.types.is_floating(given):
        return pa.float64()
    if pa.types.is_timestamp(given):
        return given
    return pa.timestamp("ns")
