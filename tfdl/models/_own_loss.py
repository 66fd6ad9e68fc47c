"""``compile`` for models that train on a loss of their own (density models, RBM, VAE).

Their ``train_step`` computes the loss the model defines (a negative
log-likelihood, an ELBO, a contrastive-divergence update), so a ``loss`` or
``metrics`` given to ``compile`` would be silently ignored; ``compile``
raises instead.
"""

import keras

IGNORED = ("loss", "loss_weights", "metrics", "weighted_metrics")


class OwnLossModel:
    """Mixin placed before ``keras.Model``: ``compile`` rejects ``loss``/``metrics``.

    ``keras.saving.load_model`` recompiles with these arguments set to
    ``None``, which is accepted.
    """

    def compile(self, optimizer="rmsprop", **kwargs):
        for name in IGNORED:
            if kwargs.get(name) is not None:
                raise ValueError(
                    f"{type(self).__name__} trains on its own loss ({self.own_loss}); "
                    f"compile({name}=...) would be ignored. Expected {name}=None. "
                    f"Received: {name}={kwargs[name]!r}"
                )
            kwargs.pop(name, None)
        super().compile(optimizer=optimizer, **kwargs)

    def compile_from_config(self, config):
        """Recompiles a loaded model, optimizer state included (Keras's own
        version skips models whose ``compile`` is overridden)."""
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)
