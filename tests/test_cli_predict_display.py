"""What ``numseries predict`` shows: the values as typed, predictions to useful digits, and ``--plot``."""

from __future__ import annotations

import io
import json
import math
import os
import re
import sys
import warnings
from pathlib import Path

import pytest

from numseries.cli import main
from numseries.formatting import format_value, mean_step
from numseries.predict import Predictor


def predict(capsys, *argv):
    code = main(["predict", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def table_rows(out: str) -> list[list[str]]:
    """The step table's rows, split into cells (step, value, weight, ...)."""
    return [line.split() for line in out.split("\n\n")[1].splitlines()[1:]]


def test_a_prediction_keeps_the_digits_of_its_inputs(capsys):
    code, out, _ = predict(capsys, "123456.7", "123457.9", "123459.1")
    assert code == 0
    value = Predictor.from_pretrained().predict([123456.7, 123457.9, 123459.1]).value
    assert abs(value - 123460.3) < 0.005  # a straight line continues exactly, up to float rounding
    assert out.splitlines()[0] == "next value: 123460.3"
    assert [row[1] for row in table_rows(out)] == ["123456.7", "123457.9", "123459.1"]


DECAY = [f"{1000 * math.exp(-0.5 * i) + 3 + 0.001 * ((i * 7) % 3):.4f}" for i in range(40)]  # ends steps of 1e-3


def test_the_end_of_a_steep_decay_is_shown_to_the_digits_of_the_values_the_network_read(capsys):
    """Adversarial round 28: digits from the mean step of all 40 values (25) printed 3, 2.99 to 3.01 and a
    forecast 3.00 3.00 3.00 where the network read the last 16, whose steps are thousandths."""
    result = Predictor.from_pretrained().predict(list(map(float, DECAY)), level=[80])
    assert result.n_read == 16
    code, out, _ = predict(capsys, *DECAY, "--steps", "3")
    assert code == 0
    read = list(map(float, DECAY[-16:]))
    assert out.splitlines()[0] == f"next value: {format_value(result.value, step=mean_step(read))}"
    assert len(out.splitlines()[0].split(".")[1]) >= 4  # 3.00016, not 3
    lo, hi = out.splitlines()[1].removeprefix("80% interval: ").split(" to ")
    assert float(lo) == pytest.approx(result.intervals[80][0], abs=1e-4) and len(lo.split(".")[1]) >= 4
    path = [line.split()[1] for line in out.splitlines() if line.strip().startswith("t+")]
    assert len(set(path)) == 3  # 3.00016, 3.00142, 3.00014: not 3.00 three times


def test_sixteen_digit_integers_are_shown_in_full(capsys):
    values = ["1000000000000001", "1000000000000002", "1000000000000003"]
    code, out, _ = predict(capsys, *values)  # three values: the network's prediction, no exact rule
    assert code == 0
    assert out.splitlines()[0] == "next value: 1000000000000004"
    assert [row[1] for row in table_rows(out)] == values
    code, out, _ = predict(capsys, *values, "1000000000000004")  # four: an exact rule, an exact integer
    assert out.splitlines()[:3] == [
        "next value: 1000000000000005",
        "80% interval: 1000000000000005 to 1000000000000005",
        "pattern: arithmetic, step 1 (exact)",
    ]


def test_values_are_shown_as_typed_from_stdin_too(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("1e-20, 2.0e-20\n3E-20;5e-20\n"))
    code, out, _ = predict(capsys, "-", "--steps", "2")
    assert code == 0
    assert [row[1] for row in table_rows(out)] == ["1e-20", "2.0e-20", "3E-20", "5e-20"]
    result = Predictor.from_pretrained().predict([1e-20, 2e-20, 3e-20, 5e-20], level=[80])
    step = mean_step([1e-20, 2e-20, 3e-20, 5e-20])
    assert out.splitlines()[0] == f"next value: {format_value(result.value, step=step)}"
    assert "e-20" in out.splitlines()[0] and len(out.splitlines()[0]) < 25  # 3 digits, not 1e-20's 22 decimals
    forecast = out[out.index("forecast, 2 steps") :].splitlines()
    assert [line.split()[0] for line in forecast[2:]] == ["t+1", "t+2"]
    cells = [cell for line in forecast[2:] for cell in line.split()[1:]]
    # (to the digit below 1/100 of the mean step, as the next value: 1.008e-19 beside 5.97e-20)
    assert len(cells) == 6 and all(re.fullmatch(r"\d(\.\d{1,3})?e-(20|19)", cell) for cell in cells), cells


def test_negative_values_keep_their_sign_and_digits(capsys):
    code, out, _ = predict(capsys, "-0.001", "-0.0021", "-0.0029", "-0.0042")
    assert code == 0
    assert [row[1] for row in table_rows(out)] == ["-0.001", "-0.0021", "-0.0029", "-0.0042"]
    next_value = out.splitlines()[0].removeprefix("next value: ")
    assert next_value.startswith("-0.00") and len(next_value) <= len("-0.00512")  # to ~1/100 of a 0.001 step


PNG = b"\x89PNG\r\n\x1a\n"


def test_plot_writes_a_png_of_the_prediction(capsys, tmp_path):
    from matplotlib.image import imread

    target = tmp_path / "out.png"
    code, out, err = predict(capsys, "--plot", str(target), "1", "2", "3", "5", "8", "--steps", "3")
    assert code == 0
    assert out.startswith("next value: ")  # the table is printed as well
    assert err.strip() == f"wrote {target}"
    assert target.read_bytes()[:8] == PNG
    height, width, _ = imread(target).shape
    assert 600 <= width <= 1200 and 350 <= height <= 900
    assert [path.name for path in tmp_path.iterdir()] == ["out.png"]  # no temporary file left


def test_plot_writes_the_format_its_suffix_names_and_refuses_others(capsys, tmp_path):
    target = tmp_path / "out.pdf"  # a PNG under this name would not open as a PDF
    code, _, _ = predict(capsys, "--plot", str(target), "1", "2", "3", "5", "8")
    assert code == 0 and target.read_bytes()[:5] == b"%PDF-"
    code, out, err = predict(capsys, "--plot", str(tmp_path / "out.txt"), "1", "2", "3", "5", "8")
    assert code == 2 and out == "" and "name the file .png, .pdf or .svg" in err
    assert [path.name for path in tmp_path.iterdir()] == ["out.pdf"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [  # adversarial round 21: the legend said "predicted 9007199254740992.0" (the float), the table ...993
        ("9007199254740989 9007199254740990 9007199254740991 9007199254740992", "9007199254740993"),
        ("18446744073709551616 36893488147419103232 73786976294838206464 147573952589676412928", "295147905179352825856"),
    ],
)
def test_the_plot_legend_shows_an_exact_rules_value_as_the_table_does(capsys, tmp_path, values, expected):
    target = tmp_path / "out.svg"
    code, out, _ = predict(capsys, "--plot", str(target), *values.split())
    assert code == 0 and out.startswith(f"next value: {expected}\n")
    assert f"<!-- predicted {expected} -->" in target.read_text()


def test_a_refused_plot_leaves_no_new_folder_and_a_read_only_one_is_kept(capsys, tmp_path, monkeypatch):
    """Adversarial round 28: a refused run (a .jpg, a level of 100) made the plot's missing folders; and a file
    its owner made read-only was replaced, where cp and > refuse it."""
    for option in (["--plot", str(tmp_path / "new" / "a.jpg")], ["--plot", str(tmp_path / "new" / "a.png"), "--level", "100"]):
        code, _, _ = predict(capsys, *option, "1", "2", "4", "8")
        assert code == 2 and not (tmp_path / "new").exists()
    code, _, _ = predict(capsys, "--plot", str(tmp_path / "new" / "deeper" / "a.png"), "1", "2", "4", "8")
    assert code == 0 and (tmp_path / "new" / "deeper" / "a.png").is_file()  # made when written
    kept = tmp_path / "kept.png"
    kept.write_bytes(b"mine")
    kept.chmod(0o444)
    real_access = os.access  # (root may write anything: the check is the one a user's run makes)
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == kept else real_access(path, mode, **kw))
    code, _, err = predict(capsys, "--plot", str(kept), "1", "2", "4", "8")
    assert code == 2 and "it is read-only (chmod u+w to let it be replaced)" in err and kept.read_bytes() == b"mine"


def test_counts_of_one_are_singular(capsys):
    _, out, err = predict(capsys, "1", "3", "2", "5", "4", "--steps", "1")
    assert "forecast, 1 step (" in out


@pytest.mark.parametrize("where", ["folder", "under a file"])
def test_a_plot_that_cannot_be_written_is_one_line_before_any_work(capsys, tmp_path, where):
    (tmp_path / "file").write_text("")
    path = tmp_path if where == "folder" else tmp_path / "file" / "out.png"
    code, out, err = predict(capsys, "--plot", str(path), "1", "2", "3", "5", "8")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"numseries predict: error: cannot write the plot to {path}: ")


