"""Plots: written for every family without error, returning figures, drawing on a given axis."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from numseries.evaluate import evaluate, summarise, synthetic_cases  # noqa: E402
from numseries.plots import (  # noqa: E402
    plot_attention_heatmap,
    plot_error_by_family,
    plot_error_by_length,
    plot_predicted_vs_true,
    plot_prediction,
    plot_training_curves,
    read_training_log,
    write_plots,
)
from numseries.weights import load_model  # noqa: E402

PNG = b"\x89PNG"

METRICS_CSV = """epoch,step,train_loss_epoch,train_loss_step,val_loss
0,9,,,1.5
0,9,2.0,,
1,14,,1.2,
1,19,,,0.9
1,19,1.1,,
"""


@pytest.fixture(scope="module")
def evaluation(tiny_weights):
    cases = synthetic_cases(n_per_cell=2)  # every training and held-out family
    return evaluate(load_model(tiny_weights), cases, baselines=["last_value", "drift"])


@pytest.fixture
def run_dir(tmp_path):
    (tmp_path / "logs" / "version_0").mkdir(parents=True)
    (tmp_path / "logs" / "version_0" / "metrics.csv").write_text(METRICS_CSV)
    (tmp_path / "logs" / "version_1").mkdir()  # a resumed run continues in the next version
    (tmp_path / "logs" / "version_1" / "metrics.csv").write_text("epoch,step,val_loss\n2,29,0.7\n")
    return tmp_path


def test_every_plot_is_written_for_every_family(evaluation, run_dir, tmp_path):
    written = write_plots(evaluation, tmp_path / "plots", run_dir=run_dir)
    names = {path.name for path in written}
    for family in evaluation.cases.family_names:
        assert f"prediction_{family}.png" in names
        assert f"predicted_vs_true_{family}.png" in names
    expected = {"attention_heatmap.png", "error_by_family.png", "training_curves.png",
                "error_by_length_training_families.png", "error_by_length_held-out_families.png"}
    assert expected <= names
    for path in written:
        assert path.read_bytes()[:4] == PNG


def test_plots_return_a_figure_and_draw_on_the_axis_given(evaluation):
    rows = summarise(evaluation)
    ax = Figure().subplots()
    assert plot_error_by_family(rows, ax=ax) is ax.figure
    assert isinstance(plot_error_by_length(rows, group="held-out families"), Figure)
    assert isinstance(plot_predicted_vs_true(evaluation, family="chirp"), Figure)
    lengths = evaluation.cases.lengths[:5]
    assert isinstance(plot_attention_heatmap(evaluation.attention[:5], lengths), Figure)


def test_prediction_plot_draws_the_context_the_prediction_and_the_attention():
    figure = plot_prediction(np.array([2.0, 4, 6, 8, 10]), prediction=12.1, attention=np.full(5, 0.2), target=12.0)
    ax, bars = figure.axes
    assert len(bars.patches) == 5
    assert any(line.get_label().startswith("predicted 12.1") for line in ax.lines)


def test_prediction_plot_draws_the_signed_weights_with_the_attention_beside_them():
    weights = np.array([-0.25, 0.0, 0.0, 0.0, 1.25])
    figure = plot_prediction(
        np.array([2.0, 4, 6, 8, 10]), prediction=12.0, attention=np.full(5, 0.2), weights=weights
    )
    _, bars = figure.axes
    heights = [patch.get_height() for patch in bars.patches]
    assert heights == [*weights, *np.full(5, 0.2)]  # the weights' bars, then the attention's outlines
    assert bars.get_ylim()[0] < -0.25  # a negative weight shows below the axis


def test_training_log_joins_resumed_versions(run_dir):
    log = read_training_log(run_dir)
    np.testing.assert_array_equal(log["val_loss"], [[9, 1.5], [19, 0.9], [29, 0.7]])
    np.testing.assert_array_equal(log["train_loss_step"], [[14, 1.2]])
    assert plot_training_curves(run_dir).axes[0].get_title() == "Training curves"
    assert plot_training_curves(run_dir, title="Fine-tuning").axes[0].get_title() == "Fine-tuning"


def test_plot_errors_teach(evaluation, tmp_path):
    with pytest.raises(ValueError, match="no training logs under"):
        read_training_log(tmp_path)
    with pytest.raises(ValueError, match="no family 'fibonacci' in this evaluation; choose from: linear"):
        plot_predicted_vs_true(evaluation, family="fibonacci")
    with pytest.raises(ValueError, match="no rows for group 'nothing'"):
        plot_error_by_length(summarise(evaluation), group="nothing")


class _Fan:
    """A stand-in for a forecast: a median path and intervals that widen with the step and the level."""

    levels = (50.0, 80.0, 95.0)

    def __init__(self, path: np.ndarray) -> None:
        self.values = path

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        half = level / 50 * np.sqrt(np.arange(1, len(self.values) + 1))
        return self.values - half, self.values + half


def _band_edges(band) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper edges of a fill_between band, read back from its drawn outline."""
    (path,) = band.get_paths()
    y = path.vertices[:, 1]
    return y.min(), y.max()


