"""MADE: Masked Autoencoder for Distribution Estimation.

Germain, Gregor, Murray & Larochelle (2015), ICML. A feed-forward network whose
weight matrices are masked (``tfdl.layers.MaskedDense``) so that output ``i``
sees only the inputs before ``i`` in an order; the outputs are the logits of
``p(x_i = 1 | x_<i)`` and one pass gives the exact log-likelihood
``log p(x) = sum_i log p(x_i | x_<i)``. With a context ``c`` (Germain et al.
2015, sec. 3.4) the network models ``p(x | c)``: ``c`` feeds every layer
through unmasked kernel rows, so any output may depend on all of ``c``.
"""

import math

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfdl import validation
from tfdl.layers.masked_dense import HIDDEN_DEGREES, MaskedDense, autoregressive_order, degree_masks, made_degrees
from tfdl.models._maximum_likelihood import MaximumLikelihoodModel


@keras.saving.register_keras_serializable(package="tfdl")
class MADE(MaximumLikelihoodModel):
    """MADE for binary vectors, with order- and connectivity-agnostic training.

    With ``num_masks=K > 1``, ``K`` fixed mask sets (orders and hidden degrees
    drawn from ``seed``) are kept as constants; training step ``t`` uses set
    ``t mod K`` (a counter variable picks it; no weight is ever reassigned).
    ``log_prob`` evaluates the ensemble as the mixture
    ``log (1/K) sum_k p_k(x)``, an exact normalised density.

    Args:
        input_dim: number of binary inputs ``D``.
        hidden_units: sizes of the hidden layers.
        num_masks: number of mask sets ``K``.
        order: ``"natural"``, ``"reversed"``, ``"random"`` (a new order per
            mask set) or a permutation (``order[i]`` = position of input ``i``).
        hidden_degrees: ``"random"`` or ``"equal"`` (see ``made_masks``).
        direct_connections: add a masked direct input-to-output layer.
        activation: of the hidden units, a name or function as in
            ``keras.layers.Dense`` (saved in the config; a model saved before
            this argument existed loads with its ReLU). The MADE authors' code
            offers sigmoid, ReLU ("hinge"), softplus, tanh and softsign; its
            README's command for the paper's best DNA result uses ReLU.
        conditional_dim: size of an optional float context ``c``
            ``[batch, conditional_dim]``; the model is then ``p(x | c)``. The
            context is concatenated to the input of every hidden layer and of
            the output layer, whose masks get all-ones rows for it (an
            unmasked dense kernel). None: unconditional.
        seed: seed of the masks, the initial weights and of ``sample``
            without a seed; drawn once and stored when None.
        orders, degrees: the mask sets' orders ``[K, D]`` and hidden-unit
            degrees (per set, per hidden layer), as ``get_config`` saves them
            so a saved model reloads with its masks whatever the random
            generator; None (the default): drawn from ``seed``.
        **kwargs: ``keras.Model`` arguments (``name``, ``dtype``: the policy,
            e.g. ``"float64"`` or ``"mixed_float16"``, is also every layer's).

    Call: ``model(x, mask_index=0)`` on ``[batch, D]`` returns the logits
    ``[batch, D]`` under mask set ``mask_index``; with ``conditional_dim``
    the inputs are ``[x, context]``, also in ``fit([x, context])``. Inputs of
    any numeric dtype are cast to the compute dtype.

    ``made.distribution()`` is the model as a ``tfp.distributions.Distribution``
    (``tfdl.distributions.AutoregressiveModel``).

    Example:

    >>> made = MADE(input_dim=12, hidden_units=(32, 32), order="random", seed=0)
    >>> made.log_prob(np.zeros((2, 12), "float32")).shape
    TensorShape([2])
    >>> cmade = MADE(input_dim=12, hidden_units=(32,), conditional_dim=3, seed=0)
    >>> cmade.log_prob(np.zeros((2, 12), "float32"), context=np.ones((2, 3), "float32")).shape
    TensorShape([2])
    """

    def __init__(
        self,
        input_dim,
        hidden_units=(500,),
        num_masks=1,
        order="natural",
        hidden_degrees="random",
        direct_connections=False,
        conditional_dim=None,
        seed=None,
        activation="relu",
        orders=None,
        degrees=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.input_dim = validation.positive_int(input_dim, "input_dim")
        self.hidden_units = validation.positive_ints(hidden_units, "hidden_units")
        self.num_masks = validation.positive_int(num_masks, "num_masks")
        self.order = order if isinstance(order, str) else [int(p) for p in order]
        autoregressive_order(self.input_dim, order)  # validates
        self.hidden_degrees = validation.one_of(hidden_degrees, HIDDEN_DEGREES, "hidden_degrees")
        self.direct_connections = validation.boolean(direct_connections, "direct_connections")
        self.activation = keras.activations.get(activation)
        self.conditional_dim = (
            None if conditional_dim is None
            else validation.positive_int(conditional_dim, "conditional_dim")
        )
        mask_sets = self._mask_sets(orders, degrees)
        stacked = [np.stack(layer_masks) for layer_masks in zip(*mask_sets)]
        if self.conditional_dim is not None:  # all-ones rows: the context is unmasked
            stacked = [
                np.concatenate([m, np.ones((self.num_masks, self.conditional_dim, m.shape[2]))], 1)
                for m in stacked
            ]
        if self.num_masks == 1:
            stacked = [mask[0] for mask in stacked]
        policy = self.dtype_policy
        glorot = [keras.initializers.GlorotUniform(s) for s in self._weight_seeds(len(self.hidden_units) + 2)]
        self.hidden_layers = [
            MaskedDense(units, mask, activation=self.activation, kernel_initializer=glorot[i], name=f"hidden_{i}", dtype=policy)
            for i, (units, mask) in enumerate(zip(self.hidden_units, stacked[:-1]))
        ]
        self.output_layer = MaskedDense(
            self.input_dim, stacked[-1], kernel_initializer=glorot[-2], name="logits", dtype=policy
        )
        self.direct_layer = None
        if self.direct_connections:
            direct = (self.orders[:, :, None] < self.orders[:, None, :]).astype(np.float32)
            self.direct_layer = MaskedDense(
                self.input_dim, direct if self.num_masks > 1 else direct[0],
                use_bias=False, kernel_initializer=glorot[-1], name="direct", dtype=policy,
            )
        self.mask_counter = self.add_weight(
            name="mask_counter", shape=(), dtype="int32", initializer="zeros", trainable=False,
            aggregation="only_first_replica",
        )
        with tf.init_scope():
            self._positions = tf.constant(self.orders, dtype=tf.int32)

    def _mask_sets(self, orders, degrees):
        """Each mask set's masks, from the saved ``orders`` and ``degrees`` or
        drawn from ``seed`` (None); sets ``self.orders`` and ``self.degrees``."""
        rng = np.random.default_rng(self.seed)
        self.orders = np.stack(
            [autoregressive_order(self.input_dim, self.order, rng) for _ in range(self.num_masks)]
            if orders is None else [autoregressive_order(self.input_dim, o) for o in orders]
        )
        if len(self.orders) != self.num_masks:
            raise ValueError(f"Expected orders for num_masks={self.num_masks} mask sets. Received: orders={orders!r}")
        if degrees is None:
            degree_sets = [
                made_degrees(self.input_dim, self.hidden_units, p, self.hidden_degrees, rng) for p in self.orders
            ]
        else:
            degree_sets = [
                [p + 1] + [np.asarray(d, np.int64) for d in layers] for p, layers in zip(self.orders, degrees)
            ]
        if [[len(d) for d in ds[1:]] for ds in degree_sets] != [list(self.hidden_units)] * self.num_masks:
            raise ValueError(f"Expected degrees of every hidden unit of every mask set. Received: degrees={degrees!r}")
        self.degrees = [[d.tolist() for d in ds[1:]] for ds in degree_sets]
        return [degree_masks(ds) for ds in degree_sets]

    def build(self, input_shape=None):
        context_dim = self.conditional_dim or 0
        shape = (None, self.input_dim + context_dim)
        for layer in self.hidden_layers:
            layer.build(shape)
            shape = (None, layer.units + context_dim)
        self.output_layer.build(shape)
        if self.direct_layer is not None:
            self.direct_layer.build((None, self.input_dim))

    def call(self, inputs, mask_index=None):
        x, context = self._split(inputs)
        return self._logits(x, context, [layer.masked_kernel(mask_index) for layer in self._masked_layers])

    @property
    def _masked_layers(self):
        return self.hidden_layers + [self.output_layer] + ([self.direct_layer] if self.direct_layer else [])

    def _logits(self, x, context, kernels):
        """Logits of ``x`` given each masked layer's ``masked_kernel``, in ``_masked_layers`` order."""
        h = x
        for layer, kernel in zip(self.hidden_layers, kernels):
            h = layer(_concat(h, context), masked_kernel=kernel)
        logits = self.output_layer(_concat(h, context), masked_kernel=kernels[len(self.hidden_layers)])
        if self.direct_layer is not None:
            logits = logits + self.direct_layer(x, masked_kernel=kernels[-1])
        return logits

    def _split(self, inputs, context=None):
        """``(x, context)`` from ``x`` or ``[x, context]``, with shapes checked."""
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != 2 or context is not None:
                raise ValueError(
                    f"Expected inputs x or [x, context]. Received: a list of {len(inputs)} inputs"
                    + (" and context" if context is not None else "")
                )
            inputs, context = inputs
        x = ops.cast(inputs, self.compute_dtype)
        validation.feature_shape(x, (self.input_dim,))
        return x, self._context(context)

    def _context(self, context):
        """``context`` as a ``[batch, conditional_dim]`` tensor (None if unconditional), checked."""
        if self.conditional_dim is None:
            if context is not None:
                raise ValueError(
                    "Expected no context (conditional_dim=None). "
                    f"Received: context.shape={tuple(ops.shape(context))}"
                )
            return None
        if context is None:
            raise ValueError(
                f"Expected a context of shape [batch, {self.conditional_dim}] "
                f"(conditional_dim={self.conditional_dim}). Received: context=None"
            )
        context = ops.cast(context, self.compute_dtype)
        validation.feature_shape(context, (self.conditional_dim,), "context")
        return context

    def check_batch(self, inputs):
        """``x`` binary and a context (``[x, context]``) finite, checked in the step."""
        if isinstance(inputs, (list, tuple)) and len(inputs) == 2:
            return [validation.values(inputs[0], "binary", "x"), validation.values(inputs[1], "finite", "context")]
        return validation.values(inputs, "binary", "x")

    def check_array(self, x, name="x"):
        if isinstance(x, (list, tuple)) and len(x) == 2:
            self.check_batch([validation.array(x[0], name), validation.array(x[1], "context")])
        else:
            self.check_batch(validation.array(x, name))
        return x

    def _num_masks(self, num_masks):
        if num_masks is None:
            return self.num_masks
        if not 1 <= validation.positive_int(num_masks, "num_masks") <= self.num_masks:
            raise ValueError(
                f"Expected num_masks between 1 and {self.num_masks}. "
                f"Received: num_masks={num_masks}"
            )
        return num_masks

    def log_prob(self, x, num_masks=None, context=None):
        """Exact ``log p(x)`` (or ``log p(x | context)``) in nats ``[batch]``: the
        mixture of the first ``num_masks`` sets, in the variable dtype.

        Args:
            x: binary ``[batch, D]``; other values raise ValueError. ``[x, context]``
                (the model's inputs, as ``evaluate`` passes them) is accepted too.
            num_masks: how many mask sets to average (default all).
            context: float ``[batch, conditional_dim]``, required iff ``conditional_dim``.
        """
        x, context = self._split(x, context)
        x = validation.binary(x)
        num_masks = self._num_masks(num_masks)
        inputs = _model_inputs(x, context)
        log_probs = ops.stack(
            [self._log_likelihood(x, self(inputs, mask_index=k)) for k in range(num_masks)]
        )
        return ops.logsumexp(log_probs, axis=0) - math.log(num_masks)

    def training_log_prob(self, inputs):
        """``log p_k(x)`` under mask set ``k = step mod num_masks``; advances the step."""
        k = self.mask_counter % self.num_masks
        self.mask_counter.assign_add(1)
        return self._log_likelihood(self._split(inputs)[0], self(inputs, mask_index=k))

    def sample(self, num, seed=None, num_masks=None, context=None):
        """Ancestral samples ``[num, D]`` (float 0/1) from the mixture.

        Each sample picks a mask set uniformly among the first ``num_masks``,
        then draws its inputs one by one in that set's order, all inside one
        compiled loop of ``D`` network passes.

        Args:
            num: number of samples.
            seed: int for reproducible samples (None: the next seed of a generator
                seeded by the model's ``seed``). The uniforms and mixture components
                are drawn up front with ``np.random.default_rng(seed)``, so the loop
                is deterministic.
            num_masks: mixture size (default all mask sets).
            context: float ``[num, conditional_dim]``, one row per sample, required
                iff ``conditional_dim``.
        """
        num = validation.positive_int(num, "num")
        context = self._context(context)
        if context is not None and context.shape[0] != num:
            raise ValueError(
                f"Expected a context with num={num} rows. "
                f"Received: context.shape={tuple(context.shape)}"
            )
        num_masks = self._num_masks(num_masks)
        rng = np.random.default_rng(self._sample_seed(seed))
        if not self.built:
            self.build()
        uniforms = tf.constant(rng.random((num, self.input_dim)), dtype=self.compute_dtype)
        components = tf.constant(rng.integers(num_masks, size=num), dtype=tf.int32)
        return self._ancestral_sample(uniforms, components, num_masks, context)

    @tf.function(reduce_retracing=True)
    def _ancestral_sample(self, uniforms, components, num_masks, context):
        """Samples mask set by mask set: each set's masked kernels are computed
        once, then ``D`` passes run on the samples that picked that set."""

        def sample_mask(k, x):
            rows = tf.where(components == k)[:, 0]
            u, c = tf.gather(uniforms, rows), None if context is None else tf.gather(context, rows)
            kernels = [layer.masked_kernel(k) for layer in self._masked_layers]
            positions = self._positions[k]

            def step(t, xk):
                draw = tf.cast(u < tf.sigmoid(self._logits(xk, c, kernels)), xk.dtype)
                return t + 1, tf.where(positions == t, draw, xk)

            xk = tf.while_loop(lambda t, _: t < self.input_dim, step, (tf.constant(0), tf.zeros_like(u)))[1]
            return k + 1, tf.tensor_scatter_nd_update(x, rows[:, None], xk)

        return tf.while_loop(lambda k, _: k < num_masks, sample_mask, (tf.constant(0), tf.zeros_like(uniforms)))[1]

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "hidden_units": list(self.hidden_units),
            "num_masks": self.num_masks,
            "order": self.order,
            "hidden_degrees": self.hidden_degrees,
            "direct_connections": self.direct_connections,
            "conditional_dim": self.conditional_dim,
            "seed": self.seed,
            "activation": keras.activations.serialize(self.activation),
            "orders": self.orders.tolist(),
            "degrees": self.degrees,
        }


def _concat(h, context):
    """``[h, context]`` along features, or ``h`` when unconditional."""
    return h if context is None else ops.concatenate([h, context], axis=-1)


def _model_inputs(x, context):
    """The model's inputs: ``x`` or ``[x, context]``."""
    return x if context is None else [x, context]
