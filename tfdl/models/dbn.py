"""Deep belief network: a stack of RBMs pre-trained greedily (Hinton et al. 2006).

Layer i is an RBM whose visible units are layer i-1's hidden units. After
``pretrain`` the top two layers form an undirected RBM and the lower layers
directed sigmoid belief nets: ``sample`` runs Gibbs sampling in the top RBM,
then one down-pass through the lower layers' ``p(v | h)``. ``to_classifier``
turns the stack into a sigmoid MLP for discriminative fine-tuning.

The DBN's log-likelihood is not computed here (only a variational bound is
tractable with AIS); each RBM layer has its own ``log_prob``.

Example:

>>> dbn = DBN(hidden_units=(500, 500, 2000), seed=0)
>>> dbn.pretrain(x_binary, epochs=10)  # doctest: +SKIP
>>> images = dbn.sample(16, steps=1000, seed=0)  # doctest: +SKIP
>>> mlp = dbn.to_classifier(num_classes=10)  # doctest: +SKIP

Reference: Hinton, Osindero & Teh (2006), A fast learning algorithm for deep
belief nets.
"""

import keras
import numpy as np
import tensorflow as tf

from tfdl import validation
from tfdl.models.rbm import RBM
from tfdl.pretraining import LayerwiseStack


@keras.saving.register_keras_serializable(package="tfdl")
class DBN(LayerwiseStack):
    """Deep belief network of stacked RBMs.

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

    def __init__(self, hidden_units=(500, 500, 2000), visible="bernoulli", k=1, persistent=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = validation.positive_ints(hidden_units, "hidden_units")
        self.visible = visible
        self.k = k
        self.persistent = persistent
        self.seed = seed
        self.stack = [
            RBM(
                units,
                visible=visible if i == 0 else "bernoulli",
                k=k,
                persistent=persistent,
                seed=None if seed is None else seed + i,
                name=f"rbm_{i}",
            )
            for i, units in enumerate(self.hidden_units)
        ]

    def sample(self, num, steps=1000, seed=None):
        """``num`` samples: Gibbs in the top RBM, then a down-pass of means.

        The top RBM's chain starts from random states; each lower layer maps
        a binary sample of the layer above to its visible means.

        Returns:
            ``[num, n_visible]`` visible means.
        """
        *lower, top = self.stack
        seed = int(np.random.default_rng().integers(2**31)) if seed is None else int(seed)
        x = top.sample(num, steps=steps, seed=seed)
        for i, rbm in enumerate(reversed(lower)):
            h = tf.cast(tf.random.stateless_uniform(tf.shape(x), seed=[seed, i + 1]) < x, x.dtype)
            x = rbm.visible_probs(h)[0]
        return x

    def get_config(self):
        config = super().get_config()
        config.update(
            hidden_units=self.hidden_units, visible=self.visible, k=self.k, persistent=self.persistent, seed=self.seed
        )
        return config
