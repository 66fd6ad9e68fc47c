"""RBM 784-256 training speed: tfdl's RBM (CD-1 and PCD-1) vs scikit-learn's BernoulliRBM.

The configuration of issue 22: 784 visible x 256 hidden units, batch 100,
SGD with learning rate 0.05, one epoch over 20,000 binary vectors (the
first 20,000 thresholded Fashion-MNIST training images; random binary
vectors with the same number of ones per pixel column when Fashion-MNIST is
missing), the same data for both. scikit-learn's ``BernoulliRBM`` trains
with PCD-1 (``fit`` with ``n_iter=1``) and computes nothing else. Ours is
``RBM(256)`` (CD-1) and ``RBM(256, persistent=True, num_chains=100)``
(PCD-1), compiled with ``SGD(0.05)``, ``STEPS_PER_EXECUTION`` and
``jit_compile=True`` (the step as one XLA computation), trained by
``fit(x, epochs=1, batch_size=100)``: the same update, plus the ``loss``
reported to callbacks and the dtype policy (the array's values are checked
before training; XLA drops the per-batch check). Those two rows use
``monitor=()`` (only ``loss``); a third row runs CD-1 with every metric (the
default ``monitor``), whose reconstruction costs one more matmul per step,
and a fourth CD-1 with ``compile``'s default (TensorFlow ops, the per-batch
check in the step).

scikit-learn runs its matrix products in OpenBLAS, whose threads wait by
spinning: on a CPU shared with other jobs two threads can run many times
slower than one. The peer is therefore timed both ways, with one BLAS thread
and with OpenBLAS's default, and the faster of the two medians is the peer.
The six fits take turns (``tfdl.timing.interleaved_medians``), each
reported as the median of ``ROUNDS`` epochs; a fit is one call of ``fit``
(scikit-learn's on a fresh model, ours on one model trained on), so each
side's per-call work (input checks, building the pipeline) is timed.
"""

import keras
import numpy as np
from sklearn.neural_network import BernoulliRBM
from threadpoolctl import threadpool_limits

from tfdl import bench, data
from tfdl.models import RBM
from tfdl.timing import interleaved_medians

NEEDS_FASHION_MNIST = False  # random binary vectors stand in
HIDDEN, BATCH, LEARNING_RATE = 256, 100, 0.05
STEPS_PER_EXECUTION = 50
FLOPS_PER_EXAMPLE = 5 * 2 * 784 * HIDDEN  # three Gibbs matmuls + the two sides of the kernel gradient
SIZES = {False: dict(examples=20_000, rounds=7), True: dict(examples=6_000, rounds=3)}


def binary_data(examples):
    """``(x, description)``: thresholded Fashion-MNIST, or seeded random binary vectors."""
    if data.available("fashion_mnist"):
        return bench.fashion_mnist("train")[:examples], "fashion_mnist (thresholded)"
    means = np.random.default_rng(0).uniform(0.0, 0.6, size=784)
    x = (np.random.default_rng(1).random((examples, 784)) < means).astype("float32")
    return x, "random binary (Fashion-MNIST missing)"


def peer_fit(threads):
    """``fit(x)``: one epoch of scikit-learn's BernoulliRBM (a fresh model each call)."""

    def fit(x):
        with threadpool_limits(threads):
            BernoulliRBM(n_components=HIDDEN, batch_size=BATCH, learning_rate=LEARNING_RATE,
                         n_iter=1, random_state=0).fit(x)

    return fit


def ours_fit(persistent, monitor=(), jit_compile=True):
    """``fit(x)``: one epoch of tfdl's RBM (one model, trained on across calls)."""
    rbm = RBM(HIDDEN, seed=0, persistent=persistent, num_chains=BATCH if persistent else None, monitor=monitor)
    rbm.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE), steps_per_execution=STEPS_PER_EXECUTION,
                jit_compile=jit_compile)
    return lambda x: rbm.fit(x, epochs=1, batch_size=BATCH, verbose=0)


def run(quick=False):
    sizes = SIZES[quick]
    x, described = binary_data(sizes["examples"])
    keras.utils.set_random_seed(0)
    fits = [peer_fit(1), peer_fit(None), ours_fit(False), ours_fit(True), ours_fit(False, monitor=None),
            ours_fit(False, jit_compile="auto")]
    wall, _ = interleaved_medians([lambda fit=fit: fit(x) for fit in fits], sizes["rounds"], warmup=1)
    speed = [len(x) / s for s in wall]
    one_thread = speed[0] > speed[1]
    speed = [max(speed[:2])] + speed[2:]
    peer_name = f"sklearn BernoulliRBM (PCD-1, {'1 BLAS thread' if one_thread else 'default BLAS threads'}; the faster)"
    task = (f"RBM 784-{HIDDEN} {{}} train, batch {BATCH}, SGD {LEARNING_RATE}, one epoch of {len(x):,}, "
            f"steps_per_execution {STEPS_PER_EXECUTION}, median of {sizes['rounds']} interleaved")
    common = dict(article="pretraining", peer=peer_name, peer_value=speed[0], unit="examples/s",
                  flops_per_example=FLOPS_PER_EXAMPLE, data=described)
    return [
        bench.Result(key="pretraining/rbm_cd1_vs_sklearn", task=task.format("CD-1"),
                     ours="tfdl RBM CD-1 (loss only, jit_compile=True)", ours_value=speed[1], **common),
        bench.Result(key="pretraining/rbm_pcd1_vs_sklearn", task=task.format("PCD-1"),
                     ours="tfdl RBM PCD-1 (loss only, jit_compile=True)", ours_value=speed[2], **common),
        bench.Result(key="pretraining/rbm_cd1_every_metric_vs_sklearn", task=task.format("CD-1 (every metric)"),
                     ours="tfdl RBM CD-1, default monitor, jit_compile=True", ours_value=speed[3], **common),
        bench.Result(key="pretraining/rbm_cd1_tf_ops_vs_sklearn", task=task.format("CD-1"),
                     ours="tfdl RBM CD-1 (loss only, compile's default: TensorFlow ops)", ours_value=speed[4], **common),
    ]
