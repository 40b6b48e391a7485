"""Real series that ship inside statsmodels (its ``datasets``) and vega_datasets, turned into one-step-ahead cases.

Nothing is downloaded: every series loads from the files installed with statsmodels and vega_datasets
(the ``bench`` extra). The datasets cover six sampling frequencies (:data:`FREQUENCY`): yearly,
quarterly, monthly, weekly, daily and sub-daily (hourly). Each case is a rolling-origin forecast: a context of 8 to 64 consecutive values that ends at an
origin inside the series, and the value right after it as the label. Origins are spread evenly over the
series' history and context lengths are drawn per length bucket, with a fixed seed.
"""

from __future__ import annotations

import zlib

import numpy as np

from numseries.series import SequenceBatch

BUCKETS = ((8, 16), (24, 64))  # context lengths of the real suite, as in the synthetic buckets
REAL_SEED = 20_261_128
MAX_SERIES_LENGTH = 1_000  # longer series keep their last 1,000 values, about the longest statsmodels has (732)
FREQUENCIES = ("yearly", "quarterly", "monthly", "weekly", "daily", "sub-daily")
FREQUENCY = {  # each dataset's sampling interval
    "sunspots": "yearly",
    "co2": "monthly",
    "nile": "yearly",
    "elnino": "monthly",
    "macrodata": "quarterly",
    "danish_data": "quarterly",
    "interest_inflation": "quarterly",
    "copper": "yearly",
    "longley": "yearly",
    "grunfeld": "yearly",
    "fertility": "yearly",
    "co2_weekly": "weekly",
    "seattle_weather": "daily",
    "hourly_temperature": "sub-daily",
}


def _columns(frame, names) -> dict[str, np.ndarray]:
    return {name: frame[name].to_numpy(dtype=np.float64) for name in names}


def load_series() -> dict[str, dict[str, np.ndarray]]:
    """Every real series: ``{dataset: {series name: values (n,) float64}}``, in time order, each at most
    :data:`MAX_SERIES_LENGTH` values (its last ones).

    From statsmodels: yearly sunspots, monthly Mauna Loa CO2 (the weekly readings, gaps interpolated,
    averaged per month), yearly Nile flow, monthly El Niño sea temperatures, the quarterly US macro data,
    Danish money demand, German interest and inflation, yearly copper market data, the Longley
    macro data, Grunfeld firm investment, the fertility rates of countries with complete records, and
    the weekly CO2 readings themselves (gaps interpolated). From vega_datasets (NOAA records): Seattle's
    daily weather 2012-2015 (highest and lowest temperature, wind, precipitation: an intermittent
    series) and the hourly temperatures of Seattle and San Francisco in 2010.
    """
    try:
        from statsmodels import datasets
        from vega_datasets import local_data
    except ImportError as err:
        raise ValueError(f"the real-data suite needs statsmodels and vega_datasets ({err}); pip install 'numseries[bench]'") from err

    def load(module):
        return module.load_pandas().data

    co2_weekly = load(datasets.co2)["co2"].interpolate()
    co2 = co2_weekly.resample("MS").mean().interpolate()
    weather = local_data.seattle_weather()
    elnino = load(datasets.elnino).drop(columns="YEAR")
    macro = load(datasets.macrodata).drop(columns=["year", "quarter"])
    copper = load(datasets.copper).drop(columns="TIME")
    longley = load(datasets.longley).drop(columns="YEAR")
    grunfeld = load(datasets.grunfeld).sort_values(["firm", "year"])
    fertility = load(datasets.fertility)
    years = [column for column in fertility.columns if column.isdigit()]
    fertility = fertility.set_index("Country Code")[years].dropna(axis=1, how="all").dropna()
    suite = {
        "sunspots": _columns(load(datasets.sunspots), ["SUNACTIVITY"]),
        "co2": {"co2": co2.to_numpy(dtype=np.float64)},
        "nile": _columns(load(datasets.nile), ["volume"]),
        "elnino": {"sea_temperature": elnino.to_numpy(dtype=np.float64).ravel()},
        "macrodata": _columns(macro, macro.columns),
        "danish_data": _columns(load(datasets.danish_data), ["lrm", "lry", "lpy", "ibo", "ide"]),
        "interest_inflation": _columns(load(datasets.interest_inflation), ["Dp", "R"]),
        "copper": _columns(copper, copper.columns),
        "longley": _columns(longley, longley.columns),
        "grunfeld": {
            f"invest_{firm}": group["invest"].to_numpy(dtype=np.float64) for firm, group in grunfeld.groupby("firm")
        },
        "fertility": {code: row.to_numpy(dtype=np.float64) for code, row in fertility.iterrows()},
        "co2_weekly": {"co2": co2_weekly.to_numpy(dtype=np.float64)},
        "seattle_weather": _columns(weather.sort_values("date"), ["temp_max", "temp_min", "wind", "precipitation"]),
        "hourly_temperature": {
            city: frame.sort_values("date")["temp"].to_numpy(dtype=np.float64)
            for city, frame in (("seattle", local_data.seattle_temps()), ("san_francisco", local_data.sf_temps()))
        },
    }
    assert set(suite) == set(FREQUENCY)
    return {dataset: {name: values[-MAX_SERIES_LENGTH:] for name, values in series.items()} for dataset, series in suite.items()}


def real_cases(
    *,
    cases_per_bucket: int = 60,
    buckets: tuple[tuple[int, int], ...] = BUCKETS,
    seed: int = REAL_SEED,
) -> SequenceBatch:
    """Rolling-origin one-step-ahead cases from every real series, as a :class:`SequenceBatch`.

    Each dataset contributes up to ``cases_per_bucket`` cases to each (lo, hi) context-length bucket,
    shared round-robin among its series; a series offers origins only where it has at least ``lo``
    values of history, so short series fill only the short bucket. ``family_names`` are the dataset
    names. Real data has no noise-free next value, so ``clean_labels`` equal ``labels``.
    """
    if cases_per_bucket < 1:
        raise ValueError(f"cases_per_bucket must be >= 1, got {cases_per_bucket!r}; pass e.g. 60")
    max_len = max(hi for _, hi in buckets)
    rows, labels, family_ids = [], [], []
    datasets = load_series()
    for dataset_id, (dataset, series) in enumerate(datasets.items()):
        rng = np.random.default_rng([seed, zlib.crc32(dataset.encode())])
        for lo, hi in buckets:
            usable = [values for values in series.values() if len(values) > lo]
            for k in rng.permutation(len(usable)):
                values = usable[k]
                n_cases = min(len(range(k, cases_per_bucket, len(usable))), len(values) - lo)  # round-robin
                spacing = (len(values) - lo) / max(n_cases, 1)
                origins = lo + ((np.arange(n_cases) + rng.random()) * spacing).astype(int)  # evenly, random phase
                for origin in origins:
                    length = int(rng.integers(lo, min(hi, origin) + 1))
                    rows.append(values[origin - length : origin])
                    labels.append(values[origin])
                    family_ids.append(dataset_id)
    lengths = np.array([len(row) for row in rows], dtype=np.int64)
    masks = np.arange(max_len)[None, :] < lengths[:, None]  # (N, T)
    data = np.zeros(masks.shape)
    data[masks] = np.concatenate(rows)
    label_values = np.array(labels)
    return SequenceBatch(
        data=data,
        labels=label_values,
        masks=masks,
        lengths=lengths,
        family_ids=np.array(family_ids, dtype=np.int64),
        family_names=tuple(datasets),
        clean_labels=label_values.copy(),
    )
