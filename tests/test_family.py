"""The family classifier: invariance to a*x + b by construction, toy training for real, export to ONNX and
loading through the one loading path beside the weights (and its absence)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

pytestmark = pytest.mark.slow
torch = pytest.importorskip("torch")

from numseries.family import FamilyClassifier, export_classifier, features, train_classifier  # noqa: E402
from numseries.generate import generate_batch  # noqa: E402
from numseries.patterns import CLASSIFIER_CONFIG, CLASSIFIER_FILE, orientation  # noqa: E402
from numseries.predict import Predictor  # noqa: E402
from numseries.weights import MANIFEST_FILE, load_model, save_pretrained  # noqa: E402

TOY = ("linear", "sinusoidal", "random_walk")


@pytest.fixture(scope="module")
def toy():
    """A classifier of three families trained for real, briefly, at lengths 8-16."""
    torch.set_num_threads(1)
    return train_classifier(names=TOY, max_steps=150, min_len=8, max_len=16, per_cell=32, batch_per_family=16)


@pytest.fixture(scope="module")
def folder(toy, tiny_onnx, tmp_path_factory):
    """The tiny test model's weights folder with the toy classifier written beside it (grouping nothing)."""
    folder = tmp_path_factory.mktemp("classifier") / "weights"
    shutil.copytree(tiny_onnx, folder)
    export_classifier(toy.model, folder, [[], [], []])
    return folder


def _series(n=64, length=12, seed=0):
    return torch.from_numpy(generate_batch(n, families=list(TOY), lengths=np.full(n, length), max_len=length, seed=seed).data)


@pytest.mark.parametrize(("scale", "shift"), [(1e-3, 0.0), (7.0, -3.0), (2e5, 1e6)])
def test_features_and_probabilities_do_not_change_under_a_positive_affine_map(scale, shift):
    x = _series()
    model = FamilyClassifier(TOY).eval()
    (channels, scalars), (mapped_channels, mapped_scalars) = features(x), features(scale * x + shift)
    assert torch.allclose(channels, mapped_channels, atol=1e-4) and torch.allclose(scalars, mapped_scalars, atol=1e-4)
    with torch.inference_mode():
        assert torch.allclose(model(x), model(scale * x + shift), atol=1e-5)


def test_constant_and_straight_inputs_give_finite_probabilities_that_sum_to_one():
    x = torch.tensor([[5.0, 5.0, 5.0, 5.0], [1e6, 1e6 + 1e-3, 1e6 + 2e-3, 1e6 + 3e-3], [1.0, 2.0, 3.0, 4.0]], dtype=torch.float64)
    with torch.inference_mode():
        p = FamilyClassifier(TOY).eval()(x)
    assert torch.isfinite(p).all() and torch.allclose(p.sum(dim=1), torch.ones(3))


def test_toy_training_learns_to_tell_its_families_apart(toy):
    assert toy.steps == 150
    assert toy.validation_top1 > 0.8  # chance is 1/3


def test_a_wider_classifier_trains_and_exports_through_the_same_loading_path(tmp_path, tiny_onnx):
    result = train_classifier(names=TOY, max_steps=2, min_len=8, max_len=10, per_cell=4, batch_per_family=2, channels=8, hidden=24)
    assert [conv.out_channels for conv in result.model.convs] == [8] * 4 and result.model.head[0].out_features == 24
    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    export_classifier(result.model, folder, [[], [], []])  # the ONNX graph carries the width; the config does not need it
    x = _series(n=5, length=9, seed=3).numpy()
    with torch.inference_mode():  # the runtime reads each series one way up (a mirror gets the same answer)
        expected = result.model(torch.from_numpy(x * orientation(x)[:, None])).numpy()
    assert np.allclose(Predictor.from_pretrained(folder).classifier.probabilities(x), expected, atol=1e-5)


