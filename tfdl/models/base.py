"""The training base of tfdl's models that compute their own loss.

VAE, Autoencoder, NADE, MADE, PixelCNN, PixelRNN, RBM, DBN and the layers of a
StackedAutoencoder train on a loss the model defines (an ELBO, a negative
log-likelihood, a contrastive-divergence update, a reconstruction error), so
``OwnLossModel`` owns what ``fit`` and ``evaluate`` need around it:

* ``compile`` refuses ``loss``/``metrics`` (they would be silently ignored);
* one ``keras.metrics.Mean`` per reported value, listed in ``metrics`` so
  Keras resets them every epoch;
* ``train_step``/``test_step``: unpack the batch (``unpack``), pass it
  through ``check_batch`` (the per-batch input gate: one method, called on
  every batch of every ``fit`` and ``evaluate``), compute
  ``compute_losses(x, training)``, differentiate ``scaled_for_update(loss)``
  and apply the gradients, update the metrics;
* ``scaled_for_update``: a loss (or a gradient computed by hand) divided by
  the replicas in sync (a ``tf.distribute`` strategy sums their gradients,
  as Keras's own ``compute_loss`` expects) and scaled by the optimizer's
  loss scale (mixed precision; the optimizer unscales the gradients);
* ``compile_from_config``: a loaded model recompiles with its optimizer state;
* the input gate: ``fit``, ``evaluate`` and ``predict`` refuse labels
  (``y``), ``batch_size`` other than a positive integer, and array data that
  is empty or fails the model's value check (``input_values``: finite
  values by default, 0/1 for binary models) with a ValueError naming the
  argument, the first bad value and its index; every batch of every input
  (arrays, generators, ``tf.data``) is checked again inside the compiled
  step (``check_batch``, a ``tf.debugging`` assertion whose failure the
  three methods turn into the same ValueError).

The in-step assertion costs one comparison and one reduction per batch. XLA
drops ``tf.debugging`` assertions, so ``compile`` resolves Keras's
``jit_compile="auto"`` (XLA on a GPU) to False; a model compiled with
``jit_compile=True`` checks array data eagerly but not the batches of a
generator or a ``tf.data`` pipeline.
"""

import keras
import numpy as np
import tensorflow as tf

from tfdl import distribute, validation

IGNORED = ("loss", "loss_weights", "metrics", "weighted_metrics")


