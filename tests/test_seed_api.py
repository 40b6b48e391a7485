"""The seed's entry points at the repository root, run as its README shows, and thin over the package."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIMS = ["generate_data.py", "train_loop.py", "models/__init__.py", "models/lstm_with_attention.py"]

README = (ROOT / "README.md").read_text()


def readme_block(name: str) -> str:
    """The code between ``<!-- name:start -->`` and ``<!-- name:end -->`` in the README, fences dropped."""
    block = README.split(f"<!-- {name}:start -->")[1].split(f"<!-- {name}:end -->")[0]
    return block.strip().removeprefix("```python").removesuffix("```")


# The README's seed-API script, verbatim but for its size (100,000 sequences would train for an hour),
# then checks that the saved file loads back without unpickling anything, to the same predictions.
SEED_SCRIPT = readme_block("seed-api").replace("num_samples=100_000", "num_samples=64") + textwrap.dedent(
    """
    import json

    import numseries

    assert preds.shape == targs.shape == (len(test_set),) and attns.shape[0] == len(test_set)
    x, _, mask = next(iter(val_loader))
    restored = LSTMWithAttention()
    restored.load_state_dict(torch.load("weights/lstm_with_attention_best.pt", weights_only=True))
    with torch.no_grad():
        expected = trained_model(x, mask)[0]
        same = [
            torch.equal(candidate.eval()(x, mask)[0], expected)
            for candidate in (restored, numseries.load_model("weights/lstm_with_attention_best.pt"))
        ]
    print(json.dumps({"same": same, "prediction_dtype": str(expected.dtype)}))
    """
)


def test_the_readme_seed_script_is_complete():
    assert "num_samples=100_000" in readme_block("seed-api")  # the original's size, shown as the original has it
    for name in ("train_loader", "val_loader", "test_loader"):
        assert f"{name} = " in readme_block("seed-api")  # every name it uses is defined


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the root entry points and folders, as a fresh checkout has them."""
    for name in [*SHIMS, "test_and_visualize.py", "weights/README.md", "saved_models/README.md"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.mark.slow
def test_seed_readme_code_runs_as_written_from_a_checkout(checkout):
    (checkout / "seed_readme.py").write_text(SEED_SCRIPT)
    result = subprocess.run(
        [sys.executable, "seed_readme.py"], cwd=checkout, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"same": [True, True], "prediction_dtype": "torch.float64"}
    assert (checkout / "weights" / "lstm_with_attention_best.pt").is_file()


@pytest.fixture
def root_on_path(monkeypatch):
    """Import the root entry points as a checkout's interpreter would, and forget them afterwards."""
    names = ("generate_data", "train_loop", "models", "models.lstm_with_attention")
    monkeypatch.syspath_prepend(str(ROOT))
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield
    for name in names:
        sys.modules.pop(name, None)


def test_root_entry_points_are_the_package_objects(root_on_path):
    import generate_data
    import train_loop
    from models import lstm_with_attention

    import numseries.generate
    import numseries.model
    import numseries.train

    assert generate_data.generate_dataset is numseries.generate.generate_dataset
    assert generate_data.register is numseries.generate.register
    assert train_loop.train_model is numseries.train.train_model
    assert lstm_with_attention.LSTMWithAttention is numseries.model.LSTMWithAttention


@pytest.mark.parametrize("name", SHIMS)
def test_root_entry_points_hold_no_logic_of_their_own(name):
    tree = ast.parse((ROOT / name).read_text())
    for node in tree.body:
        is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        is_all = isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__all__"]
        assert is_docstring or is_all or isinstance(node, (ast.Import, ast.ImportFrom)), ast.dump(node)[:80]


def test_weights_and_saved_models_folders_say_what_goes_there():
    assert "state_dict" in (ROOT / "weights" / "README.md").read_text()
    assert "save_pretrained" in (ROOT / "saved_models" / "README.md").read_text()