def test_the_classifier_beside_the_weights_names_patterns_through_from_pretrained(toy, folder):
    predictor = Predictor.from_pretrained(folder)
    assert predictor.classifier is not None and predictor.pattern_names == TOY
    x = _series(n=20, length=12, seed=5).numpy()
    batch = predictor.predict_batch(x, level=None)
    with torch.inference_mode():  # the runtime reads each series one way up (a mirror gets the same answer)
        expected = toy.model(torch.from_numpy(x * orientation(x)[:, None])).numpy()
    np.testing.assert_allclose(batch.pattern_probabilities, expected, atol=1e-4)
    words = Predictor.from_pretrained(folder, rules=False)
    plain = words.predict_batch(x)
    for i in (0, 7, 19):  # one series at a time: the same words; at another scale and shift, the same confidence
        assert words.predict(x[i]).pattern == plain.patterns[i]
        assert np.isclose(words.predict(x[i] * 1e4 - 7).pattern_confidence, plain.pattern_confidence[i], atol=1e-5)
    assert json.loads((folder / CLASSIFIER_CONFIG).read_text())["names"] == list(TOY)
    assert predictor.predict([1.0, 2.5, 1.7, 3.1, 2.2]).pattern  # words, from the classifier


def test_the_manifest_lists_the_classifier_and_a_changed_file_is_refused(folder, tmp_path):
    recorded = json.loads((folder / MANIFEST_FILE).read_text())
    assert {CLASSIFIER_FILE, CLASSIFIER_CONFIG} <= set(recorded)
    copy = tmp_path / "weights"
    shutil.copytree(folder, copy)
    (copy / CLASSIFIER_CONFIG).write_text((copy / CLASSIFIER_CONFIG).read_text().replace('"threshold"', '"threshold" '))
    with pytest.raises(ValueError, match=f"{CLASSIFIER_CONFIG} is not the one listed"):
        Predictor.from_pretrained(copy)


def test_saving_new_weights_keeps_the_classifier_listed(folder, tmp_path):
    copy = tmp_path / "weights"
    shutil.copytree(folder, copy)
    save_pretrained(load_model(copy), copy)  # a new training into the folder: the classifier is not the model's
    assert Predictor.from_pretrained(copy).classifier is not None


def test_without_the_classifier_the_pattern_head_names_patterns_as_before(tiny_onnx):
    predictor = Predictor.from_pretrained(tiny_onnx)
    assert predictor.classifier is None and predictor.pattern_names == ()
    assert predictor.predict([1.0, 2.5, 1.7, 3.1, 2.2]).pattern == ""  # the tiny model has no head either


def test_the_shipped_classifier_gives_the_same_answer_whatever_the_scale_and_shift():
    predictor = Predictor.from_pretrained()
    assert predictor.classifier is not None and len(predictor.pattern_names) == 17
    x = generate_batch(200, lengths=np.full(200, 20), max_len=20, seed=11).data
    p = predictor.predict_batch(x).pattern_probabilities
    q = predictor.predict_batch(3e4 * x - 1e5).pattern_probabilities
    np.testing.assert_allclose(p, q, atol=1e-4)


def test_the_classifier_reads_every_value_where_the_network_reads_a_shorter_window():
    """The network reads only the end of a steep decay or a saturating curve (series.read_lengths); the
    classifier still names the whole series: cut to the network's window, a logistic curve's flat end
    looked like other families (top-1 on logistic at 24-64 values fell from 99% to 89%)."""
    from numseries.series import read_lengths

    predictor = Predictor.from_pretrained()
    t = np.arange(64.0)
    series = [100 * 0.9**t, 1 / (1 + np.exp(-0.3 * (t - 20))), 2.0 * t + 1 + np.sin(t)]  # two cut, one whole
    values = np.stack(series)
    read = read_lengths(values, np.full(3, 64))
    assert read[0] < 64 and read[1] < 64 and read[2] == 64
    for batch in (series, series[1:2]):
        got = predictor.predict_batch(batch).pattern_probabilities
        expected = predictor.classifier.probabilities(np.stack(batch))
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert predictor.predict(series[1]).pattern == predictor.predict_batch(series).patterns[1]
