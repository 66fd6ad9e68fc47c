import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from setuptools.config.setupcfg import read_configuration
from tiny_moses import TINY_MOSES, tiny_moses_wheel

from tfdl import data


def test_digits_threshold_flat_is_binary_float32():
    x = data.load("digits", binarize="threshold", flatten=True)
    assert x.dtype == np.float32 and x.shape == (1257, 64)
    assert set(np.unique(x)) == {0.0, 1.0}


def test_digits_splits_partition_the_1797_images():
    from sklearn.datasets import load_digits

    parts = [data.load("digits", split=s, flatten=True) for s in data.SPLITS]
    assert [len(p) for p in parts] == [1257, 270, 270]
    everything = np.concatenate(parts)
    reference = load_digits().data.astype(np.float32) / 16.0
    # Same multiset of images: sort rows lexicographically and compare.
    key = lambda a: a[np.lexsort(a.T[::-1])]  # noqa: E731
    np.testing.assert_array_equal(key(everything), key(reference))


def test_digits_images_labels_and_scale():
    x, y = data.load("digits", split="test", with_labels=True)
    assert x.shape == (270, 8, 8, 1) and y.shape == (270,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    again = data.load("digits", split="test")
    np.testing.assert_array_equal(x, again)


def test_threshold_is_strictly_above_half():
    x = data.load("digits", flatten=True)
    t = data.load("digits", binarize="threshold", flatten=True)
    np.testing.assert_array_equal(t, (x > 0.5).astype(np.float32))
    assert np.any(x == 0.5)  # 8/16 pixels exist and must map to 0


def test_stochastic_binarization_is_seeded_and_unbiased():
    grey = data.load("digits", flatten=True)
    a = data.load("digits", binarize="stochastic", flatten=True, seed=1)
    b = data.load("digits", binarize="stochastic", flatten=True, seed=1)
    c = data.load("digits", binarize="stochastic", flatten=True, seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert set(np.unique(a)) == {0.0, 1.0}
    np.testing.assert_array_equal(a[grey == 0], 0.0)
    np.testing.assert_array_equal(a[grey == 1], 1.0)
    # E[sample] = intensity: mean over all pixels within 5 standard errors.
    stderr = np.sqrt((grey * (1 - grey)).sum()) / grey.size
    assert abs(a.mean() - grey.mean()) < 5 * stderr


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "cifar"}, r"Unknown data set.*'digits', 'mnist', 'fashion_mnist'.*name='cifar'"),
        ({"name": "digits", "split": "validation"}, r"split.*Received: split='validation'"),
        ({"name": "digits", "binarize": "otsu"}, r"binarize.*Received: binarize='otsu'"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.load(**kwargs)


def test_read_idx_parses_the_idx_format(tmp_path):
    import gzip

    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    header = bytes([0, 0, 8, 3]) + np.array([2, 3, 4], dtype=">i4").tobytes()
    path = tmp_path / "x-idx3-ubyte.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(header + images.tobytes())
    np.testing.assert_array_equal(data._read_idx(path), images)


def test_missing_offline_data_gives_one_clear_line(tmp_path):
    # A fresh KERAS_HOME has no cache; this machine cannot download MNIST.
    result = subprocess.run(
        [sys.executable, "-m", "tfdl", "data", "mnist"],
        capture_output=True, text=True, timeout=300,
        env={"KERAS_HOME": str(tmp_path / "keras"), "PATH": "/usr/bin:/bin",
             "HOME": str(tmp_path), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if result.returncode == 0:
        pytest.skip("MNIST could be downloaded here, so the offline error cannot show")
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert last.startswith("tfdl: error: mnist is not available offline: looked in")
    assert str(tmp_path / "keras" / "datasets") in last


def test_batches_cover_every_example_once_per_epoch_and_reshuffle():
    x = np.arange(10, dtype=np.float32)[:, None]
    plain = [b.numpy().ravel().tolist() for b in data.batches(x, 4, shuffle=False)]
    assert plain == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    dataset = data.batches(x, 4, shuffle=True, seed=1)
    assert int(dataset.cardinality()) == 3  # known, so Keras counts the steps of an epoch
    epochs = [np.concatenate([b.numpy().ravel() for b in dataset]) for _ in range(2)]
    for order in epochs:
        assert sorted(order) == list(range(10))
    assert not np.array_equal(epochs[0], epochs[1])
    again = np.concatenate([b.numpy().ravel() for b in data.batches(x, 4, shuffle=True, seed=1)])
    np.testing.assert_array_equal(again, epochs[0])


# SHA-256 (first 16 hex digits) of the float32 arrays of the MADE authors' datasets/*.npz
UCI_SHA256 = {
    ("dna", "train"): ("3004db1fb2db5ee7", (1400, 180)),
    ("dna", "valid"): ("9405b76ce76f921d", (600, 180)),
    ("dna", "test"): ("b5d1f607293839d4", (1186, 180)),
    ("nips", "train"): ("aa37869591dfaad9", (400, 500)),
    ("nips", "valid"): ("82edd2e98b83994f", (100, 500)),
    ("nips", "test"): ("3ebc48ca7b0595d9", (1240, 500)),
}


@pytest.mark.parametrize("name, split", sorted(UCI_SHA256))
def test_binary_uci_sets_are_the_papers_splits_bit_for_bit(name, split):
    digest, shape = UCI_SHA256[name, split]
    x = data.load(name, split=split)
    assert x.shape == shape and x.dtype == np.float32
    assert set(np.unique(x).tolist()) == {0.0, 1.0}
    assert hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()[:16] == digest


def test_binary_uci_sets_ship_inside_the_package_and_have_no_labels():
    assert data.UCI_BINARY.parent == Path(data.__file__).parent
    assert "uci_binary.npz" in read_configuration(Path(data.__file__).parents[1] / "setup.cfg")["options"]["package_data"]["tfdl"]
    with pytest.raises(ValueError, match="with_labels=True"):
        data.load("dna", with_labels=True)


def test_data_command_reports_a_binary_set(capsys):
    from tfdl import cli

    assert cli.main(["data", "dna"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("dna train: x (1400, 180) float32, binary") and len(lines) == 3


def test_available_says_what_loads_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(data, "debian_fashion_mnist_installed", lambda: False)
    assert data.available("digits") and data.available("dna") and data.available("nips")
    assert not data.available("mnist") and not data.available("fashion_mnist")
    folder = tmp_path / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    names = [f for pair in data.FASHION_FILES.values() for f in pair]
    for name in names[:-1]:
        (folder / name).touch()
    assert not data.available("fashion_mnist")  # one file missing
    (folder / names[-1]).touch()
    (tmp_path / "datasets" / "mnist.npz").touch()
    assert data.available("fashion_mnist") and data.available("mnist")
    with pytest.raises(ValueError, match="name"):
        data.available("cifar")


def test_moses_splits_read_from_the_cached_wheel(moses_cache):
    tiny_moses_wheel(moses_cache)
    assert data.available("moses")
    for split, smiles in TINY_MOSES.items():
        assert data.load("moses", split=split) == smiles


def test_moses_bad_arguments_name_them(moses_cache):
    tiny_moses_wheel(moses_cache)
    with pytest.raises(ValueError, match="split=.*'valid'"):
        data.load("moses", split="valid")
    with pytest.raises(ValueError, match="with_labels=True"):
        data.load("moses", with_labels=True)
    with pytest.raises(ValueError, match="binarize='threshold'"):
        data.load("moses", binarize="threshold")


def test_moses_missing_and_not_downloadable_says_how_to_get_it(moses_cache, monkeypatch):
    failed = subprocess.CompletedProcess([], 1, "", "ERROR: No matching distribution found for molsets==0.3.1")
    calls = []
    monkeypatch.setattr(data.subprocess, "run", lambda command, **kwargs: calls.append(command) or failed)
    assert not data.available("moses")
    with pytest.raises(data.DataUnavailableError, match="pip download molsets==0.3.1 --no-deps"):
        data.load("moses", split="test")
    assert calls and calls[0][1:4] == ["-m", "pip", "download"] and str(moses_cache) in calls[0]


def test_moses_wheel_without_the_split_is_named(moses_cache):
    import zipfile

    moses_cache.mkdir(parents=True)
    zipfile.ZipFile(moses_cache / data.MOSES_WHEEL, "w").close()
    with pytest.raises(data.DataUnavailableError, match="holds no moses/dataset/data/test.csv.gz"):
        data.load("moses", split="test")


def test_cli_data_moses_reports_each_split(moses_cache, capsys):
    from tfdl import cli

    tiny_moses_wheel(moses_cache)
    assert cli.main(["data", "moses"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["moses train: 3 SMILES, e.g. CCO", "moses test: 2 SMILES, e.g. CCN",
                     "moses test_scaffolds: 1 SMILES, e.g. C1CCC2CCCCC2C1"]


def test_class_names_in_label_order():
    names = data.class_names("fashion_mnist")
    assert names[0] == "T-shirt/top" and names[9] == "Ankle boot" and len(names) == 10
    assert data.class_names("digits") == tuple("0123456789")
    with pytest.raises(ValueError, match="name="):
        data.class_names("dna")
