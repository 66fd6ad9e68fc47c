"""RBM 784-256 on binarized Fashion-MNIST: tfdl's RBM vs scikit-learn's BernoulliRBM.

Times one ``fit`` call of 3 epochs over the 60,000 training images (batch
100, learning rate 0.1, after an untimed 1-epoch call on 2,000 images) for
scikit-learn's BernoulliRBM (PCD-1 with mean-field positive statistics) and
for ours with CD-1 and PCD-1 (``steps_per_execution=50``); ours with PCD-1 also
without the reconstruction metric, which costs one matmul per step. Both
PCD-1 models have then trained the same 3 epochs; two more seeds of each are
trained the same way, and all weight sets are scored
with tfdl's AIS (base-rate RBM from the training data) on the test set (scikit-learn's
``components_``, ``intercept_visible_`` and ``intercept_hidden_`` are loaded
into a tfdl RBM).
"""

import time

import keras
import numpy as np
from sklearn.neural_network import BernoulliRBM

import tfdl.bench
from tfdl.models import RBM

HIDDEN, BATCH, EPOCHS, STEPS_PER_EXECUTION = 256, 100, 3, 50
SEEDS = (0, 1, 2)
FLOPS_PER_EXAMPLE = 5 * 2 * 784 * HIDDEN  # three Gibbs matmuls + two outer products


def _ours(seed=0, **kwargs):
    rbm = RBM(HIDDEN, seed=seed, **kwargs)
    rbm.compile(optimizer=keras.optimizers.SGD(0.1), steps_per_execution=STEPS_PER_EXECUTION)
    return rbm


def _test_nll(rbm, x_test, x_train):
    log_z = rbm.log_partition("ais", num_betas=2000, num_runs=100, seed=0, data=x_train)
    return tfdl.evaluate.nll(rbm, x_test, batch_size=1000, log_z=log_z.log_z)["nats"]


def _load_sklearn(peer):
    rbm = RBM(HIDDEN, seed=0)
    rbm.build((None, peer.components_.shape[1]))
    rbm.kernel.assign(peer.components_.T)
    rbm.visible_bias.assign(peer.intercept_visible_)
    rbm.hidden_bias.assign(peer.intercept_hidden_)
    return rbm


def _timed_fit(fit, x, weights=()):
    """Examples/s of one ``fit(x)`` call of ``EPOCHS`` epochs, after a short untimed
    one (tracing); ``weights`` are restored after it, so the timed call trains
    from the initial weights (scikit-learn's ``fit`` reinitialises by itself)."""
    initial = [w.numpy() for w in weights]
    fit(x[:2000], 1)
    for w, value in zip(weights, initial):
        w.assign(value)
    start = time.perf_counter()
    fit(x, EPOCHS)
    return EPOCHS * len(x) / (time.perf_counter() - start)


def run():
    keras.utils.set_random_seed(0)  # the same noise streams whatever ran before in this process
    x = tfdl.bench.fashion_mnist("train", binarize="threshold", flatten=True)
    x_test = tfdl.bench.fashion_mnist("test", binarize="threshold", flatten=True)

    def peer_fit(data, epochs):
        peer.set_params(n_iter=epochs)
        return peer.fit(data)

    peer = BernoulliRBM(n_components=HIDDEN, batch_size=BATCH, learning_rate=0.1, random_state=0)
    peer_speed = _timed_fit(peer_fit, x)
    results, trained = [], {}
    variants = (
        ("CD-1", {}),
        ("PCD-1", {"persistent": True, "num_chains": BATCH}),
        ("PCD-1, no reconstruction metric", {"persistent": True, "num_chains": BATCH, "monitor": ("free_energy", "pseudo_ll")}),
    )
    for name, kwargs in variants:
        ours = trained[name] = _ours(**kwargs)
        ours.build((None, x.shape[1]))
        speed = _timed_fit(
            lambda data, epochs: ours.fit(data, epochs=epochs, batch_size=BATCH, verbose=0), x, ours.weights
        )
        results.append(
            tfdl.bench.Result(
                article="pretraining",
                task=f"RBM 784-{HIDDEN} {name}, {EPOCHS} epochs in one fit, batch {BATCH}",
                ours=f"tfdl RBM {name}",
                peer="sklearn BernoulliRBM (PCD-1)",
                ours_value=speed,
                peer_value=peer_speed,
                unit="examples/s",
                flops_per_example=FLOPS_PER_EXAMPLE,
            )
        )
    # Training noise makes single runs differ by tens of nats: compare several seeds.
    ours_nll = [trained["PCD-1"]] + [_ours(seed, persistent=True, num_chains=BATCH) for seed in SEEDS[1:]]
    for rbm in ours_nll[1:]:
        rbm.fit(x, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    ours_nll = [_test_nll(rbm, x_test, x) for rbm in ours_nll]
    peer_nll = [peer] + [
        BernoulliRBM(n_components=HIDDEN, batch_size=BATCH, n_iter=EPOCHS, learning_rate=0.1, random_state=seed).fit(x)
        for seed in SEEDS[1:]
    ]
    peer_nll = [_test_nll(_load_sklearn(p), x_test, x) for p in peer_nll]
    results.append(
        tfdl.bench.Result(
            article="pretraining",
            task=(
                f"RBM 784-{HIDDEN} test NLL after {EPOCHS} epochs, lr 0.1 (AIS, 2000 betas), mean of seeds "
                f"{SEEDS}: ours {np.round(ours_nll, 1).tolist()}, sklearn {np.round(peer_nll, 1).tolist()}"
            ),
            ours="tfdl RBM PCD-1",
            peer="sklearn BernoulliRBM",
            ours_value=float(np.mean(ours_nll)),
            peer_value=float(np.mean(peer_nll)),
            unit="nats",
            higher_is_better=False,
        )
    )
    return results
