"""The NADE and MADE papers' table for any binary data set: test NLL of five models.

``density_table(train, valid, test)`` trains, for every model of ``MODELS``,
each point of a small grid on ``train`` with early stopping on the validation
NLL (the papers' model selection, Larochelle & Murray 2011 and Germain et al.
2015), keeps the grid point with the lowest validation NLL on the
first seed, trains the other seeds with it, and reports the test NLL in nats
per example, mean ± standard error over the seeds.

The models (the papers' settings where the table is theirs):

* ``rbm``: tfdl's ``RBM`` with 23 hidden units trained by CD-k, its log Z
  exact (``tfdl.models.partition.rbm_log_partition``: 2**23 hidden states);
  an AIS estimate of the same log Z is reported beside it as a check of AIS;
* ``fvsbn``: ``FVSBN``, logistic autoregression in the natural order;
* ``nade``: ``NADE`` with 500 hidden units, natural order;
* ``made``: ``MADE`` with one hidden layer of 500 units, one mask;
* ``made_mask_sampling``: ``MADE`` trained on ``num_masks`` mask sets in
  turn (orders and connectivity drawn at random), tested as their mixture.

``BUDGETS`` names the budgets; ``grid(budget, model)`` gives each model's
grid points and ``schedule(budget)`` the early-stopping limits (epochs,
patience, batch size): ``tiny`` (tests and smoke runs: seconds, small
models), ``default`` (one grid point per model, three for FVSBN's L2 penalty:
the settings probes on dna and nips-0-12 found best, the papers' sizes,
batches of 100 (20 for the RBM), seeds trained one after another) and ``full``
(wider grids over learning rate, L2, CD steps, activation, direct
connections, optimizer and number of masks). The RBM trains for a fixed
number of epochs (its validation NLL needs the exact log Z, too costly per
epoch); the other models stop when the validation NLL has not improved for
``patience`` epochs and keep their best epoch's weights.

Example:

>>> from tfdl import data
>>> rows = density_table(*(data.load("dna", split=s) for s in data.SPLITS), budget="tiny")  # doctest: +SKIP
>>> rows[0]["model"], rows[0]["test_nll"]  # doctest: +SKIP
"""

import concurrent.futures
import math

import keras
import numpy as np
import tensorflow as tf

from tfdl import evaluate, tables, validation
from tfdl.models import FVSBN, MADE, NADE, RBM, partition
from tfdl.timing import Timer

MODELS = ("rbm", "fvsbn", "nade", "made", "made_mask_sampling")
BUDGETS = ("tiny", "default", "full")
SPLIT_SEED = 0  # the 70/10/20 split of a data set given as train alone
SPLIT = (0.7, 0.1)
THREADS = 2  # trainings side by side (seeds, grid points): the 2 cores of the machine tfdl is sized for


def grid(budget, model):
    """The grid points (dicts of settings) of ``model`` under ``budget``: the hidden size, optimizer
    and learning rate of each model, CD steps, epochs and batch size of the RBM, FVSBN's L2 penalty,
    MADE's activation and direct connections, and the masks of mask sampling (trained on
    ``num_masks``, validated on the mixture of the first ``valid_masks``, tested on all)."""
    if budget == "tiny":
        return [
            {"rbm": {"hidden": 4, "learning_rate": 0.05, "k": 1, "epochs": 2, "batch": 100},
             "fvsbn": {"optimizer": "adam", "learning_rate": 1e-2, "l2": 0.01},
             "nade": {"hidden": 8, "optimizer": "adam", "learning_rate": 1e-2},
             "made": {"hidden": 8, "activation": "sigmoid", "direct": True, "optimizer": "adagrad",
                      "learning_rate": 0.05},
             "made_mask_sampling": {"hidden": 8, "activation": "sigmoid", "direct": True, "optimizer": "adagrad",
                                    "learning_rate": 0.05, "num_masks": 2, "valid_masks": 1}}[model]
        ]
    base = {
        "rbm": [{"hidden": 23, "learning_rate": 0.01, "k": 10, "epochs": 200, "batch": 20}],
        "fvsbn": [{"optimizer": "adam", "learning_rate": 1e-2, "l2": l2} for l2 in (0.001, 0.01, 0.1)],
        "nade": [{"hidden": 500, "optimizer": "adam", "learning_rate": 1e-3}],
        "made": [{"hidden": 500, "activation": "sigmoid", "direct": True, "optimizer": "adagrad",
                  "learning_rate": 0.05}],
        "made_mask_sampling": [{"hidden": 500, "activation": "sigmoid", "direct": True, "optimizer": "adagrad",
                                "learning_rate": 0.05, "num_masks": 16, "valid_masks": 4}],
    }[model]
    if budget == "default":
        return base
    wider = {
        "rbm": [dict(base[0], learning_rate=lr, k=k) for lr in (0.05, 0.01) for k in (1, 10)],
        "fvsbn": [dict(base[0], learning_rate=lr, l2=l2)
                  for lr in (1e-2, 3e-3) for l2 in (3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1)],
        "nade": [dict(base[0], learning_rate=lr) for lr in (3e-3, 1e-3, 3e-4)],
        "made": [dict(base[0], activation=a, direct=d, optimizer=o, learning_rate=lr)
                 for a in ("sigmoid", "relu") for d in (True, False)
                 for o, lr in (("adagrad", 0.05), ("adam", 1e-3))],
        "made_mask_sampling": [dict(base[0], num_masks=k, learning_rate=lr, activation=a)
                               for k in (16, 32, 64) for lr in (0.05, 0.1) for a in ("sigmoid", "relu")],
    }
    return wider[model]