def test_a_plot_without_matplotlib_names_the_plot_extra(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    code, out, err = predict(capsys, "--plot", str(tmp_path / "out.png"), "1", "2", "3", "5", "8")
    assert code == 2 and out == ""
    assert err == (
        "numseries predict: error: this needs matplotlib, which is not installed; "
        "install it with pip install 'numseries[plot]'\n"
    )
    assert not any(tmp_path.iterdir())


def test_plot_draws_one_sequence_not_a_file(capsys, tmp_path):
    code, out, err = predict(capsys, "--plot", str(tmp_path / "a.png"), "--input", "a.csv", "--output", "b.csv")
    assert code == 2 and out == ""
    assert "--plot draws a single sequence" in err


def test_values_near_the_float_limit_predict_without_a_numpy_warning(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (overflow reading the recorded decimals) would fail here
        code, out, _ = predict(capsys, "1e303", "2e303", "3e303", "--steps", "2")
    assert code == 0
    # a straight line of 3 values: one step of it either side at 80% (intervals.widen_lines)
    assert out.splitlines()[:2] == ["next value: 4e+303", "80% interval: 3e+303 to 5e+303"]


def test_a_forecast_across_the_float_range_predicts_without_a_numpy_warning(capsys, tmp_path):
    """Its steps and spans overflow to inf (handled): numpy's overflow warnings leaked, four of them."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, out, _ = predict(capsys, "1e308", "-1e308", "1.5e308", "-1.2e308", "1e308", "--steps", "3", "--json")
    assert code == 0 and len(json.loads(out)["forecast"]) == 3


def test_an_exact_forecast_prints_its_zero_width_bands_as_its_values(capsys):
    _, out, _ = predict(capsys, "1", "2", "4", "8", "16", "32", "--steps", "75")
    last = out.splitlines()[-1].split()  # t+75: 2**80 in full, and its bounds the same (not 1.20892581961463e+24)
    assert last == ["t+75", str(2**80), str(2**80), str(2**80)]


def test_the_forecast_table_has_the_digits_of_the_values_mean_step(capsys):
    """Adversarial round 18: the table's numbers took the last step's number in the weights table (4) for
    the values' mean step (0.625): 101.50 in the forecast where the next value was 101.495, as the page shows."""
    code, out, _ = predict(capsys, "100", "100.5", "101", "100.5", "101.5", "--steps", "3")
    next_value = out.splitlines()[0].removeprefix("next value: ")
    first = next(line for line in out.splitlines() if line.strip().startswith("t+1")).split()
    assert code == 0 and next_value == "101.495" and first[1] == next_value


def test_a_weight_that_rounds_to_zero_is_shown_without_a_minus_sign(capsys):
    """Adversarial round 36b: a weight of -0.0001 was shown as -0.000 in the table."""
    import numpy as np

    from numseries.cli import main
    from numseries.predict import Predictor

    values = np.random.default_rng(0).normal(size=64).cumsum().round(3)
    weights = Predictor.from_pretrained(rules=False).predict(values).weights
    assert ((weights < 0) & (weights > -0.0005)).any()  # one rounds to zero from below
    assert main(["predict", "--no-rules", *map(str, values)]) == 0
    table = capsys.readouterr().out.split("attention\n", 1)[1]
    assert " -0.000 " not in table and " 0.000 " in table
