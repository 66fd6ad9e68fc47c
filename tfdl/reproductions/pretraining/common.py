"""What the pre-training article's sections share: the images, the sizes of the
comparison, the variants' names and the criteria fixed before the run."""

import numpy as np

# Criteria, fixed before the run.
# Errors are in percentage points; half a point is the smallest difference the
# report calls real: more than one test image on digits (1 of 270 = 0.37
# points), 50 of Fashion-MNIST's 10,000 test images.
ERROR_MARGIN = 0.5
# Gradient norms compare in log10 units: 0.1 is a 26% change of the bottom
# layer's ||dL/dW|| (the ratio to the top hidden layer's is printed beside it),
# well above rounding.
GRADIENT_MARGIN = 0.1
# An RBM has learned the images' distribution when its test log-likelihood,
# taken at the pessimistic end of its AIS interval for log Z, beats independent
# pixels (the factorised Bernoulli fit to the same training images) by more
# than this many nats: several times the AIS intervals' width (about 1-2 nats)
# and the standard error of a 10,000-image test mean (about 1 nat).
LEARNED_MARGIN = 10.0
# "Pre-training is expensive": its wall time is at least that of the
# fine-tuning it precedes (ratio >= 1); within 0.1 of 1 is the noise of a
# shared CPU's clock.
COST_RATIO, COST_TOLERANCE = 1.0, 0.1

# Fine-tuning, the same for every variant and not tuned on these results: SGD
# at the Theano DBN/SdA tutorials' rate 0.1, with momentum 0.9 (this report's
# setting since its first version), gradients clipped to norm 1: without the
# clip the ReLU-pre-trained network (its features 2-4x larger than a random
# ReLU network's) diverged in 3 of its 6 default runs on Fashion-MNIST (test
# error 80-90%, chance 90%; NaN losses at this rate in a check on 3,000 images).
FINE_TUNING = dict(learning_rate=0.1, momentum=0.9, clipnorm=1.0)
# Greedy pre-training: each stack's optimizer (a fresh one per layer).
RBM_OPTIMIZER = dict(learning_rate=0.05, momentum=0.5)
AUTOENCODER_LEARNING_RATE = 1e-3
CORRUPTION = 0.2

# Every network fine-tunes for at least `fine_epochs` (the pre-trained networks'
# budget: the "after F epochs" reading), then on until its validation loss has
# not improved for PATIENCE epochs, at most `budget(s)` epochs (the same total
# budget as pre-training plus fine-tuning), with the best weights kept (the
# "early-stopped" reading). It converged when early stopping ended it or its
# validation error levelled off: the last LEVEL_TAIL of its epochs improved the
# best by at most LEVEL_TOLERANCE points.
PATIENCE = 3
LEVEL_TAIL, LEVEL_TOLERANCE = 0.2, ERROR_MARGIN / 2

RANDOM, RELU = "random init (sigmoid)", "random init (ReLU)"
DBN_FT, SAE_FT, DBN_FROZEN = "DBN + fine-tune", "SAE + fine-tune", "DBN frozen"
SAE_RELU = "SAE (ReLU) + fine-tune"
NETWORKS = (RANDOM, RELU, DBN_FT, SAE_FT, SAE_RELU, DBN_FROZEN)
STOPPED = {network: f"{network}, early-stopped" for network in NETWORKS}
VARIANTS = NETWORKS + tuple(STOPPED.values())
# The stack each pre-trained variant starts from, and the random-init variant with its units.
PRETRAINED = {DBN_FT: "DBN", SAE_FT: "SAE", SAE_RELU: "SAE (ReLU)", DBN_FROZEN: "DBN"}
BASELINE = {DBN_FT: RANDOM, SAE_FT: RANDOM, SAE_RELU: RELU}
# The variants whose gradient norms are measured before fine-tuning.
NORMED = (RANDOM, RELU, DBN_FT, SAE_FT, SAE_RELU)


def data_settings(run):
    """How many training and validation images (None: all of the split)."""
    return {"train_size": run.by_size(300, None, 10_000, None),
            "valid_size": run.by_size(None, None, 2_000, None),
            "pre_batch": run.by_size(20, 20, 100, 20)}


def comparison_settings(run):
    """The stacks, their pre-training and fine-tuning: shared by sections 2-6."""
    return {
        **data_settings(run),
        "units": run.by_size((16, 16), (64, 64, 64), (256, 256, 256), (500, 500, 2000)),
        "seeds": run.seeds(run.by_size(1, 3, 3, 5)),
        "fractions": run.by_size((1.0,), (1.0, 0.1), (1.0, 0.1), (1.0, 0.1, 0.01)),
        "pre_epochs": run.epochs_by_size(1, 10, 3, 50),
        "fine_epochs": run.epochs_by_size(2, 30, 10, 100),
        "fine_batch": run.by_size(32, 32, 64, 32),
    }


def budget(s):
    """The most fine-tuning epochs of an early-stopped run: fine-tuning plus every layer's pre-training."""
    return s["fine_epochs"] + len(s["units"]) * s["pre_epochs"]


def _split(run, split, size):
    x, y = run.load(split, binarize="threshold", flatten=True, with_labels=True)
    return x[:size], y[:size]


def images(run, s):
    """``{"train": (x, y), "valid": ..., "test": ...}``, binarised at 0.5 and flattened (loaded once per run)."""
    return run.cached(("images", s["train_size"], s["valid_size"]), lambda: {
        "train": _split(run, "train", s["train_size"]),
        "valid": _split(run, "valid", s["valid_size"]),
        "test": _split(run, "test", None),
    })


def side(x):
    """The side of the square images whose flattened pixels are ``x``'s columns."""
    return int(np.sqrt(x.shape[1]))


def units_text(s):
    return "-".join(map(str, s["units"]))