def schedule(budget):
    """Early stopping: ``(max_epochs, patience, batch_size)`` of the likelihood models."""
    return {"tiny": (2, 1, 100), "default": (500, 30, 100), "full": (2000, 30, 100)}[budget]


def check_binary(x, name):
    """``x`` as float32 ``[n, D]`` of 0/1 with ``n >= 1``; a ValueError naming ``name`` otherwise."""
    try:
        array = np.asarray(x, dtype=np.float32)
    except (ValueError, TypeError) as error:
        raise ValueError(f"Expected {name} to be a 2-D array of 0/1 with rows of one length. Received: "
                         f"{name} could not be read as an array ({error})") from None
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"Expected {name} to be a non-empty 2-D array [examples, dimensions] of 0/1. "
                         f"Received: {name}.shape={array.shape}")
    bad = ~np.isin(array, (0.0, 1.0))
    if bad.any():
        raise ValueError(f"Expected {name} to hold only 0 and 1. Received: {int(bad.sum())} other values "
                         f"in {name}, e.g. {float(array[bad][0])!r}")
    return array


def split(x, seed=SPLIT_SEED):
    """``(train, valid, test)``: a permutation of ``x`` (drawn with ``seed``) cut 70/10/20."""
    order = np.random.default_rng(seed).permutation(len(x))
    cut_train, cut_valid = round(SPLIT[0] * len(x)), round((SPLIT[0] + SPLIT[1]) * len(x))
    return x[order[:cut_train]], x[order[cut_train:cut_valid]], x[order[cut_valid:]]


def _optimizer(s):
    return {"adam": keras.optimizers.Adam, "adagrad": keras.optimizers.Adagrad}[s["optimizer"]](s["learning_rate"])


def _build(name, s, dim, seed):
    if name == "fvsbn":
        return FVSBN(dim, seed=seed, l2=s["l2"])
    if name == "nade":
        return NADE(dim, s["hidden"], seed=seed)
    masks = {"num_masks": s["num_masks"], "order": "random"} if name == "made_mask_sampling" else {}
    return MADE(dim, (s["hidden"],), direct_connections=s["direct"], activation=s["activation"], seed=seed, **masks)


class _EarlyStopping(keras.callbacks.Callback):
    """Early stopping on the validation NLL, computed by one compiled ``log_prob`` call per epoch
    (cheaper than Keras's per-epoch ``evaluate``); keeps the best epoch's weights."""

    def __init__(self, valid, patience, log_prob_kwargs):
        super().__init__()
        self.valid, self.patience, self.kwargs = tf.constant(valid), patience, log_prob_kwargs
        self.best, self.best_epoch, self.best_weights = math.inf, 0, None

    def on_train_begin(self, logs=None):
        self._valid_nll = tf.function(lambda: -tf.reduce_mean(self.model.log_prob(self.valid, **self.kwargs)))

    def on_epoch_end(self, epoch, logs=None):
        nll = float(self._valid_nll())
        if nll < self.best:
            self.best, self.best_epoch, self.best_weights = nll, epoch + 1, self.model.get_weights()
        elif epoch + 1 - self.best_epoch >= self.patience:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.model.set_weights(self.best_weights)


