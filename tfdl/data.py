"""Data sets used by the reproductions, as float32 arrays scaled to [0, 1].

``digits`` (scikit-learn's 8x8 handwritten digits, bundled with the package)
works offline and is the default everywhere. ``dna`` and ``nips`` (nips-0-12)
are two of the binary UCI sets of the NADE and MADE papers (Larochelle &
Murray 2011; Germain et al. 2015), shipped inside tfdl (``uci_binary.npz``,
from the ``datasets/`` folder of the MADE authors' repository, mgermain/MADE,
bit-packed losslessly) with the papers' own splits. ``mnist`` and ``fashion_mnist``
come through ``keras.datasets``: from the Keras cache (``~/.keras/datasets``)
or a download where the network allows it. Fashion-MNIST is also read from
Debian's ``dataset-fashion-mnist`` package when it is installed
(``apt-get install -y dataset-fashion-mnist``). ``moses`` (Polykovskiy et al.
2020, the MOSES benchmark of molecular generators) is SMILES strings, read from
the ``molsets`` 0.3.1 wheel (MIT), which ships the benchmark's splits: the wheel
is fetched once with ``pip download`` through the package registry into the
Keras cache and read as a zip from there (its own dependencies are not needed).

Splits:

* ``digits``: a fixed permutation (independent of ``seed``) of the 1797
  images, then 1257 train, 270 valid, 270 test.
* ``mnist``, ``fashion_mnist``: the first 50,000 training images are
  ``train``, the last 10,000 are ``valid``; ``test`` is the official 10,000.
* ``moses``: the benchmark's own ``train`` (1,584,663 SMILES), ``test``
  (176,074) and ``test_scaffolds`` (scaffolds absent from train), as lists of str.
* ``dna`` (180 dimensions): 1400 train, 600 valid, 1186 test; ``nips``
  (500 dimensions): 400 train, 100 valid, 1240 test. Vectors ``[n, D]`` of
  0/1 without labels.

Example:

>>> x = load("digits", binarize="threshold", flatten=True)
>>> x.shape, x.dtype
((1257, 64), dtype('float32'))
"""

import functools
import gzip
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

from tfdl import validation

DATASETS = ("digits", "mnist", "fashion_mnist")  # image sets, the reproductions' --dataset
BINARY_SETS = ("dna", "nips")  # binary vectors of the NADE and MADE papers' tables
UCI_BINARY = Path(__file__).with_name("uci_binary.npz")
SPLITS = ("train", "valid", "test")
BINARIZATIONS = (None, "threshold", "stochastic")
MOLECULE_SETS = ("moses",)  # SMILES strings
MOSES_SPLITS = ("train", "test", "test_scaffolds")
MOSES_WHEEL = "molsets-0.3.1-py3-none-any.whl"
MOSES_REQUIREMENT = "molsets==0.3.1"

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
FASHION_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                         "Bag", "Ankle boot")
MNIST_VALID_SIZE = 10_000
DIGITS_SPLIT = (1257, 270, 270)


class DataUnavailableError(FileNotFoundError):
    """A data set is neither cached nor downloadable; the message says why."""


def load(
    name,
    split="train",
    binarize=None,
    flatten=False,
    with_labels=False,
    seed=0,
):
    """Loads a data set split as float32 images in [0, 1].

    Args:
        name: ``"digits"``, ``"mnist"``, ``"fashion_mnist"``, a binary vector set ``"dna"``, ``"nips"``
            (``[n, D]`` 0/1 whatever ``binarize``/``flatten``; no labels) or ``"moses"`` (SMILES strings).
        split: ``"train"``, ``"valid"`` or ``"test"``; for ``"moses"``
            ``"train"``, ``"test"`` or ``"test_scaffolds"``.
        binarize: ``None`` keeps grey levels; ``"threshold"`` maps pixels
            > 0.5 to 1 and the rest to 0; ``"stochastic"`` draws each pixel
            from Bernoulli(intensity) with ``seed`` (dynamic binarization).
        flatten: return ``[n, H*W]`` instead of ``[n, H, W, 1]``.
        with_labels: also return the int64 class labels ``[n]``.
        seed: seed for ``"stochastic"`` binarization.

    Returns:
        ``x`` of shape ``[n, H, W, 1]`` (or ``[n, H*W]``), float32; with
        ``with_labels=True`` the pair ``(x, y)``.

    Raises:
        ValueError: unknown ``name``, ``split`` or ``binarize``;
            ``with_labels`` for a binary vector set.
        DataUnavailableError: MNIST/Fashion-MNIST or the MOSES wheel is not
            cached and cannot be downloaded.
    """
    if name not in DATASETS + BINARY_SETS + MOLECULE_SETS:
        raise ValueError(
            f"Unknown data set: expected one of {DATASETS + BINARY_SETS + MOLECULE_SETS}. Received: name={name!r}"
        )
    if name in MOLECULE_SETS:
        return _moses(split, binarize=binarize, flatten=flatten, with_labels=with_labels)
    if split not in SPLITS:
        raise ValueError(f"Expected split in {SPLITS}. Received: split={split!r}")
    if binarize not in BINARIZATIONS:
        raise ValueError(
            f"Expected binarize in {BINARIZATIONS}. Received: binarize={binarize!r}"
        )
    flatten, with_labels = validation.boolean(flatten, "flatten"), validation.boolean(with_labels, "with_labels")
    seed = validation.seed(seed)
    if name in BINARY_SETS:
        if with_labels:
            raise ValueError(f"The {name} set has no labels: expected with_labels=False. Received: with_labels=True")
        return _uci_binary(name, split)
    images, labels = _LOADERS[name](split)
    x = images.astype(np.float32)
    x /= np.float32(16.0 if name == "digits" else 255.0)
    if binarize == "threshold":
        x = (x > 0.5).astype(np.float32)
    elif binarize == "stochastic":
        rng = np.random.default_rng(seed)
        x = (rng.random(x.shape, dtype=np.float32) < x).astype(np.float32)
    x = x.reshape(len(x), -1) if flatten else x[..., None]
    return (x, labels.astype(np.int64)) if with_labels else x