def test_fan_chart_draws_nested_bands_around_the_median_path():
    from numseries.plots import plot_forecast_fan

    context = np.array([1.0, 2, 3, 4, 5])
    forecast = _Fan(np.array([6.0, 7, 8, 9]))
    figure = plot_forecast_fan(context, forecast, levels=(80, 50, 95), actual=np.array([6.2, 6.9, 8.3, 9.1]))
    (ax,) = figure.axes
    bands = ax.collections
    assert [band.get_label() for band in bands] == ["95% interval", "80% interval", "50% interval"]
    edges = [_band_edges(band) for band in bands]
    for (wide_lo, wide_hi), (narrow_lo, narrow_hi) in zip(edges[:-1], edges[1:], strict=True):
        assert wide_lo < narrow_lo and narrow_hi < wide_hi  # each narrower band lies inside the wider one
    alphas = [band.get_alpha() for band in bands]
    assert alphas == sorted(alphas) and len(set(alphas)) == 3  # narrower bands are drawn darker
    path = next(line for line in ax.lines if line.get_label() == "forecast path")
    np.testing.assert_array_equal(path.get_xdata(), [4, 5, 6, 7, 8])  # from the last value on
    np.testing.assert_array_equal(path.get_ydata(), [5, 6, 7, 8, 9])
    assert {"context", "actual"} <= {line.get_label() for line in ax.lines}


def test_fan_chart_draws_on_the_axis_given():
    from matplotlib.colors import to_hex

    from numseries.plots import plot_forecast_fan

    ax = Figure().subplots()
    fan = _Fan(np.array([5.0, 6.0]))
    assert plot_forecast_fan(np.arange(5.0), fan, levels=[80], color="tab:orange", ax=ax) is ax.figure
    (band,) = ax.collections
    assert to_hex(band.get_facecolor()[0][:3]) == to_hex("tab:orange")


def test_calibration_plot_draws_the_diagonal_and_a_line_per_method():
    from numseries.plots import plot_calibration

    nominal = [50, 80, 90, 95]
    observed = np.array([[49.0, 79.5, 90.2, 94.8], [35.0, 60.0, 70.0, 80.0]])
    figure = plot_calibration(nominal, observed, labels=["model", "auto_ets"])
    (ax,) = figure.axes
    lines = {line.get_label(): line for line in ax.lines}
    np.testing.assert_array_equal(lines["perfect calibration"].get_ydata(), lines["perfect calibration"].get_xdata())
    np.testing.assert_array_equal(lines["auto_ets"].get_ydata(), observed[1])
    np.testing.assert_array_equal(lines["model"].get_xdata(), nominal)
    assert ax.get_ylim()[0] <= 35  # the worst-calibrated method stays in view


def test_calibration_plot_errors_teach():
    from numseries.plots import plot_calibration

    with pytest.raises(ValueError, match="observed has 3 levels per method, nominal 4"):
        plot_calibration([50, 80, 90, 95], np.zeros((2, 3)), labels=["a", "b"])
    with pytest.raises(ValueError, match="got 1 labels for 2 methods"):
        plot_calibration([80], np.zeros((2, 1)), labels=["a"])


def _drawn(figure: Figure) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure).draw()  # lays out ticks, legends and extents as a saved PNG has them
    return figure


def test_the_bar_axis_is_scaled_to_the_bars():
    values, attention = np.array([2.0, 4, 6, 8, 10]), np.array([0.1, 0.25, 0.3, 0.15, 0.2])
    _, bars = plot_prediction(values, prediction=12.0, attention=attention).axes
    assert 0.3 <= bars.get_ylim()[1] <= 1.2 * 0.3  # attention under 0.3 fills its panel (it ran to 2.5)
    weights = np.array([-0.25, 0.0, 0.1, 0.0, 1.15])
    _, bars = plot_prediction(values, prediction=12.0, attention=attention, weights=weights).axes
    low, high = bars.get_ylim()
    assert 1.15 <= high <= 1.2 * 1.15 and -1.2 * 0.25 <= low <= -0.25


