"""``compile`` for models that train on a loss of their own (density models, RBM, VAE).

Their ``train_step`` computes the loss the model defines (a negative
log-likelihood, an ELBO, a contrastive-divergence update), so a ``loss`` or
``metrics`` given to ``compile`` would be silently ignored; ``compile``
raises instead.

Their ``train_step`` differentiates ``self.scaled_for_update(loss)`` (or
applies it to gradients computed by hand, as the RBM does): each replica's
mean divided by the replicas in sync (a ``tf.distribute`` strategy sums their
gradients, as Keras's own ``compute_loss`` expects) and scaled for mixed
precision.
"""

import keras
import tensorflow as tf

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

    def scaled_for_update(self, value):
        """``value / replicas in sync``, times the optimizer's loss scale (mixed
        precision: the optimizer unscales the gradients). ``value``: a loss,
        inside the gradient tape, or a gradient."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return self.optimizer.scale_loss(value / replicas if replicas > 1 else value)

    def compile_from_config(self, config):
        """Recompiles a loaded model, optimizer state included (Keras's own
        version skips models whose ``compile`` is overridden)."""
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)
