"""Deep belief network: a stack of RBMs pre-trained greedily (Hinton et al. 2006).

Layer i is an RBM whose visible units are layer i-1's hidden units. ``fit``
trains them greedily, bottom first, each on a Bernoulli sample of the
features of the layer below (``pretrain`` does the same with its own
defaults: 10 epochs, batch 100). After training the top two layers form an
undirected RBM and the lower layers directed sigmoid belief nets: ``sample``
runs Gibbs sampling in the top RBM, then one down-pass through the lower
layers' ``p(v | h)``. ``to_classifier`` turns the stack into a sigmoid MLP
for discriminative fine-tuning.

The DBN's log-likelihood is not computed here (only a variational bound is
tractable with AIS); each RBM layer has its own ``log_prob``.

Example:

>>> dbn = DBN(hidden_units=(500, 500, 2000), seed=0)
>>> dbn.compile(optimizer=keras.optimizers.SGD(0.1))
>>> history = dbn.fit(x_binary, epochs=10, batch_size=100)  # doctest: +SKIP
>>> images = dbn.sample(16, steps=1000, seed=0)  # doctest: +SKIP
>>> mlp = dbn.to_classifier(num_classes=10)  # doctest: +SKIP

Reference: Hinton, Osindero & Teh (2006), A fast learning algorithm for deep
belief nets.
"""

import keras
import numpy as np
import tensorflow as tf

from tfdl import distribute, validation
from tfdl.models.base import OwnLossModel
from tfdl.models.rbm import RBM
from tfdl.models.layerwise import LayerwiseStack, greedy_layerwise


@keras.saving.register_keras_serializable(package="tfdl")
class DBN(OwnLossModel, LayerwiseStack):
    """Deep belief network of stacked RBMs.

    ``compile(optimizer)`` is optional: each RBM gets a fresh copy of the
    optimizer (default ``SGD(0.1)``); ``loss`` or ``metrics`` raise ValueError.

    Args:
        hidden_units: hidden units per RBM, bottom first.
        visible: visible-unit type of the bottom RBM (``"bernoulli"`` or
            ``"gaussian"``); higher RBMs are Bernoulli.
        k: Gibbs steps per CD update of every RBM.
        persistent: train every RBM with PCD.
        seed: seed; RBM i uses ``seed + i``.

    Call arguments:
        x: ``[batch, n_visible]``; returns the top layer's hidden probabilities.
    """

    own_loss = "each RBM's contrastive divergence, layer by layer"

    @property
    def input_values(self):
        """What ``predict`` takes: the bottom RBM's ``transform`` inputs."""
        return "unit_interval" if self.visible == "bernoulli" else "finite"

    def __init__(self, hidden_units=(500, 500, 2000), visible="bernoulli", k=1, persistent=False, seed=None, **kwargs):
        super().__init__(metric_names=(), **kwargs)  # fit reports each RBM's metrics
        self.hidden_units = validation.positive_ints(hidden_units, "hidden_units")
        self.visible = validation.one_of(visible, ("bernoulli", "gaussian"), "visible")
        self.k = validation.positive_int(k, "k")
        self.persistent = validation.boolean(persistent, "persistent")
        self.seed = validation.seed(seed, allow_none=True)
        self.stack = [
            RBM(
                units,
                visible=visible if i == 0 else "bernoulli",
                k=k,
                persistent=persistent,
                seed=None if seed is None else seed + i,
                dtype=self.dtype_policy,
                name=f"rbm_{i}",
            )
            for i, units in enumerate(self.hidden_units)
        ]

    def compile_from_config(self, config):
        """Recompiles a loaded DBN. Its optimizer is only the template of the
        RBMs' and is never built, so it has no slots to restore."""
        self.compile(**keras.saving.deserialize_keras_object(config))

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, shuffle=True):
        """Greedy layer-wise training (``tfdl.models.layerwise.greedy_layerwise``).

        Args:
            x: binary (or real, for Gaussian units) array ``[n, n_visible]``.
            y: must be None (unsupervised).
            batch_size: examples per update (default 32, as Keras).
            epochs: epochs per RBM: an int, or one per RBM.
            verbose: Keras verbosity of every RBM's ``fit``.
            callbacks: passed to every RBM's ``fit``, so they act layer by
                layer with that RBM as their model (an ``EarlyStopping``
                stops each RBM; a ``ModelCheckpoint`` saves RBMs).
            shuffle: reshuffle the examples every epoch.

        Returns:
            A ``keras.callbacks.History`` whose ``history`` holds each RBM's
            metrics under its name (``"rbm_0_loss"``, ``"rbm_1_loss"``, ...).
        """
        if y is not None:
            raise ValueError(f"DBN.fit is unsupervised: expected y=None. Received: y of type {type(y).__name__}")
        if not isinstance(x, (np.ndarray, tf.Tensor)):
            raise ValueError(f"Expected x as an array [n, n_visible]. Received: x of type {type(x).__name__}")
        x = validation.array(x)
        if not self.built:
            distribute.build_in_scope(self, x.shape)
        if getattr(self, "optimizer", None) is not None:  # compiled
            for rbm in self.stack:
                if getattr(rbm, "optimizer", None) is None:
                    fresh = keras.optimizers.deserialize(keras.optimizers.serialize(self.optimizer))
                    rbm.compile(optimizer=fresh, steps_per_execution=self.steps_per_execution)
        histories = greedy_layerwise(
            self.stack, x, epochs, batch_size, verbose=verbose, seed=self.seed, callbacks=callbacks, shuffle=shuffle
        )[1]
        history = keras.callbacks.History()
        history.set_model(self)
        history.history = {
            f"{rbm.name}_{key}": values for rbm, logs in zip(self.stack, histories) for key, values in logs.items()
        }
        history.epoch = list(range(max(len(values) for values in history.history.values())))
        return history

    def sample(self, num, steps=1000, seed=None):
        """``num`` samples: Gibbs in the top RBM, then a down-pass of means.

        The top RBM's chain starts from random states; each lower layer maps
        a binary sample of the layer above to its visible means.

        Returns:
            ``[num, n_visible]`` visible means.
        """
        *lower, top = self.stack
        validation.built(self, "sample")
        seed = int(np.random.default_rng().integers(2**31)) if seed is None else validation.seed(seed)
        x = top.sample(num, steps=steps, seed=seed)
        for i, rbm in enumerate(reversed(lower)):
            h = tf.cast(tf.random.stateless_uniform(tf.shape(x), seed=[seed, i + 1], dtype=x.dtype) < x, x.dtype)
            x = rbm.visible_probs(h)[0]
        return x

    def get_config(self):
        config = super().get_config()
        config.update(
            hidden_units=self.hidden_units, visible=self.visible, k=self.k, persistent=self.persistent, seed=self.seed
        )
        return config