def test_steps_get_integer_ticks():
    from numseries.plots import plot_forecast_fan

    figures = [
        plot_prediction(np.array([1.0, 3, 2, 4]), prediction=3.5, attention=np.full(4, 0.25), weights=np.ones(4) / 4),
        plot_forecast_fan(np.arange(4.0), _Fan(np.array([4.0, 5.0]))),
    ]
    for figure in figures:
        for ax in _drawn(figure).axes:
            ticks = ax.get_xticks()
            assert len(ticks) >= 3 and np.array_equal(ticks, np.round(ticks)), ticks


def test_legend_numbers_share_one_format():
    values = np.array([70_100.0, 70_550, 70_980, 71_420])  # a step of ~440: whole numbers are enough
    figure = plot_prediction(values, prediction=72_160.43, attention=np.full(4, 0.25), target=71_400.0)
    labels = {line.get_label() for line in figure.axes[0].lines}
    assert {"predicted 72160", "true 71400"} <= labels  # not 7.216e+04 beside 7.14e+04
    figure = plot_prediction(np.array([4.39, 3.91, 3.58, 3.33]), prediction=2.986, attention=np.full(4, 0.25),
                             intervals={80: (2.98, 2.992)}, target=2.9)
    assert {"predicted 2.986", "true 2.900"} <= {line.get_label() for line in figure.axes[0].lines}
    assert figure.axes[0].collections[0].get_label() == "80% interval 2.980 to 2.992"


def test_a_prediction_plot_bands_the_interval_and_draws_the_forecast():
    values = np.array([3.0, 6.1, 9.2, 12.0])
    figure = plot_prediction(values, prediction=14.64, attention=np.full(4, 0.25), intervals={80: (14.29, 14.96)})
    (band,) = figure.axes[0].collections
    assert band.get_label() == "80% interval 14.29 to 14.96"
    forecast, lo, hi = np.array([14.64, 17.2, 19.9]), np.array([14.3, 15.9, 16.9]), np.array([15.0, 18.1, 21.1])
    figure = plot_prediction(values, prediction=14.64, attention=np.full(4, 0.25), forecast=forecast,
                             forecast_intervals={80: (lo, hi)}, first_step=3)
    top, bars = figure.axes
    (band,) = top.collections
    assert _band_edges(band) == (14.3, 21.1)
    path = next(line for line in top.lines if line.get_label() == "forecast, 3 steps")
    np.testing.assert_array_equal(path.get_xdata(), [7, 8, 9])  # steps numbered from first_step, as the table does
    assert [patch.get_x() + patch.get_width() / 2 for patch in bars.patches] == [3, 4, 5, 6]


def test_a_long_title_wraps_inside_the_figure():
    title = "0 0.84 0.91 0.14 -0.76 -0.96 -0.28 0.66 0.99 0.41: oscillation (sine, modulated or changing frequency)"
    figure = plot_prediction(np.arange(5.0), prediction=5.0, attention=np.full(5, 0.2), title=title)
    figure.canvas.draw()
    text = figure.axes[0].title
    assert text.get_text().replace("\n", " ") == title
    box, edge = text.get_window_extent(), figure.bbox
    assert edge.x0 <= box.x0 and box.x1 <= edge.x1


def test_a_prediction_plot_splits_the_axis_it_is_given():
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert plot_prediction(np.arange(5.0), prediction=5.0, attention=np.full(5, 0.2), ax=right) is figure
    assert len(figure.axes) == 3 and left in figure.axes and right not in figure.axes


def test_the_error_by_family_legend_covers_no_bar(evaluation):
    from numseries.plots import COLORS

    rng = np.random.default_rng(0)  # tall bars everywhere: a legend inside the axes would cover some
    full = [{"group": f"family {g}", "method": method, "bucket": "all", "median_scaled": rng.uniform(0.3, 1.0)}
            for g in range(17) for method in COLORS]
    for rows in (full, summarise(evaluation)):
        (ax,) = _drawn(plot_error_by_family(rows)).axes
        legend = ax.get_legend().get_window_extent()
        bars = [patch.get_window_extent() for patch in ax.patches if patch.get_height() > 0]
        assert len(bars) > 10 and not any(legend.overlaps(bar) for bar in bars)