class OwnLossModel(keras.Model):
    """A ``keras.Model`` that trains on a loss of its own.

    A subclass sets ``own_loss`` (what the loss is, for the error messages)
    and ``metric_names`` (``"loss"`` first; or passes ``metric_names`` to
    ``__init__`` when they depend on its arguments), and defines
    ``compute_losses(x, training)`` returning a dict with a value per name
    (scalars, or per-example values averaged over the batch); ``fit``
    minimises ``"loss"``. A model that forms its gradients itself (the RBM)
    overrides ``train_step`` and keeps the rest.

    Args:
        metric_names: names of the values ``fit`` and ``evaluate`` report;
            default: the class's ``metric_names``.
        **kwargs: ``keras.Model`` arguments (``name``, ``dtype``).
    """

    own_loss = "a loss the model defines"
    metric_names = ("loss",)
    input_values = "finite"  # a key of validation.VALUE_CHECKS: what every input value must be

    def __init__(self, metric_names=None, **kwargs):
        super().__init__(**kwargs)
        names = self.metric_names if metric_names is None else tuple(metric_names)
        self.trackers = [keras.metrics.Mean(name=name) for name in names]

    @property
    def metrics(self):
        return list(self.trackers)

    def compile(self, optimizer="rmsprop", **kwargs):
        for name in IGNORED:
            if kwargs.get(name) is not None:
                raise ValueError(
                    f"{type(self).__name__} trains on its own loss ({self.own_loss}); "
                    f"compile({name}=...) would be ignored. Expected {name}=None. "
                    f"Received: {name}={kwargs[name]!r}"
                )
            kwargs.pop(name, None)
        if kwargs.get("jit_compile", "auto") == "auto":  # XLA would drop the per-batch input check
            kwargs["jit_compile"] = False
        super().compile(optimizer=optimizer, **kwargs)

    # Keras's trainer under MultiWorkerMirroredStrategy, fixed for tfdl's models
    # only (keras-team/keras#20585; see tfdl.distribute).
    _make_function = distribute.make_function(keras.Model._make_function)
    _maybe_symbolic_build = distribute.symbolic_build(keras.Model._maybe_symbolic_build)

    def compile_from_config(self, config):
        """Recompiles a loaded model, optimizer state included (Keras's own
        version skips models whose ``compile`` is overridden)."""
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def scaled_for_update(self, value):
        """``value / replicas in sync``, times the optimizer's loss scale (mixed
        precision: the optimizer unscales the gradients). ``value``: a loss,
        inside the gradient tape, or a gradient."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return self.optimizer.scale_loss(value / replicas if replicas > 1 else value)

    def unpack(self, data):
        """The inputs ``x`` of a ``fit``/``evaluate`` batch, given as ``x`` or ``(x,)``;
        a batch with labels raises ValueError (the model learns from ``x`` alone)."""
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if y is not None:
            raise self._labels_error(y)
        return x

    def _labels_error(self, y):
        return ValueError(
            f"{type(self).__name__} learns from x alone: expected y=None (no labels in the data). "
            f"Received: y of type {type(y).__name__}"
        )

    def check_batch(self, x):
        """The per-batch input gate of ``train_step``, ``test_step`` and ``predict_step``.

        Returns the batch as the step consumes it (checked, and converted where
        the model converts its inputs). Default: ``x`` with its values checked
        (``input_values``).
        """
        return keras.ops.cast(validation.values(x, self.input_values, "x"), self.compute_dtype)

    def check_array(self, x, name="x"):
        """Eager checks of in-memory data given to ``fit``/``evaluate``/``predict``:
        not empty, and ``check_batch``'s value check. Returns ``x`` unchanged."""
        with validation.input_errors():
            self.check_batch(validation.array(x, name))
        return x

    def check_data(self, x, y=None, batch_size=None, name="x"):
        """The argument checks of ``fit``/``evaluate``/``predict``: no labels, a
        positive ``batch_size``, array data checked now (``check_array``)."""
        if y is not None:
            raise self._labels_error(y)
        if batch_size is not None:
            validation.positive_int(batch_size, "batch_size")
        if x is None or isinstance(x, (str, bytes, dict, np.ndarray, tf.Tensor, list, tuple)) or np.isscalar(x):
            self.check_array(x, name)

    def fit(self, x=None, y=None, batch_size=None, *args, **kwargs):
        self.check_data(x, y, batch_size)
        validation_data = kwargs.get("validation_data")
        if isinstance(validation_data, tuple):
            x_valid, y_valid, _ = keras.utils.unpack_x_y_sample_weight(validation_data)
            self.check_data(x_valid, y_valid, name="validation_data")
        elif validation_data is not None:
            self.check_data(validation_data, name="validation_data")
        with validation.input_errors():
            return super().fit(x, None, batch_size, *args, **kwargs)

    def evaluate(self, x=None, y=None, batch_size=None, *args, **kwargs):
        self.check_data(x, y, batch_size)
        with validation.input_errors():
            return super().evaluate(x, None, batch_size, *args, **kwargs)

    def predict(self, x, batch_size=None, *args, **kwargs):
        self.check_data(x, batch_size=batch_size)
        with validation.input_errors():
            return super().predict(x, batch_size, *args, **kwargs)

    def train_on_batch(self, x, y=None, **kwargs):
        self.check_data(x, y)
        with validation.input_errors():
            return super().train_on_batch(x, **kwargs)

    def predict_step(self, data):
        return self(self.check_batch(keras.utils.unpack_x_y_sample_weight(data)[0]))

    def compute_losses(self, x, training):
        """``{name: value}`` for every name of ``metric_names``; ``"loss"`` is minimised."""
        raise NotImplementedError(f"{type(self).__name__} defines compute_losses(x, training)")

    def train_step(self, data):
        x = self.check_batch(self.unpack(data))
        with tf.GradientTape() as tape:
            values = self.compute_losses(x, training=True)
            scaled_loss = self.scaled_for_update(values["loss"])
        gradients = tape.gradient(scaled_loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        return self.update_metrics(values)

    def test_step(self, data):
        return self.update_metrics(self.compute_losses(self.check_batch(self.unpack(data)), training=False))

    def update_metrics(self, values):
        """Adds ``values`` (``{name: value}``) to the trackers; returns their results."""
        for tracker in self.trackers:
            tracker.update_state(values[tracker.name])
        return {tracker.name: tracker.result() for tracker in self.trackers}


def bernoulli_log_prob(x, logits):
    """``sum log Bernoulli(x; sigmoid(logits))`` over every axis but the first, in nats.

    The closed form ``x * logits - softplus(logits)`` (the negative binary
    cross-entropy with logits); ``x`` in [0, 1].
    """
    axes = tuple(range(1, len(logits.shape)))
    return keras.ops.sum(x * logits - keras.ops.softplus(logits), axis=axes)


def categorical_log_prob(x, logits):
    """``sum log softmax(logits)[x]`` over every axis but the first, in nats.

    ``x``: integer classes (any dtype) ``[batch, ...]``; ``logits``: ``[batch, ..., classes]``.
    """
    log_probs = keras.ops.log_softmax(logits, axis=-1)
    observed = keras.ops.one_hot(keras.ops.cast(x, "int32"), logits.shape[-1], dtype=log_probs.dtype)
    return keras.ops.sum(observed * log_probs, axis=tuple(range(1, len(logits.shape))))
