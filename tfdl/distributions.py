"""tfdl's autoregressive models as ``tfp.distributions.Distribution`` objects.

``MADE(...).distribution()`` and ``NADE(...).distribution()`` return an
``AutoregressiveModel``, usable where TFP expects a distribution over binary
vectors (like ``tfd.Autoregressive``, but exact and with the model's own
one-pass ``log_prob`` and compiled sampler). Imported on first use: it
imports TensorFlow Probability.
"""

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions


class AutoregressiveModel(tfd.Distribution):
    """A MADE or NADE as a TFP distribution over binary vectors ``[D]``.

    ``log_prob(x)`` is ``model.log_prob`` over any leading dimensions of
    ``x [..., D]``; ``sample(n, seed=s)`` is ``model.sample(n, seed=s)``
    (float 0/1 in the model's compute dtype), reshaped to
    ``sample_shape + batch_shape + [D]``. ``event_shape`` is ``[D]``;
    ``batch_shape`` is ``[]``, or the leading dimensions of a conditional
    MADE's context. Not reparameterized (samples are discrete).

    Sampling draws its uniforms with NumPy up front (see ``MADE.sample``), so
    it runs eagerly, not inside a ``tf.function``; ``seed`` is an int, None,
    or a TFP stateless seed (a pair of ints), which is turned into an int.

    Args:
        model: a ``tfdl.models.MADE`` or ``tfdl.models.NADE``.
        context: for a conditional MADE, ``[..., conditional_dim]``; else None.
        validate_args, allow_nan_stats, name: as for every TFP distribution.

    Example:

    >>> made = MADE(input_dim=4, hidden_units=(8,), seed=0)
    >>> dist = made.distribution()
    >>> dist.event_shape, dist.sample(3, seed=1).shape
    (TensorShape([4]), TensorShape([3, 4]))
    """

    def __init__(self, model, context=None, validate_args=False, allow_nan_stats=True, name=None):
        parameters = dict(locals())
        if context is not None:
            context = tf.convert_to_tensor(context, model.compute_dtype)
            if context.shape.rank == 0:
                raise ValueError(
                    "Expected a context of shape [..., conditional_dim]. Received: context.shape=()"
                )
            model._context(tf.reshape(context, [-1, context.shape[-1]]))  # checks it
        else:
            model._context(None)  # a conditional model raises: it needs one
        self._model = model
        self._context_tensor = context
        super().__init__(
            dtype=tf.as_dtype(model.compute_dtype),
            reparameterization_type=tfd.NOT_REPARAMETERIZED,
            validate_args=validate_args,
            allow_nan_stats=allow_nan_stats,
            parameters=parameters,
            name=name or type(model).__name__,
        )

    @property
    def model(self):
        """The wrapped MADE or NADE."""
        return self._model

    def _event_shape(self):
        return tf.TensorShape([self._model.input_dim])

    def _event_shape_tensor(self):
        return tf.constant([self._model.input_dim], tf.int32)

    def _batch_shape(self):
        if self._context_tensor is None:
            return tf.TensorShape([])
        return self._context_tensor.shape[:-1]

    def _batch_shape_tensor(self):
        if self._context_tensor is None:
            return tf.constant([], tf.int32)
        return tf.shape(self._context_tensor)[:-1]

    def _flat_context(self, copies=1):
        """The context as ``[copies * prod(batch_shape), conditional_dim]``, or None."""
        if self._context_tensor is None:
            return None
        flat = tf.reshape(self._context_tensor, [-1, self._model.conditional_dim])
        return tf.tile(flat, [copies, 1])

    def _log_prob(self, x):
        dim = self._model.input_dim
        leading = tf.broadcast_dynamic_shape(tf.shape(x)[:-1], self._batch_shape_tensor())
        x = tf.broadcast_to(x, tf.concat([leading, [dim]], 0))
        if self._context_tensor is None:
            log_prob = self._model.log_prob(tf.reshape(x, [-1, dim]))
        else:
            width = [self._model.conditional_dim]
            context = tf.broadcast_to(self._context_tensor, tf.concat([leading, width], 0))
            log_prob = self._model.log_prob(
                tf.reshape(x, [-1, dim]), context=tf.reshape(context, [-1, width[0]])
            )
        return tf.reshape(log_prob, leading)

    def _sample_n(self, n, seed=None):
        if not tf.executing_eagerly():
            raise ValueError(
                "AutoregressiveModel.sample runs eagerly (its uniforms are drawn with NumPy); "
                "call it outside tf.function. Received: a call while tracing"
            )
        n = int(n)
        if seed is not None and not isinstance(seed, (int, np.integer)):  # a stateless seed
            entropy = np.asarray(seed).astype(np.uint32)
            seed = int(np.random.SeedSequence(entropy).generate_state(1)[0])
        context = self._flat_context(n)
        if context is None:
            samples = self._model.sample(n, seed=seed)
        else:
            samples = self._model.sample(context.shape[0], seed=seed, context=context)
        return tf.reshape(
            samples, tf.concat([[n], self._batch_shape_tensor(), [self._model.input_dim]], 0)
        )