def batches(x, batch_size, seed):
    """``x`` as a ``tf.data`` pipeline of shuffled batches (reshuffled each epoch, drawn from ``seed``):
    Keras's array adapter re-slices the arrays every epoch, which costs more than the small models' steps."""
    return tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed).batch(batch_size)


def _steps(x, batch_size):
    """Steps per epoch: one call of the compiled training loop runs a whole epoch."""
    return math.ceil(len(x) / batch_size)


def _prepared(name, s, data, seed, budget):
    """One training's model, its weights drawn from ``seed``, compiled to run an epoch per call. Models are
    built one after another in the calling thread, so trainings run side by side start where a sequential
    run would."""
    keras.utils.set_random_seed(seed)
    if name == "rbm":
        model, optimizer, batch = RBM(s["hidden"], k=s["k"], seed=seed), keras.optimizers.SGD(s["learning_rate"]), \
            s["batch"]
    else:
        model, optimizer, batch = _build(name, s, data[0].shape[1], seed), _optimizer(s), schedule(budget)[2]
    model.build((None, data[0].shape[1]))
    model.compile(optimizer=optimizer, steps_per_execution=_steps(data[0], batch))
    return model, batch


def _train(name, s, prepared, data, seed, budget):
    """Trains a prepared model; ``(model, epochs, validation NLL)``. The likelihood models stop early on the
    validation NLL (mask sampling validates on the mixture of its first ``valid_masks`` masks); the RBM trains
    its fixed epochs by CD-k and its exact log Z (float32 terms, float64 sums) gives the validation NLL."""
    model, batch = prepared
    if name == "rbm":
        model.fit(batches(data[0], batch, seed), epochs=s["epochs"], verbose=0, shuffle=False)
        model.exact_log_z = float(
            partition.rbm_log_partition(model.kernel, model.visible_bias, model.hidden_bias, dtype="float32"))
        return model, s["epochs"], _rbm_nll(model, data[1])
    max_epochs, patience, _ = schedule(budget)
    stopping = _EarlyStopping(data[1], patience, {"num_masks": s["valid_masks"]} if "valid_masks" in s else {})
    model.fit(batches(data[0], batch, seed), epochs=max_epochs, verbose=0, callbacks=[stopping], shuffle=False)
    return model, stopping.best_epoch, float(evaluate.nll(model, data[1], batch_size=2000)["nats"])


def _rbm_nll(model, x):
    return float(-np.mean(model.log_prob(x, log_z=model.exact_log_z)))


def _fit_all(name, points, data, budget, threads):
    """Trains one model per ``(settings, seed)`` of ``points``, ``threads`` trainings at a time; returns
    ``(model, epochs, validation NLL)`` per point, in order. TensorFlow computes outside Python's lock, and
    these small models keep about one core busy each, so trainings side by side share the cores."""
    prepared = [_prepared(name, s, data, seed, budget) for s, seed in points]
    jobs = [(name, s, model, data, seed, budget) for (s, seed), model in zip(points, prepared)]
    if threads == 1 or len(jobs) == 1:
        return [_train(*job) for job in jobs]
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda job: _train(*job), jobs))


def _test_nll(name, model, x):
    return _rbm_nll(model, x) if name == "rbm" else float(evaluate.nll(model, x, batch_size=2000)["nats"])


def _ais_check(model, train, budget):
    """The RBM's log Z by AIS beside the exact one (``num_betas`` temperatures, 100 chains)."""
    num_betas = {"tiny": 20, "default": 1000, "full": 14501}[budget]
    estimate = model.log_partition("ais", num_betas=num_betas, num_runs=100, seed=0, data=train)
    return {"log_z_exact": model.exact_log_z, "log_z_ais": float(estimate.log_z),
            "log_z_ais_lower": float(estimate.lower), "log_z_ais_upper": float(estimate.upper)}


