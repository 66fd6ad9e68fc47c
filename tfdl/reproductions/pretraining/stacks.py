"""Section 2: greedy layer-wise pre-training of a DBN and of stacked denoising autoencoders (steps 1-3)."""

import keras
import numpy as np
from matplotlib.ticker import MaxNLocator

from tfdl import plotting, pretraining
from tfdl.models import DBN
from tfdl.report import Section
from tfdl.reproductions.pretraining.common import (AUTOENCODER_LEARNING_RATE, CORRUPTION, RBM_OPTIMIZER,
                                                   comparison_settings, images, units_text)
from tfdl.timing import Timer

STACKS = ("DBN", "SAE", "SAE (ReLU)")
PANELS = {  # stack: (title, history key, y label, layer name)
    "DBN": ("DBN: each RBM trained on the layer below", "reconstruction", "reconstruction cross-entropy (nats)",
            "RBM"),
    "SAE": ("SAE: each denoising autoencoder on the layer below", "loss", "denoising cross-entropy (nats)",
            "autoencoder"),
    "SAE (ReLU)": ("SAE (ReLU): the same with ReLU units", "loss", "cross-entropy (layer 1), sq. error",
                   "autoencoder"),
}


def _stacks(units, seed):
    return {"DBN": DBN(units, seed=seed),
            "SAE": pretraining.StackedAutoencoder(units, corruption=CORRUPTION, seed=seed),
            "SAE (ReLU)": pretraining.StackedAutoencoder(units, corruption=CORRUPTION, seed=seed, activation="relu")}


def _optimizer(stack):
    if stack == "DBN":
        return lambda: keras.optimizers.SGD(**RBM_OPTIMIZER)
    return lambda: keras.optimizers.Adam(AUTOENCODER_LEARNING_RATE)


def _pretrain_seed(run, s, x, seed):
    keras.utils.set_random_seed(seed)
    with run.strategy.scope():
        stacks = _stacks(s["units"], seed)
    histories, seconds = {}, {}
    for name, stack in stacks.items():
        run.progress(f"seed {seed}: greedy pre-training of the {name} {units_text(s)}, "
                     f"{s['pre_epochs']} epochs per layer")
        with Timer() as timer:
            histories[name] = stack.pretrain(x, epochs=s["pre_epochs"], batch_size=s["pre_batch"], seed=seed,
                                             optimizer=_optimizer(name), verbose=run.verbose)
        seconds[name] = timer.seconds
    return stacks, histories, seconds


def pretrained(run, s):
    """Per seed, the three stacks pre-trained greedily (once per run): ``{"stacks": {seed: {name: stack}},
    "seconds": {name: [per seed]}, "histories": {name: [per layer]}}`` (histories of the first seed)."""
    def compute():
        x = images(run, s)["train"][0]
        result = {"stacks": {}, "seconds": {name: [] for name in STACKS}, "histories": None}
        for seed in s["seeds"]:
            stacks, histories, seconds = _pretrain_seed(run, s, x, seed)
            result["stacks"][seed] = stacks
            result["histories"] = result["histories"] or histories
            for name in STACKS:
                result["seconds"][name].append(seconds[name])
        return result

    return run.cached(("pretrained", repr(s)), compute)


class Pretraining(Section):
    """A DBN and sigmoid and ReLU stacked denoising autoencoders, trained layer by layer without labels."""

    name = "pretraining"
    title = "Greedy layer-wise pre-training (steps 1-3)"

    def settings(self, run):
        return comparison_settings(run)

    def measure(self, run, s):
        result = pretrained(run, s)
        return {"pretraining_seconds": result["seconds"], "_histories": result["histories"]}

    def draw(self, run, s, m):
        figure, axes = plotting.figure(6.2 * len(PANELS), 3.6, columns=len(PANELS))
        epochs = np.arange(1, s["pre_epochs"] + 1)
        for axis, (stack, (title, key, ylabel, layer)) in zip(axes, PANELS.items()):
            for i, history in enumerate(m["_histories"][stack]):
                axis.plot(epochs, history[key], marker="o", label=f"{layer} {i + 1} ({s['units'][i]} units)")
            axis.set(title=title, ylabel=ylabel, xlabel="pre-training epoch of that layer")
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.legend(fontsize=8)
        return {"pretraining_curves": (figure, "greedy layer-wise pre-training, layer by layer")}

    def write(self, run, s, m, figures):
        n = len(images(run, s)["train"][0])
        seconds = ", ".join(f"{name} {np.mean(t):.1f} s" for name, t in m["pretraining_seconds"].items())
        return "\n\n".join([
            f"A {units_text(s)} stack pre-trained bottom-up on all {n} training images without labels, "
            f"{s['pre_epochs']} epochs per layer, batch {s['pre_batch']}: as a deep belief net "
            "(`tfdl.models.DBN.pretrain`: CD-1 RBMs, each next RBM on a Bernoulli sample of the layer below's "
            f"hidden probabilities, SGD({RBM_OPTIMIZER['learning_rate']}, momentum {RBM_OPTIMIZER['momentum']})) "
            "and as a stacked denoising autoencoder (`tfdl.pretraining.StackedAutoencoder`: "
            f"{100 * CORRUPTION:g}% masking noise, Adam({AUTOENCODER_LEARNING_RATE:g})), once with sigmoid units "
            "(SAE) and once with ReLU units and He-uniform initial weights (SAE (ReLU), `activation=\"relu\"`). "
            "Each autoencoder reconstructs its input through a linear decoder: by cross-entropy for inputs in "
            "[0, 1] (the images; sigmoid features), by squared error for the unbounded ReLU features of the "
            f"layer below. Wall time per stack, mean over seeds: {seconds}.",
            figures["pretraining_curves"],
            f"Each line is one layer's own training objective while it is trained (seed {s['seeds'][0]}); a layer "
            "starts only when the one below has finished, and its input is that layer's output: this is step 2 "
            "of the article, repeated to the top (step 3). The objectives of different layers are not "
            "comparable with each other (each reconstructs a different input); within a layer, a falling line "
            "is that layer learning.",
        ])