def image_shape(name):
    """Returns ``(height, width, channels)`` of a data set's images."""
    if name not in DATASETS:
        raise ValueError(
            f"Unknown data set: expected one of {DATASETS}. Received: name={name!r}"
        )
    return (8, 8, 1) if name == "digits" else (28, 28, 1)


def class_names(name):
    """The names of an image set's classes, in label order (Fashion-MNIST: the data set's own words)."""
    name = validation.one_of(name, DATASETS, "name")
    return FASHION_MNIST_CLASSES if name == "fashion_mnist" else tuple(str(digit) for digit in range(10))


def _digits(split):
    from sklearn.datasets import load_digits

    bunch = load_digits()
    order = np.random.RandomState(0).permutation(len(bunch.target))
    n_train, n_valid, _ = DIGITS_SPLIT
    bounds = {
        "train": slice(0, n_train),
        "valid": slice(n_train, n_train + n_valid),
        "test": slice(n_train + n_valid, None),
    }[split]
    index = order[bounds]
    return bunch.images[index], bunch.target[index]


def _uci_binary(name, split):
    """A split of a packed binary UCI set as float32 0/1 ``[n, D]``."""
    with np.load(UCI_BINARY) as packed:
        shape = packed[f"{name}_{split}_shape"]
        bits = np.unpackbits(packed[f"{name}_{split}"], axis=1, count=int(shape[1]))
    return bits.astype(np.float32)


def _moses(split, **image_arguments):
    """A MOSES split as a list of SMILES strings; image arguments must keep their defaults."""
    split = validation.one_of(split, MOSES_SPLITS, "split")
    for argument, value in image_arguments.items():
        if value not in (None, False):
            raise ValueError(f"moses is SMILES strings: expected {argument} left at its default. "
                             f"Received: {argument}={value!r}")
    return list(_moses_smiles(split))


@functools.lru_cache(maxsize=3)
def _moses_smiles(split):
    text = gzip.decompress(moses_file(f"moses/dataset/data/{split}.csv.gz")).decode("ascii")
    header, *smiles = text.split()
    if header != "SMILES":
        raise DataUnavailableError(f"{moses_wheel()}: {split}.csv.gz starts with {header!r}, expected 'SMILES'")
    return tuple(smiles)


def moses_wheel():
    """The path of the ``molsets`` wheel in the Keras cache, fetched there once with
    ``pip download`` through the package registry."""
    path = _keras_cache() / MOSES_WHEEL
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", MOSES_REQUIREMENT, "--no-deps", "--dest", str(path.parent)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or not path.exists():
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise DataUnavailableError(
            f"moses is not available offline: {path} is missing and `{' '.join(command[2:])}` failed ({last}). "
            f"Run `pip download {MOSES_REQUIREMENT} --no-deps --dest {path.parent}` on a machine with network "
            f"access and copy {MOSES_WHEEL} to {path.parent}."
        )
    return path


def moses_file(inner):
    """The bytes of a file inside the MOSES wheel, e.g. ``"moses/metrics/mcf.csv"``."""
    with zipfile.ZipFile(moses_wheel()) as wheel:
        try:
            return wheel.read(inner)
        except KeyError:
            raise DataUnavailableError(f"{wheel.filename} holds no {inner}: not the {MOSES_WHEEL} of the "
                                       "package registry; delete it to fetch it again") from None


