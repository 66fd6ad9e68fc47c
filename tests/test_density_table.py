"""The papers' table for any binary data set: input checks, the split, the command
against the library function (tiny budgets: these test the code path, not the numbers)."""

import json
import re

import numpy as np
import pytest

from tfdl import cli, density_table


def _binary(n, d, seed):
    rng = np.random.default_rng(seed)
    first = rng.random((n, 1)) < 0.5
    return np.concatenate([first, ~first, rng.random((n, d - 2)) < 0.3], 1).astype("float32")


def test_check_binary_names_the_array_and_what_it_found():
    np.testing.assert_array_equal(density_table.check_binary([[0, 1], [1, 1]], "train"), [[0, 1], [1, 1]])
    with pytest.raises(ValueError, match=r"valid to hold only 0 and 1. Received: 1 other values in valid, e.g. 0.5"):
        density_table.check_binary([[0, 0.5]], "valid")
    with pytest.raises(ValueError, match=r"test to be a non-empty 2-D array.*test.shape=\(3,\)"):
        density_table.check_binary([0, 1, 1], "test")
    with pytest.raises(ValueError, match="rows of one length.*train could not be read"):
        density_table.check_binary([[0, 1], [1]], "train")


def test_split_is_a_seeded_70_10_20_partition():
    x = np.arange(50, dtype="float32")[:, None]
    train, valid, test = density_table.split(x)
    assert (len(train), len(valid), len(test)) == (35, 5, 10)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, valid, test])[:, 0]), x[:, 0])
    np.testing.assert_array_equal(density_table.split(x)[0], train)


def test_density_table_refuses_mismatched_dimensions_and_unknown_models():
    with pytest.raises(ValueError, match=r"one number of dimensions.*valid.shape=\(4, 3\)"):
        density_table.density_table(_binary(8, 4, 0), _binary(4, 3, 1), _binary(4, 4, 2))
    with pytest.raises(ValueError, match="models.*'pixelcnn'"):
        density_table.density_table(_binary(8, 4, 0), _binary(4, 4, 1), _binary(4, 4, 2), models=["pixelcnn"])


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"train": np.full((5, 3), 0.5)}, "expected train to hold only 0 and 1. Received: 15 other values"),
        ({"train": np.zeros((5, 3)), "valid": np.zeros((2, 3)), "test": np.array([[0, 2.0, 1]])},
         "expected test to hold only 0 and 1"),
        ({"train": np.array([np.zeros(3), np.zeros(2)], dtype=object)},
         "expected train to be a 2-D array of 0/1 with rows of one length; found an array of Python objects"),
        ({"train": np.zeros((5, 3)), "valid": np.zeros((2, 3))}, r"expected arrays train, valid and test.*found \['train', 'valid'\]"),
        ({"x": np.zeros((5, 3))}, r"found \['x'\]"),
    ],
)
def test_table_command_errors_name_the_array(tmp_path, capsys, arrays, message):
    path = tmp_path / "data.npz"
    np.savez(path, **arrays)
    assert cli.main(["table", "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"tfdl: error: --data {path}" in err and re.search(message, err, re.IGNORECASE)


def test_table_command_usage_errors(tmp_path, capsys):
    path = tmp_path / "data.npz"
    np.savez(path, train=np.zeros((10, 3)))
    with pytest.raises(SystemExit) as exit:
        cli.main(["table", "--data", str(path), "--models", "nade,pixelcnn"])
    assert exit.value.code == 2 and "argument --models: expected names among" in capsys.readouterr().err
    (tmp_path / "text.npz").write_text("not an archive")
    assert cli.main(["table", "--data", str(tmp_path / "text.npz")]) == 2
    assert "expected an .npz file" in capsys.readouterr().err


@pytest.mark.slow
def test_table_command_agrees_with_the_library_function(tmp_path, capsys):
    x = _binary(120, 6, 0)
    np.savez(tmp_path / "mine.npz", train=x)
    models = ["rbm", "fvsbn", "made_mask_sampling"]
    code = cli.main(["table", "--data", str(tmp_path / "mine.npz"), "--out", str(tmp_path / "out"),
                     "--budget", "tiny", "--seeds", "2", "--models", ",".join(models)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "train (84, 6), valid (12, 6), test (24, 6)" in printed
    assert all(f"{m}: test NLL" in printed for m in models)
    rows = json.loads((tmp_path / "out" / "table.json").read_text())
    expected = density_table.density_table(*density_table.split(x), models=models, seeds=2, budget="tiny")
    assert [r["model"] for r in rows] == models
    for row, mine in zip(rows, expected):
        assert set(row) >= {"model", "test_nll", "test_nll_se", "seeds", "settings"} and row["seeds"] == 2
        assert row["settings"] == mine["settings"]
        np.testing.assert_allclose(row["test_nlls"], mine["test_nlls"], rtol=1e-5)
        assert 0 < row["test_nll"] < 6 * np.log(2) + 1  # below the uniform density's 4.16 nats, roughly
    assert "| rbm |" in (tmp_path / "out" / "table.md").read_text()


def test_trainings_side_by_side_give_the_numbers_of_trainings_one_after_another():
    splits = density_table.split(_binary(150, 6, 3))
    rows = {threads: density_table.density_table(*splits, ["rbm", "made_mask_sampling"], seeds=3, budget="tiny",
                                                 threads=threads)
            for threads in (1, 2)}
    for one, two in zip(rows[1], rows[2]):
        assert one["model"] == two["model"] and one["epochs"] == two["epochs"]
        np.testing.assert_allclose(one["test_nlls"], two["test_nlls"], rtol=1e-6)
        assert len(set(np.round(one["test_nlls"], 6))) == 3  # three seeds, three different models
    with pytest.raises(ValueError, match="Received: threads=0"):
        density_table.density_table(*splits, budget="tiny", threads=0)
