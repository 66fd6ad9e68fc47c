"""RBM 784-256 on binarized Fashion-MNIST: tfdl's RBM vs scikit-learn's BernoulliRBM.

Times one training epoch (``fit``, batch 100) of each on the same examples,
for CD-1 and PCD-1 (scikit-learn's BernoulliRBM is PCD-1 with mean-field
positive statistics); then trains both for the same epochs at learning rate
0.1 (ours with PCD-1, the same algorithm) and scores both weight sets with
tfdl's AIS (base-rate RBM from the training data) on the test set (scikit-learn's
``components_``, ``intercept_visible_`` and ``intercept_hidden_`` are loaded
into a tfdl RBM).
"""

import keras
import numpy as np
from sklearn.neural_network import BernoulliRBM

import tfdl.bench
from tfdl.models import RBM

HIDDEN, BATCH, TIMED_EXAMPLES, EPOCHS = 256, 100, 20_000, 3
FLOPS_PER_EXAMPLE = 5 * 2 * 784 * HIDDEN  # three Gibbs matmuls + two outer products


def _ours(x, **kwargs):
    rbm = RBM(HIDDEN, seed=0, **kwargs)
    rbm.compile(optimizer=keras.optimizers.SGD(0.1))
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


def run():
    x = tfdl.bench.fashion_mnist("train", binarize="threshold", flatten=True)
    x_test = tfdl.bench.fashion_mnist("test", binarize="threshold", flatten=True)
    timed = x[:TIMED_EXAMPLES]
    results = []
    peer = BernoulliRBM(n_components=HIDDEN, batch_size=BATCH, n_iter=1, learning_rate=0.1, random_state=0)
    peer_speed = tfdl.bench.throughput(lambda: peer.fit(timed), len(timed), min_seconds=5.0, warmup=1)
    for name, kwargs in (("CD-1", {}), ("PCD-1", {"persistent": True, "num_chains": BATCH})):
        ours = _ours(x, **kwargs)
        speed = tfdl.bench.throughput(
            lambda: ours.fit(timed, epochs=1, batch_size=BATCH, shuffle=False, verbose=0), len(timed), 5.0, 1
        )
        results.append(
            tfdl.bench.Result(
                article="pretraining",
                task=f"RBM 784-{HIDDEN} {name} train (fit), batch {BATCH}",
                ours=f"tfdl RBM {name}",
                peer="sklearn BernoulliRBM (PCD-1)",
                ours_value=speed,
                peer_value=peer_speed,
                unit="examples/s",
                flops_per_example=FLOPS_PER_EXAMPLE,
            )
        )
    ours = _ours(x, persistent=True, num_chains=BATCH)
    ours.fit(x, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    peer = BernoulliRBM(n_components=HIDDEN, batch_size=BATCH, n_iter=EPOCHS, learning_rate=0.1, random_state=0)
    peer.fit(x)
    results.append(
        tfdl.bench.Result(
            article="pretraining",
            task=f"RBM 784-{HIDDEN} test NLL after {EPOCHS} epochs, lr 0.1 (AIS, 2000 betas)",
            ours="tfdl RBM PCD-1",
            peer="sklearn BernoulliRBM",
            ours_value=_test_nll(ours, x_test, x),
            peer_value=_test_nll(_load_sklearn(peer), x_test, x),
            unit="nats",
            higher_is_better=False,
        )
    )
    return results