def _carve_valid(train, test, split):
    (x_train, y_train), (x_test, y_test) = train, test
    if split == "test":
        return x_test, y_test
    cut = len(x_train) - MNIST_VALID_SIZE
    part = slice(0, cut) if split == "train" else slice(cut, None)
    return x_train[part], y_train[part]


def _keras_download(name):
    import keras

    module = getattr(keras.datasets, name)
    cache = _keras_cache()
    try:
        return module.load_data()
    except Exception as error:  # any network or file error: one clear line
        raise DataUnavailableError(
            f"{name} is not available offline: looked in {cache} (Keras cache)"
            + (f" and {DEBIAN_FASHION_MNIST}" if name == "fashion_mnist" else "")
            + f" and the download failed ({type(error).__name__}). Get it with "
            + (
                "`apt-get install -y dataset-fashion-mnist` or "
                if name == "fashion_mnist"
                else ""
            )
            + f"`python -c 'import keras; keras.datasets.{name}.load_data()'` "
            "on a machine with network access, then copy ~/.keras/datasets here."
        ) from None


def _read_idx(path):
    with gzip.open(path, "rb") as stream:
        raw = stream.read()
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">i4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _idx_pair(folder, split):
    images, labels = (folder / f for f in FASHION_FILES[split])
    return _read_idx(images), _read_idx(labels)


def available(name):
    """True when ``load(name)`` needs no network: the bundled digits, the shipped
    binary sets, Debian's Fashion-MNIST or a data set (or the MOSES wheel) in the
    Keras cache. The one check of data on this machine (the benchmarks and the
    tests ask it)."""
    name = validation.one_of(name, DATASETS + BINARY_SETS + MOLECULE_SETS, "name")
    if name in MOLECULE_SETS:
        return (_keras_cache() / MOSES_WHEEL).exists()
    if name == "digits" or name in BINARY_SETS:
        return True
    if name == "mnist":
        return (_keras_cache() / "mnist.npz").exists()
    folder = _keras_cache() / "fashion-mnist"
    files = [f for pair in FASHION_FILES.values() for f in pair]
    return debian_fashion_mnist_installed() or all((folder / f).exists() for f in files)


def _keras_cache():
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def debian_fashion_mnist_installed():
    """True when Debian's ``dataset-fashion-mnist`` files are all on this machine."""
    return all((DEBIAN_FASHION_MNIST / f).exists() for pair in FASHION_FILES.values() for f in pair)


@functools.lru_cache(maxsize=2)
def _mnist_like(name):
    if name == "fashion_mnist" and debian_fashion_mnist_installed():
        return (
            _idx_pair(DEBIAN_FASHION_MNIST, "train"),
            _idx_pair(DEBIAN_FASHION_MNIST, "test"),
        )
    return _keras_download(name)


_LOADERS = {
    "digits": _digits,
    "mnist": lambda split: _carve_valid(*_mnist_like("mnist"), split),
    "fashion_mnist": lambda split: _carve_valid(*_mnist_like("fashion_mnist"), split),
}


def batches(x, batch_size, shuffle=True, seed=None, chunk=32):
    """In-memory examples as a ``tf.data`` pipeline of batches, run on one thread.

    What ``fit`` builds from an array, without tf.data's autotuned thread
    pool. On a 2-core CPU that pool competes with the training step's own
    threads. Each epoch draws one permutation of the examples and gathers
    ``chunk`` batches at a time: no per-example work in the pipeline, and
    memory for one chunk beside ``x``.

    Args:
        x: array ``[num_examples, ...]``.
        batch_size: examples per batch (the last batch may be smaller).
        shuffle: a new order of the examples every epoch.
        seed: int seed of the shuffling, or None.
        chunk: batches gathered at once.

    Returns:
        A ``tf.data.Dataset`` of ``[batch, ...]`` tensors.
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(x)
    num = x.shape[0]
    full = num // batch_size * batch_size

    def epoch(key):
        order = tf.random.experimental.stateless_shuffle(tf.range(num), seed=key) if shuffle else tf.range(num)
        chunks = tf.data.Dataset.from_tensor_slices(tf.reshape(order[:full], [-1, batch_size])).batch(chunk)
        dataset = chunks.map(lambda indices: tf.gather(x, indices)).unbatch()
        if full < num:
            dataset = dataset.concatenate(tf.data.Dataset.from_tensors(order[full:]).map(lambda i: tf.gather(x, i)))
        return dataset

    keys = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2).take(1)
    dataset = keys.flat_map(epoch).apply(tf.data.experimental.assert_cardinality(-(-num // batch_size)))
    options = tf.data.Options()
    options.threading.private_threadpool_size = 1
    options.autotune.enabled = False
    options.experimental_optimization.inject_prefetch = False
    return dataset.with_options(options)