def test_turns_counts_changes_of_direction():
    from numseries.plots import turns

    assert turns(np.arange(6.0)) == 0 and turns(np.array([1.0, 2, 2, 1])) == 1
    assert turns(np.sin(np.arange(10.0))) == 3  # peak, trough, peak: a whole period of sin(t)


def test_a_wave_example_shows_a_whole_period():
    from types import SimpleNamespace

    from numseries.plots import _example_rows, turns

    cases = synthetic_cases(n_per_cell=20, families=["sinusoidal", "linear"])
    shown = SimpleNamespace(cases=cases)
    rows = _example_rows(shown, "sinusoidal", 2)
    assert len(rows) == 2 and all(turns(cases.data[i, : cases.lengths[i]]) >= 3 for i in rows)
    np.testing.assert_array_equal(rows, _example_rows(shown, "sinusoidal", 2))  # the same cases every time
    assert len(_example_rows(shown, "linear", 1)) == 1  # a line never turns: the first case is shown


def test_fan_chart_bands_a_forecast_at_its_own_levels():
    from numseries.forecast import Forecast
    from numseries.plots import plot_forecast_fan

    forecast = Forecast(np.array([6.0, 7.0]), (80.0,), {80.0: np.array([[5.5, 6.5], [6.0, 8.0]])})
    (ax,) = plot_forecast_fan(np.arange(1.0, 6.0), forecast).axes
    assert [band.get_label() for band in ax.collections] == ["80% interval"]
    with pytest.raises(ValueError, match="no 95% interval"):  # levels asked for are still checked
        plot_forecast_fan(np.arange(1.0, 6.0), forecast, levels=[95])


def test_fan_chart_draws_a_path_alone():
    from numseries.plots import plot_forecast_fan

    (ax,) = plot_forecast_fan(np.arange(1.0, 6.0), np.array([6.0, 7.0])).axes  # forecast(x, 2) without level
    assert not ax.collections
    path = next(line for line in ax.lines if line.get_label() == "forecast path")
    np.testing.assert_array_equal(path.get_ydata(), [5, 6, 7])
    with pytest.raises(ValueError, match=r"levels=\[80\] asks for intervals, but this forecast is a path alone"):
        plot_forecast_fan(np.arange(1.0, 6.0), np.array([6.0, 7.0]), levels=[80])


def test_fan_chart_draws_one_series_of_a_batch_at_a_time():
    from numseries.forecast import BatchForecast
    from numseries.plots import plot_forecast_fan

    batch = BatchForecast(np.array([[6.0, 7.0]]), (80.0,), {80.0: np.array([[[5.5, 6.5], [6.0, 8.0]]])})
    with pytest.raises(ValueError, match=r"paths of shape \(1, 2\), not one path .* pass its \.forecast\(i\)"):
        plot_forecast_fan(np.arange(1.0, 6.0), batch)
    (ax,) = plot_forecast_fan(np.arange(1.0, 6.0), batch.forecast(0)).axes
    assert [band.get_label() for band in ax.collections] == ["80% interval"]


def test_values_near_the_float_limit_are_drawn_in_a_power_of_ten(tmp_path):
    from numseries.forecast import Forecast
    from numseries.plots import plot_forecast_fan, save_figure

    values = np.array([1e308, -1e308, 1.5e308, -1.2e308, 1e308])  # `numseries predict 1e308 ... --plot` drew none
    top = np.finfo(np.float64).max
    path, lo, hi = np.array([-5.9e307, 5.6e307, -2.4e307]), np.full(3, -top), np.full(3, top)  # the widest band
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, in numpy or matplotlib
        figures = [
            plot_prediction(values, prediction=path[0], attention=np.full(5, 0.2), weights=np.full(5, 0.2),
                            intervals={80.0: (-top, top)}, forecast=path, forecast_intervals={80.0: (lo, hi)}),
            plot_forecast_fan(values, Forecast(path, (80.0,), {80.0: np.column_stack([lo, hi])})),
        ]
        for k, figure in enumerate(figures):
            assert save_figure(figure, tmp_path / f"{k}.png").read_bytes()[:4] == PNG
    for figure in figures:
        ax = figure.axes[0]
        assert ax.get_ylabel() == "value ($\\times10^{308}$)" and np.isfinite(ax.get_ylim()).all()
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [1, -1, 1.5, -1.2, 1])
    assert plot_prediction(values / 1e300, prediction=0.0, attention=np.full(5, 0.2)).axes[0].get_ylabel() == "value"


