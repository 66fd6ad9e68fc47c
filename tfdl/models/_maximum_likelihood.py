"""Training by maximum likelihood for models with ``log_prob`` (MADE, NADE).

``model.fit(x)`` with x alone minimises the mean negative log-likelihood in
nats; ``evaluate`` and validation report it as ``loss``.
"""

import keras
import tensorflow as tf
from keras import ops


def bernoulli_log_prob(x, logits):
    """``sum_i log Bernoulli(x_i; sigmoid(logits_i))`` over the last axis, in nats."""
    return ops.sum(x * logits - ops.softplus(logits), axis=-1)


class MaximumLikelihoodModel(keras.Model):
    """A ``keras.Model`` whose ``train_step`` maximises ``training_log_prob(x)``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def training_log_prob(self, x):
        """The log-likelihood ``[batch]`` maximised during training."""
        return self.log_prob(x)

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            loss = -ops.mean(self.training_log_prob(x))
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self.loss_tracker.update_state(-ops.mean(self.log_prob(x)))
        return {"loss": self.loss_tracker.result()}