def table_row(name, data, seeds=3, budget="default", seed=0, threads=THREADS):
    """One model's row: grid search on the first seed, then the other seeds.

    Returns a dict: ``model``, ``test_nll`` and ``test_nll_se`` (nats; the
    standard error is 0 for one seed), ``seeds``, ``settings`` (the chosen grid
    point), ``epochs`` and ``test_nlls`` (per seed), ``valid_nll`` (the chosen
    point's, first seed), ``grid`` (every point with its validation NLL),
    ``seconds``; the RBM adds ``log_z`` (exact and AIS, per seed). ``threads``
    trainings run side by side (``density_table``).
    """
    validation.one_of(name, MODELS, "models")
    with Timer() as timer:
        points = grid(budget, name)
        at_once = range(1, seeds) if len(points) == 1 else ()  # one grid point: nothing to choose, all seeds at once
        searched = _fit_all(name, [(s, seed) for s in points] + [(points[0], seed + i) for i in at_once], data,
                            budget, threads)
        tried = [(valid_nll, s, model, epochs) for s, (model, epochs, valid_nll) in zip(points, searched)]
        best = min(range(len(points)), key=lambda i: tried[i][0])
        valid_nll, chosen = tried[best][:2]
        others = searched[len(points):] or _fit_all(name, [(chosen, seed + i) for i in range(1, seeds)], data,
                                                    budget, threads)
        fitted = [fit[:2] for fit in [searched[best]] + others]
        nlls = [_test_nll(name, m, data[2]) for m, _ in fitted]
        extra = {"log_z": [_ais_check(m, data[0], budget) for m, _ in fitted]} if name == "rbm" else {}
    return {
        "model": name, "test_nll": float(np.mean(nlls)),
        "test_nll_se": float(np.std(nlls, ddof=1) / math.sqrt(seeds)) if seeds > 1 else 0.0,
        "seeds": seeds, "settings": chosen, "epochs": [e for _, e in fitted], "test_nlls": nlls,
        "valid_nll": valid_nll, "grid": [{"settings": s, "valid_nll": v} for v, s, _, _ in tried],
        "seconds": timer.seconds, **extra,
    }


def density_table(train, valid, test, models=MODELS, seeds=3, budget="default", seed=0, progress=None,
                  threads=THREADS):
    """Test NLL (nats per example) of each model, chosen on ``valid``.

    Args:
        train, valid, test: binary arrays ``[n, D]`` (one ``D``).
        models: names among ``MODELS``.
        seeds: trainings per model (seeds ``seed, seed + 1, ...``); the grid is
            searched on the first.
        budget: ``"tiny"``, ``"default"`` or ``"full"`` (``BUDGETS``).
        seed: the first seed.
        progress: called with one line of text per model when it is done.
        threads: how many trainings (seeds, grid points) run side by side; the
            numbers do not depend on it.

    Returns:
        A list with one dict per model (``table_row``).
    """
    data = [check_binary(x, name) for x, name in ((train, "train"), (valid, "valid"), (test, "test"))]
    if len({x.shape[1] for x in data}) != 1:
        raise ValueError("Expected train, valid and test with one number of dimensions. Received: "
                         f"train.shape={data[0].shape}, valid.shape={data[1].shape}, test.shape={data[2].shape}")
    validation.one_of(budget, BUDGETS, "budget")
    seeds = validation.positive_int(seeds, "seeds")
    threads = validation.positive_int(threads, "threads")
    for name in models:
        validation.one_of(name, MODELS, "models")
    rows = []
    for name in models:
        rows.append(table_row(name, data, seeds, budget, seed, threads))
        if progress is not None:
            row = rows[-1]
            progress(f"{name}: test NLL {row['test_nll']:.2f} ± {row['test_nll_se']:.2f} nats "
                     f"({seeds} seeds, epochs {row['epochs']}, {row['seconds']:.0f} s)")
    return rows


def markdown(rows):
    """The table as Markdown: per model, test NLL (mean ± s.e.), the chosen settings and epochs."""
    seeds = {row["seeds"] for row in rows}
    header = tables.se_header("test NLL (nats)", seeds.pop()) if len(seeds) == 1 else "test NLL (nats), mean ± s.e."
    body = [
        [row["model"], tables.mean_se(row["test_nlls"], digits=5), f"{row['valid_nll']:.2f}",
         ", ".join(f"{k}={v}" for k, v in row["settings"].items()), " ".join(map(str, row["epochs"])),
         f"{row['seconds']:.0f}"]
        for row in rows
    ]
    return tables.markdown_table(["model", header, "valid NLL (chosen, first seed)", "settings", "epochs per seed",
                                  "seconds"], body)