def test_values_near_the_smallest_floats_are_drawn_in_a_unit_of_their_size():
    # adversarial round 12: 1e-300 2e-300 ... drew a flat line at 0 on a -0.04..0.04 axis
    figure = plot_prediction(np.array([1e-300, 2e-300, 3e-300, 4.1e-300]), prediction=5.1e-300, attention=np.full(4, 0.25))
    ax = figure.axes[0]
    assert ax.get_ylabel() == "value ($\\times10^{-300}$)"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1, 2, 3, 4.1])
    assert plot_prediction(np.zeros(4), prediction=0.0, attention=np.full(4, 0.25)).axes[0].get_ylabel() == "value"


def test_plot_helpers_name_what_is_wrong_with_their_input():
    # adversarial round 12: a bare IndexError for no values, and matplotlib's "x and y must have same first
    # dimension" for an actual path of another length
    with pytest.raises(ValueError, match=r"^values must be a sequence of at least one number, got shape \(0,\)$"):
        plot_prediction([], prediction=1.0, attention=[])
    with pytest.raises(ValueError, match="^attention has 3 values, not 4: one per step$"):
        plot_prediction([1.0, 2, 3, 4], prediction=5.0, attention=[0.5, 0.25, 0.25])
    from numseries.forecast import Forecast
    from numseries.plots import plot_forecast_fan

    path = Forecast(np.array([5.0, 6, 7, 8]), (80.0,), {80.0: np.column_stack([np.arange(4.0), np.arange(4.0) + 9])})
    with pytest.raises(ValueError, match="^values must be a sequence"):
        plot_forecast_fan([], path)
    with pytest.raises(ValueError, match="^actual has 2 values, not 4: one per step$"):
        plot_forecast_fan([1.0, 2, 3, 4], path, actual=[1, 2])


def test_calibration_plot_wants_percent():
    from numseries.plots import plot_calibration

    with pytest.raises(ValueError, match="no nominal levels: pass the levels"):
        plot_calibration([], np.zeros((1, 0)))
    with pytest.raises(ValueError, match=r"nominal level 0.95 is a fraction: pass levels in percent \(e.g. 80, not 0.8"):
        plot_calibration([0.5, 0.8, 0.95], [0.48, 0.79, 0.96])
    with pytest.raises(ValueError, match=r"observed coverage 120 is not a percent \(0 to 100\): pass percent"):
        plot_calibration([50, 80], [120, 150])
    with pytest.raises(ValueError, match="nominal level 150 is not a percent"):
        plot_calibration([50, 150], [50, 80])
    (ax,) = plot_calibration([50, 80], [np.nan, 0.0]).axes  # unknown (NaN) and no coverage at all are drawn
    assert ax.get_ylim() == (0, 100)


LONG_TITLE = "1e300 -1e300 1.5e300 -1.2e300 1e300: random process (noisy, random walk or autoregressive)"


@pytest.mark.parametrize("draw", ["prediction", "fan"])
def test_a_long_title_lies_within_the_figure(draw):
    from numseries.plots import plot_forecast_fan

    figure = _drawn(
        plot_prediction(np.arange(5.0), prediction=5.0, attention=np.full(5, 0.2), title=LONG_TITLE)
        if draw == "prediction" else plot_forecast_fan(np.arange(5.0), _Fan(np.array([5.0, 6.0])), title=LONG_TITLE)
    )
    box = figure.axes[0].title.get_window_extent(figure.canvas.get_renderer())
    assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1


def test_a_heatmap_length_past_its_attention_and_a_context_of_nan_are_one_line_errors():
    """Adversarial round 18: a length past the attention's steps was numpy's 'could not broadcast input array
    from shape (5,) into shape (50,)'; a context holding NaN was drawn without a word."""
    from numseries.plots import plot_forecast_fan

    attention = np.full((2, 5), 0.2)
    with pytest.raises(ValueError, match=r"^lengths\[1\] is 50, outside 1 to the 5 steps of attention; pass each"):
        plot_attention_heatmap(attention, np.array([3, 50]))
    with pytest.raises(ValueError, match=r"^attention must be \(N, T\) with one length per row"):
        plot_attention_heatmap(attention, np.array([3]))
    with pytest.raises(ValueError, match=r"^values holds nan at step 2; pass the values the prediction was made from"):
        plot_forecast_fan([1.0, np.nan, 3.0], _Fan(np.array([4.0, 5.0])))
    with pytest.raises(ValueError, match=r"^values holds inf at step 3"):
        plot_prediction(np.array([1.0, 2, np.inf]), prediction=4.0, attention=np.full(3, 1 / 3))
