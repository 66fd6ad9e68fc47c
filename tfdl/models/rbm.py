"""Restricted Boltzmann machine trained by contrastive divergence (CD-k, PCD-k).

Energy (Bernoulli visible units ``v`` in {0,1}, hidden ``h`` in {0,1}):

    E(v, h) = -v.b - h.c - v W h,        p(v, h) = exp(-E(v, h)) / Z

Free energy ``F(v) = -log sum_h exp(-E(v, h)) = -v.b - sum_j softplus(c_j + (vW)_j)``
and ``log p(v) = -F(v) - log Z``. Gaussian visible units (unit variance, for
standardized real data) replace ``-v.b`` by ``||v - b||^2 / 2``.

This module holds the model, its conditionals, Gibbs sampling and CD/PCD
training. ``log Z`` (exact by enumeration, or AIS along the RBM's annealing
path) is computed by ``tfdl.models.partition``, which works for any energy
model; scikit-learn's ``BernoulliRBM`` interface is in
``tfdl.models.rbm_sklearn``.

Random numbers and XLA. Each training or evaluation step draws its noise
from stateless generators keyed by ``(seed, step)``: the step comes from a
``keras.random.SeedGenerator`` (one for training, one for evaluation, so
evaluating does not move the training noise). With ``seed`` given, a
freshly built model trains reproducibly. The generator is Philox, or
threefry when the step is compiled by XLA (``compile(jit_compile=True)``;
XLA draws Philox several times slower): one key, two streams. XLA fuses the
step's element-wise work around its matrix products (``make bench`` times
both), at the price of compiling each batch shape once, and drops the
per-batch value check of generator and ``tf.data`` batches (arrays are
checked before training). Everything else (``gibbs``, ``sample``, AIS) uses
stateless ops keyed by ``(seed, step)``.

Precision. Inputs are cast to the model's compute dtype (``dtype="float64"``,
or float16 under ``keras.mixed_precision.set_global_policy("mixed_float16")``)
after their values are checked. The training step, ``transform``, ``gibbs``
and ``sample`` run in the compute dtype; free energies, the loss, the metrics
and the likelihoods (``free_energy``, ``log_prob``, pseudo-likelihoods, AIS) in
the variable dtype (float32 under mixed precision).

References:
    Hinton (2002), Training products of experts by minimizing contrastive
    divergence. Tieleman (2008), Training RBMs using approximations to the
    likelihood gradient (PCD). Salakhutdinov & Murray (2008), On the
    quantitative analysis of deep belief networks (AIS).
"""

import contextlib
import math

import keras
import numpy as np
import tensorflow as tf

from tfdl import data, deprecation, distribute, validation
from tfdl.models import partition
from tfdl.models.base import OwnLossModel
from tfdl.models.partition import MAX_ENUMERATED_UNITS, AISEstimate, ais_schedule  # noqa: F401 (public here too)
from tfdl.models.rbm_sklearn import BernoulliRBMInterface

VISIBLE_TYPES = ("bernoulli", "gaussian")
MONITORS = ("reconstruction", "pseudo_ll", "free_energy")


def _bernoulli(probs, uniform):
    return tf.cast(uniform < probs, probs.dtype)


def _noise_algorithm():
    """The training noise's generator: threefry in XLA (the one it draws fastest), else Philox."""
    return "threefry" if validation.in_xla() else "philox"


@keras.saving.register_keras_serializable(package="tfdl")
class RBM(deprecation.RenamedNames, BernoulliRBMInterface, OwnLossModel):
    """Restricted Boltzmann machine with CD-k or persistent CD-k training.

    ``fit`` (arrays, datasets, generators), ``train_on_batch`` and
    ``evaluate`` work on a fresh model: it is built from the first batch.
    ``fit`` runs ``k`` block-Gibbs steps from the data (CD-k) or from
    persistent chains (PCD-k), forms the likelihood gradient as positive minus
    negative statistics and applies it with ``self.optimizer.apply``, so any
    Keras optimizer, schedule, momentum or weight decay works, and under
    ``tf.distribute`` the replicas' gradients are averaged. ``compile`` takes
    no ``loss`` or ``metrics`` (ValueError): the model trains on its own loss.

    The default is CD-1; scikit-learn's ``BernoulliRBM`` trains with PCD-1,
    which is ``RBM(hidden_units, persistent=True, k=1, num_chains=batch_size)``
    compiled with ``SGD(learning_rate)``. For scikit-learn users:
    ``score_samples``, ``components_``, ``partial_fit``, ``fit_transform``
    and ``accept_probabilities``.

    Args:
        hidden_units: number of hidden units (``n_hidden`` before, deprecated).
        visible: ``"bernoulli"`` (binary data) or ``"gaussian"`` (unit variance,
            standardized real data).
        k: Gibbs steps per update.
        persistent: keep the negative chains between updates (PCD). Their
            state is the hidden sample, ``chains`` ``[num_chains, hidden_units]``
            (as in the Theano tutorial and scikit-learn), so a PCD-1 step
            needs no extra matmul to restart the chains.
        num_chains: number of persistent chains (default 100); only with
            ``persistent=True``.
        seed: int seed for all noise, or None.
        monitor: the metrics ``fit`` and ``evaluate`` compute per batch
            besides ``loss``, a subset of ``("reconstruction", "pseudo_ll",
            "free_energy")``; default: all (``pseudo_ll`` needs Bernoulli
            units). The reconstruction costs one more matmul per step, the
            other two less (``make bench`` times PCD-1 with and without it);
            the ``loss`` reuses the step's pre-activations.
        accept_probabilities: Bernoulli units only. False (default): the data
            must be binary (ValueError otherwise). True: values in [0, 1]
            (grey levels) are taken as Bernoulli probabilities, as
            scikit-learn's ``BernoulliRBM`` does: they enter the positive
            statistics and the free energy as they are. ``log_prob`` always
            needs binary data.

    Call arguments:
        v: ``[batch, n_visible]``. Returns ``hidden_probs(v)[0]``, the features
        for the next layer (``transform``).

    Metrics in ``fit``: ``loss``, the free-energy difference
    ``mean F(v_data) - mean F(v_model)`` between the batch and the chain ends
    (its gradient with the chains held fixed is the CD update, so it is what
    training descends; ``evaluate`` runs the same chains without updating);
    ``reconstruction`` (cross-entropy, or squared error for
    Gaussian units, of the one-step mean-field reconstruction), ``pseudo_ll``
    (pseudo-log-likelihood, one randomly chosen unit per example scaled by
    ``n_visible``, an unbiased estimate of ``sum_i log p(v_i | v_-i)``) and
    ``free_energy``; with validation data ``val_free_energy - free_energy`` is
    the overfitting gap.

    Example:

    >>> rbm = RBM(hidden_units=16, seed=0)
    >>> rbm.compile(optimizer=keras.optimizers.SGD(0.05))
    >>> rbm.fit(x_binary, epochs=5, batch_size=100)  # doctest: +SKIP
    >>> rbm.log_prob(x_binary, log_z=rbm.log_partition("exact"))  # doctest: +SKIP
    """

    own_loss = "the contrastive-divergence free-energy difference"
    renamed_arguments = renamed_attributes = {"n_hidden": "hidden_units"}  # tfdl <= 7c8d4d4

    def __init__(
        self,
        hidden_units=None,
        visible="bernoulli",
        k=1,
        persistent=False,
        num_chains=None,
        seed=None,
        monitor=None,
        accept_probabilities=False,
        **kwargs,
    ):
        hidden_units = deprecation.renamed(kwargs, "n_hidden", "hidden_units", hidden_units, None, "RBM")
        hidden_units = validation.positive_int(hidden_units, "hidden_units")
        validation.one_of(visible, VISIBLE_TYPES, "visible")
        available = MONITORS if visible == "bernoulli" else ("reconstruction", "free_energy")
        given, monitor = monitor, tuple(available if monitor is None or isinstance(monitor, str) else monitor)
        if isinstance(given, str) or any(name not in available for name in monitor):
            raise ValueError(f"Expected monitor as a tuple of names from {available}. Received: monitor={given!r}")
        super().__init__(metric_names=("loss",) + monitor, **kwargs)
        self.hidden_units = hidden_units
        self.visible = visible
        self.monitor = monitor
        self.k = validation.positive_int(k, "k")
        self.persistent = validation.boolean(persistent, "persistent")
        if num_chains is not None:
            validation.positive_int(num_chains, "num_chains")
            if not self.persistent:
                raise ValueError(
                    "num_chains is only used with persistent=True. "
                    f"Received: num_chains={num_chains}, persistent={persistent}"
                )
        self.num_chains = num_chains
        self.seed = validation.seed(seed, allow_none=True)
        self._sample_seeds = np.random.default_rng(seed)
        if accept_probabilities and self.visible != "bernoulli":
            raise ValueError(
                "accept_probabilities needs visible='bernoulli'. "
                f"Received: accept_probabilities={accept_probabilities}, visible={visible!r}"
            )
        self.accept_probabilities = validation.boolean(accept_probabilities, "accept_probabilities")

    def build(self, input_shape):
        n_visible = input_shape[-1]
        if n_visible is None:
            raise ValueError(f"Expected a known number of visible units. Received: input_shape={input_shape}")
        self.n_visible = int(n_visible)
        normal = keras.initializers.RandomNormal(stddev=0.01, seed=self.seed)
        self.kernel = self.add_weight(  # drawn in float32 whatever the dtype: one seed, one RBM
            name="kernel",
            shape=(self.n_visible, self.hidden_units),
            initializer=lambda shape, dtype: tf.cast(normal(shape, "float32"), dtype),
        )
        self.visible_bias = self.add_weight(name="visible_bias", shape=(self.n_visible,), initializer="zeros")
        self.hidden_bias = self.add_weight(name="hidden_bias", shape=(self.hidden_units,), initializer="zeros")
        if self.persistent:
            self.chains = self.add_weight(
                name="chains",
                shape=(self.num_chains or 100, self.hidden_units),
                initializer="zeros",
                trainable=False,
                aggregation="only_first_replica",
            )
        # The steps' noise keys (not weights: a reloaded model draws afresh).
        self.train_noise = keras.random.SeedGenerator(self.seed, name="train_noise")
        self.test_noise = keras.random.SeedGenerator(self.seed, name="test_noise")
        self.built = True

    # ----- inputs ------------------------------------------------------------------
    def _check(self, v, name="v", dtype=None):
        """``v`` as a tensor of ``dtype`` (default: the compute dtype), shape checked."""
        v = tf.cast(tf.convert_to_tensor(v), dtype or self.compute_dtype)
        validation.feature_shape(v, (self.n_visible,), name)
        return v

    @property
    def input_values(self):
        """What training data must be: binary (Bernoulli units; [0, 1] with
        ``accept_probabilities``) or finite (Gaussian units)."""
        if self.visible == "gaussian":
            return "finite"
        return "unit_interval" if self.accept_probabilities else "binary"

    def _check_values(self, x, name, kind=None):
        """``x`` with its values checked (``input_values``, or ``kind``) before
        any cast, so rounding cannot make it pass."""
        return validation.values(x, kind or self.input_values, name)

    def _check_visible(self, v, method):
        """The built model's ``v`` for a mean-field ``method`` (``transform``,
        ``free_energy``): values in [0, 1] (Bernoulli units) or finite (Gaussian)."""
        validation.built(self, method)
        return self._check_values(v, "v", "unit_interval" if self.visible == "bernoulli" else "finite")

    def check_array(self, x, name="x"):
        """Eager checks of in-memory data; builds the model from its width."""
        x = validation.array(x, name)
        if not self.built:
            distribute.build_in_scope(self, x.shape)
        validation.feature_shape(x, (self.n_visible,), name)
        return self._check_values(x, name)

    # ----- conditionals and energies -------------------------------------------------
    def _hidden_pre(self, v):
        """Hidden pre-activations ``v W + c`` in ``v``'s dtype."""
        return tf.matmul(v, tf.cast(self.kernel, v.dtype)) + tf.cast(self.hidden_bias, v.dtype)

    def hidden_probs(self, v):
        """``p(h_j = 1 | v)``: returns ``(probs, pre_sigmoid)``, each ``[batch, hidden_units]``."""
        pre = self._hidden_pre(self._check(v))
        return tf.sigmoid(pre), pre

    def visible_probs(self, h):
        """Visible means given ``h`` ``[batch, hidden_units]``: ``(means, pre_activation)``.

        Bernoulli: ``means = sigmoid(pre)``; Gaussian: ``means = pre = b + W h``.
        """
        pre = self._visible_pre(tf.cast(h, self.compute_dtype))
        return (tf.sigmoid(pre) if self.visible == "bernoulli" else pre), pre

    def _visible_pre(self, h):
        """Visible pre-activations ``W h + b`` in ``h``'s dtype."""
        return tf.matmul(h, tf.cast(self.kernel, h.dtype), transpose_b=True) + tf.cast(self.visible_bias, h.dtype)

    def _visible_energy(self, v, bias):
        bias = tf.cast(bias, v.dtype)
        if self.visible == "bernoulli":
            return -tf.linalg.matvec(v, bias)
        return 0.5 * tf.reduce_sum(tf.square(v - bias), axis=-1)

    def _free_energy_from(self, v, hidden_pre):
        return self._visible_energy(v, self.visible_bias) - tf.reduce_sum(
            tf.math.softplus(hidden_pre), axis=-1
        )

    def free_energy(self, v):
        """``F(v) = -log sum_h exp(-E(v, h))``, ``[batch]``, in the variable dtype."""
        v = self._check(self._check_visible(v, "free_energy"), dtype=self.variable_dtype)
        return self._free_energy_from(v, self._hidden_pre(v))

    def transform(self, v):
        """Hidden probabilities ``p(h = 1 | v)``: the features for the next layer.

        ``v``: values in [0, 1] (grey values are mean-field inputs) for
        Bernoulli units, finite values for Gaussian ones (ValueError otherwise).
        """
        return self.hidden_probs(self._check_visible(v, "transform"))[0]

    def call(self, v):
        return self.transform(v)

    # ----- sampling ----------------------------------------------------------------
    def _sample_visible(self, means, uniform_or_normal):
        if self.visible == "bernoulli":
            return _bernoulli(means, uniform_or_normal)
        return means + uniform_or_normal

    def _gibbs_step(self, v, noise_h, noise_v, probs=None):
        """One block-Gibbs sweep v -> h -> v'; returns v'.

        ``probs``, when given, are ``v``'s hidden probabilities already computed.
        """
        probs = self.hidden_probs(v)[0] if probs is None else probs
        return self._sample_visible(self.visible_probs(_bernoulli(probs, noise_h))[0], noise_v)

    def _stateless_noise(self, shape, key, dtype):
        """Uniforms ``shape[0]`` (for the hidden units) and the visible noise
        ``shape[1]`` (uniform or normal), keyed by the int64 pair ``key``; drawn
        in float32 and cast to ``dtype``, so one seed gives one chain whatever the dtype."""
        uniform = tf.random.stateless_uniform(shape[0], seed=key)
        other = (
            tf.random.stateless_uniform(shape[1], seed=key + [0, 2**40])
            if self.visible == "bernoulli"
            else tf.random.stateless_normal(shape[1], seed=key + [0, 2**40])
        )
        return tf.cast(uniform, dtype), tf.cast(other, dtype)

    def _next_seed(self, seed):
        return int(self._sample_seeds.integers(2**31)) if seed is None else validation.seed(seed)

    def gibbs(self, v, steps=1, seed=None):
        """Runs ``steps`` block-Gibbs sweeps from ``v``; returns the final visible sample."""
        validation.built(self, "gibbs")
        v = self._check(self._check_values(v, "v"))
        steps = validation.positive_int(steps, "steps")
        return self._gibbs_chain(v, tf.constant(steps), tf.constant(self._next_seed(seed), tf.int64))

    @tf.function(reduce_retracing=True)
    def _gibbs_chain(self, v, steps, seed):
        batch = tf.shape(v)[0]
        shapes = ([batch, self.hidden_units], [batch, self.n_visible])

        def body(i, v):
            key = tf.stack([tf.cast(seed, tf.int64), tf.cast(i, tf.int64)])
            return i + 1, self._gibbs_step(v, *self._stateless_noise(shapes, key, v.dtype))

        return tf.while_loop(lambda i, v: i < steps, body, (tf.constant(0), v))[1]

    def sample(self, num, steps=1000, seed=None):
        """Draws ``num`` visible vectors by ``steps`` Gibbs sweeps from random states.

        Returns the visible means given the last sweep's hidden probabilities
        (pixel probabilities for Bernoulli units), ``[num, n_visible]``.
        """
        num = validation.positive_int(num, "num")
        validation.built(self, "sample")
        seed = self._next_seed(seed)
        if self.visible == "bernoulli":
            start = tf.cast(tf.random.stateless_uniform([num, self.n_visible], seed=[seed, -1]) < 0.5, tf.float32)
        else:
            start = tf.random.stateless_normal([num, self.n_visible], seed=[seed, -1])
        v = self.gibbs(start, steps, seed)
        return self.visible_probs(self.transform(v))[0]

    # ----- training ----------------------------------------------------------------
    def _step_key(self, stream):
        """The int64 key ``[seed, step]`` of one step's noise: ``stream``'s
        SeedGenerator advanced by one (``train_noise`` or ``test_noise``, told
        apart by a bit of the seed). Every replica draws the same noise, as the
        chains of PCD are the first replica's."""
        return tf.cast(stream.next(), tf.int64) + [int(stream is self.test_noise) << 62, 0]

    @contextlib.contextmanager
    def _noise_from(self, key):
        """Within the block, ``_uniform`` and ``_visible_noise`` draw from ``key``."""
        self._noise_key, self._noise_draws = key, 0
        try:
            yield
        finally:
            del self._noise_key, self._noise_draws

    def _draw_seed(self):
        """The seed of the step's next draw: ``[seed, step * 2**20 + draw]``."""
        self._noise_draws += 1
        return self._noise_key * [1, 2**20] + [0, self._noise_draws]

    def _uniform(self, shape):
        """Training noise, drawn in float32 and cast, so one seed gives one stream whatever the dtype."""
        uniform = tf.random.stateless_uniform(shape, seed=self._draw_seed(), alg=_noise_algorithm())
        return tf.cast(uniform, self.compute_dtype)

    def _visible_noise(self, batch):
        if self.visible == "bernoulli":
            return self._uniform([batch, self.n_visible])
        normal = tf.random.stateless_normal([batch, self.n_visible], seed=self._draw_seed(), alg=_noise_algorithm())
        return tf.cast(normal, self.compute_dtype)

    def fit(self, x=None, *args, **kwargs):
        """Keras ``fit``; an array ``x`` is checked here first (a ValueError
        before any training) and fed through ``tfdl.data.batches`` (one input
        thread; shuffling seeded by ``seed``) unless ``validation_split`` or
        ``sample_weight`` needs Keras's own array handling. Every batch of
        every input is checked again inside the step (``check_batch``)."""
        own_pipeline = isinstance(x, (np.ndarray, tf.Tensor)) and not args and not kwargs.get("validation_split")
        own_pipeline = own_pipeline and kwargs.get("sample_weight") is None
        if own_pipeline:
            x = validation.array(x, "x")  # one conversion, shared by the check and the pipeline
        self.check_data(x, args[0] if args else kwargs.get("y"), kwargs.get("batch_size"))
        if own_pipeline:
            x = data.batches(x, kwargs.pop("batch_size", None) or 32, kwargs.get("shuffle", True), self.seed)
            kwargs["shuffle"] = False  # the pipeline shuffles
        return super().fit(x, *args, **kwargs)

    def contrastive_divergence(self, v):
        """The CD-k / PCD-k gradient of the negative log-likelihood.

        CD-k runs ``k`` Gibbs sweeps from the data. PCD-k runs them from the
        chains' hidden states ``self.chains`` and stores the last sweep's
        hidden sample back (Tieleman 2008). The data's and the chain end's
        hidden probabilities share one matmul under PCD, and both sides of
        the kernel gradient always do.

        Returns ``(gradients, statistics)``: gradients for
        ``[kernel, visible_bias, hidden_bias]`` (negative minus positive
        statistics, the sign for minimisation) and a dict with the data's
        and the chain end's hidden pre-activations (``hidden_pre``,
        ``chain_pre``), the chain end (``chain``), the visible-bias gradient
        ``mean(chain) - mean(v)`` (``visible_gradient``) and, under PCD, the
        chains' next hidden state (``next_hidden``). All in ``v``'s dtype.
        Its noise comes from the step's key (``_noise_from``).
        """
        n_data = tf.shape(v)[0]
        stats = {}
        if self.persistent:
            h = tf.cast(self.chains, v.dtype)
            for step in range(self.k):
                if step:
                    h = _bernoulli(self.hidden_probs(chain)[0], self._uniform(tf.shape(h)))
                chain = self._sample_visible(self.visible_probs(h)[0], self._visible_noise(tf.shape(h)[0]))
            states = tf.concat([v, chain], 0)
            pre = self._hidden_pre(states)
            probs = tf.sigmoid(pre)  # slices along the first axis below share its memory
            stats["hidden_pre"], stats["chain_pre"] = pre[:n_data], pre[n_data:]
            stats["next_hidden"] = _bernoulli(probs[n_data:], self._uniform(tf.shape(h)))
        else:
            probs_data, stats["hidden_pre"] = self.hidden_probs(v)
            chain, probs_chain = v, probs_data
            for _ in range(self.k):
                noise_h = self._uniform(tf.shape(probs_chain))
                chain = self._gibbs_step(chain, noise_h, self._visible_noise(n_data), probs=probs_chain)
                probs_chain, stats["chain_pre"] = self.hidden_probs(chain)
            states, probs = tf.concat([v, chain], 0), tf.concat([probs_data, probs_chain], 0)
        chain = tf.stop_gradient(chain)
        n_chain = tf.shape(chain)[0]
        # Per-row weights -1/n (data) and +1/m (chain): one matmul forms both sides.
        row_weights = tf.concat(
            [tf.fill([n_data], -1.0 / tf.cast(n_data, v.dtype)), tf.fill([n_chain], 1.0 / tf.cast(n_chain, v.dtype))], 0
        )
        weighted_probs = probs * row_weights[:, None]
        grads = [
            tf.matmul(states, weighted_probs, transpose_a=True),
            tf.linalg.matvec(states, row_weights, transpose_a=True),
            tf.reduce_sum(weighted_probs, 0),
        ]
        stats["chain"], stats["visible_gradient"] = chain, grads[1]
        return grads, stats

    def check_batch(self, v):
        """The visible batch of a step in the compute dtype, its shape and values
        checked (before the cast); builds a fresh model from its width."""
        if not self.built:
            self.build(v.shape)
        return self._check(self._check_values(v, "x"), "x")

    def train_step(self, data):
        v = self.check_batch(self.unpack(data))
        grads, values, next_hidden = self._statistics(v, self._step_key(self.train_noise))
        # The gradient of the loss, in the variables' dtype, scaled as a loss
        # would be: a LossScaleOptimizer (mixed precision) divides it back.
        grads = [self.scaled_for_update(tf.cast(g, self.variable_dtype)) for g in grads]
        self.optimizer.apply(grads, [self.kernel, self.visible_bias, self.hidden_bias])
        if self.persistent:
            self.chains.assign(tf.cast(next_hidden, self.chains.dtype))
        return self.update_metrics(values)

    def test_step(self, data):
        v = self.check_batch(self.unpack(data))
        return self.update_metrics(self._statistics(v, self._step_key(self.test_noise))[1])

    def _statistics(self, v, key):
        """One step's CD gradients, metric values (before the update, like the
        gradients) and the chains' next hidden state (PCD; None otherwise), with
        noise drawn from ``key``."""
        with self._noise_from(key):
            grads, stats = self.contrastive_divergence(v)
            return grads, self._metric_values(v, stats), stats.get("next_hidden")

    def _metric_values(self, v, stats):
        """The loss and the monitored metrics from the step's statistics, in the variable dtype."""
        dtype = self.variable_dtype
        v, hidden_pre = tf.cast(v, dtype), tf.cast(stats["hidden_pre"], dtype)
        values = {"loss": self._free_energy_difference(v, stats)}
        if "free_energy" in self.monitor or "pseudo_ll" in self.monitor:
            values["free_energy"] = free_energy = self._free_energy_from(v, hidden_pre)
        if "reconstruction" in self.monitor:
            pre = self._visible_pre(tf.sigmoid(hidden_pre))
            if self.visible == "bernoulli":
                values["reconstruction"] = tf.reduce_sum(
                    tf.nn.sigmoid_cross_entropy_with_logits(labels=v, logits=pre), -1
                )
            else:
                values["reconstruction"] = tf.reduce_sum(tf.square(v - pre), -1)
        if "pseudo_ll" in self.monitor:
            unit = tf.random.stateless_uniform(
                [tf.shape(v)[0]], seed=self._draw_seed(), maxval=self.n_visible, dtype=tf.int32, alg=_noise_algorithm()
            )
            values["pseudo_ll"] = self.n_visible * self._log_conditional(v, hidden_pre, free_energy, unit)
        return values

    def _free_energy_difference(self, v, stats):
        """The loss ``mean F(v) - mean F(chain)`` in the variable dtype from the
        step's statistics. Bernoulli units: the visible terms ``-v.b`` of the two
        means differ by ``b . visible_gradient``, so only the softplus sums remain."""
        dtype = self.variable_dtype
        softplus_sums = [
            tf.reduce_sum(tf.math.softplus(tf.cast(stats[key], dtype))) / tf.cast(tf.shape(stats[key])[0], dtype)
            for key in ("hidden_pre", "chain_pre")
        ]
        if self.visible == "bernoulli":
            visible = tf.tensordot(tf.cast(self.visible_bias, dtype), tf.cast(stats["visible_gradient"], dtype), 1)
        else:
            visible = tf.reduce_mean(self._visible_energy(v, self.visible_bias)) - tf.reduce_mean(
                self._visible_energy(tf.cast(stats["chain"], dtype), self.visible_bias)
            )
        return visible - softplus_sums[0] + softplus_sums[1]

    def _log_conditional(self, v, hidden_pre, free_energy, unit):
        """``log p(v_i | v_-i) = log sigmoid(F(v with v_i flipped) - F(v))`` for
        unit ``unit[n]`` of each example n, ``[batch]`` (a flip maps v_i to 1 - v_i)."""
        kernel, bias = tf.cast(self.kernel, v.dtype), tf.cast(self.visible_bias, v.dtype)
        flip = 1.0 - 2.0 * tf.gather(v, unit, batch_dims=1)
        flipped_pre = hidden_pre + flip[:, None] * tf.gather(kernel, unit)
        flipped_energy = (
            -tf.linalg.matvec(v, bias) - flip * tf.gather(bias, unit) - tf.reduce_sum(tf.math.softplus(flipped_pre), -1)
        )
        return tf.math.log_sigmoid(flipped_energy - free_energy)

    def _pseudo_likelihood_inputs(self, v, method):
        if self.visible != "bernoulli":
            raise ValueError(f"{method} needs visible='bernoulli'. Received: visible='gaussian'")
        validation.built(self, method)
        v = self._check(self._check_values(v, "v"), dtype=self.variable_dtype)
        hidden_pre = self._hidden_pre(v)
        return v, hidden_pre, self._free_energy_from(v, hidden_pre)

    def pseudo_log_likelihood(self, v):
        """Exact pseudo-log-likelihood ``sum_i log p(v_i | v_-i)``, ``[batch]`` tensor.

        Sums all ``n_visible`` conditionals (``n_visible`` free energies per
        example); ``score_samples`` is scikit-learn's one-unit estimate of it.
        """
        v, hidden_pre, free_energy = self._pseudo_likelihood_inputs(v, "pseudo_log_likelihood")
        batch = tf.shape(v)[0]
        return tf.add_n(
            [
                self._log_conditional(v, hidden_pre, free_energy, tf.fill([batch], i))
                for i in range(self.n_visible)
            ]
        )

    # ----- partition function (tfdl.models.partition) ---------------------------------
    def log_partition(self, method="exact", num_betas=1000, num_runs=100, seed=None, data=None, verbose=0):
        """``log Z``, exactly or by annealed importance sampling.

        Args:
            method: ``"exact"`` sums over all states of the smaller layer
                (at most 25 units; the hidden layer for Gaussian visibles);
                ``"ais"`` anneals from a base RBM with zero weights
                (Salakhutdinov & Murray 2008).
            num_betas: AIS temperatures (``ais_schedule``); 14501 reproduces
                the paper's schedule.
            num_runs: AIS chains.
            seed: AIS seed.
            data: for AIS with Bernoulli visibles, binary data whose smoothed
                pixel means set the base-rate visible biases; default: the
                model's own visible biases.
            verbose: AIS only: 1 shows a progress bar over the temperatures
                (the schedule then runs in chunks; the estimate is the same).

        Returns:
            ``"exact"``: a float64 scalar tensor. ``"ais"``: an ``AISEstimate``
            ``(log_z, lower, upper)``; its first element is the estimate.
        """
        validation.one_of(method, ("exact", "ais"), "method")
        validation.built(self, "log_partition")
        if method == "exact":
            return self._exact_log_partition()
        return partition.ais(self, num_betas, num_runs, self._next_seed(seed), data, verbose)

    def _exact_log_partition(self):
        """Enumerates the smaller layer (the hidden one for Gaussian visibles),
        the other summed or integrated out in closed form."""
        if self.visible == "bernoulli":
            if min(self.n_visible, self.hidden_units) > MAX_ENUMERATED_UNITS:
                raise ValueError(self._too_many_units())
            return partition.rbm_log_partition(self.kernel, self.visible_bias, self.hidden_bias)
        if self.hidden_units > MAX_ENUMERATED_UNITS:
            raise ValueError(self._too_many_units())
        kernel = tf.cast(self.kernel, tf.float64)
        b, c = tf.cast(self.visible_bias, tf.float64), tf.cast(self.hidden_bias, tf.float64)

        def log_unnormalized(h):  # log of the Gaussian integral over v given h
            visible_pre = tf.matmul(h, kernel, transpose_b=True) + b
            visible_terms = 0.5 * tf.reduce_sum(tf.square(visible_pre), -1) - 0.5 * tf.reduce_sum(
                tf.square(b)
            ) + 0.5 * self.n_visible * math.log(2 * math.pi)
            return tf.linalg.matvec(h, c) + visible_terms

        return partition.exact_log_partition(log_unnormalized, self.hidden_units)

    def _too_many_units(self):
        return (
            f"Exact log Z enumerates the smaller layer, which needs at most {MAX_ENUMERATED_UNITS} "
            f"units. Received: n_visible={self.n_visible}, hidden_units={self.hidden_units}; use method='ais'."
        )

    # The annealing path of AIS (partition.Annealable): the visible biases move
    # from the base's to the model's, the weights and hidden biases grow from 0.
    def annealing_base(self, data=None):
        """Visible biases of the base RBM (zero weights): the model's own, or
        for Bernoulli units and ``data`` given, the logits of its smoothed means."""
        if data is not None and self.visible == "bernoulli":
            mean = np.clip(np.asarray(data, np.float64).mean(0), 0.0, 1.0)
            mean = (mean * len(data) + 0.05) / (len(data) + 0.1)
            return tf.constant(np.log(mean / (1.0 - mean)), self.kernel.dtype)
        return tf.convert_to_tensor(self.visible_bias)

    def base_log_partition(self, base_bias):
        """``log Z`` of the base RBM: its visible units are independent, its hidden units uniform."""
        if self.visible == "bernoulli":
            log_z = tf.reduce_sum(tf.math.softplus(tf.cast(base_bias, tf.float64)))
        else:
            log_z = tf.constant(0.5 * self.n_visible * math.log(2 * math.pi), tf.float64)
        return log_z + self.hidden_units * math.log(2.0)

    def sample_base(self, base_bias, num, seed):
        """``num`` visible vectors of the base RBM (variable dtype)."""
        key, dtype = tf.constant([seed, 0], tf.int64), self.variable_dtype  # drawn in float32, as all noise
        if self.visible == "gaussian":
            return base_bias + tf.cast(tf.random.stateless_normal([num, self.n_visible], seed=key), dtype)
        return _bernoulli(
            tf.broadcast_to(tf.sigmoid(base_bias), [num, self.n_visible]),
            tf.cast(tf.random.stateless_uniform([num, self.n_visible], seed=key), dtype),
        )

    def annealed_log_prob(self, v, beta, base_bias):
        """``log p*_beta(v)``: free energy of the RBM with visible biases
        ``(1 - beta) base + beta b`` and weights and hidden biases times ``beta``."""
        bias = (1.0 - beta) * base_bias + beta * self.visible_bias
        return -self._visible_energy(v, bias) + tf.reduce_sum(
            tf.math.softplus(beta * (tf.matmul(v, self.kernel) + self.hidden_bias)), -1
        )

    def annealed_transition(self, v, beta, base_bias, key):
        """One block-Gibbs sweep v -> h -> v' of ``p*_beta``."""
        noise_h, noise_v = self._stateless_noise((tf.shape(v) * [1, 0] + [0, self.hidden_units], tf.shape(v)), key, v.dtype)
        h = _bernoulli(tf.sigmoid(beta * (tf.matmul(v, self.kernel) + self.hidden_bias)), noise_h)
        pre = (1.0 - beta) * base_bias + beta * (tf.matmul(h, self.kernel, transpose_b=True) + self.visible_bias)
        return pre + noise_v if self.visible == "gaussian" else _bernoulli(tf.sigmoid(pre), noise_v)

    def log_prob(self, v, log_z=None):
        """``log p(v) = -F(v) - log Z`` in nats, ``[batch]``.

        Exact when ``log_z`` is exact. Args: ``log_z``: a precomputed log Z
        (e.g. ``log_partition("ais").log_z``); default: ``log_partition("exact")``,
        which needs a layer of at most 25 units.
        """
        validation.built(self, "log_prob")
        if log_z is None:
            log_z = self._exact_log_partition()
        log_z = log_z[0] if isinstance(log_z, AISEstimate) else log_z
        if self.visible == "bernoulli":
            v = validation.binary(v, "v")
        return -tf.cast(self.free_energy(v), tf.float64) - tf.cast(log_z, tf.float64)

    def get_config(self):
        config = super().get_config()
        config.update(
            hidden_units=self.hidden_units,
            visible=self.visible,
            k=self.k,
            persistent=self.persistent,
            num_chains=self.num_chains,
            seed=self.seed,
            monitor=list(self.monitor),
            accept_probabilities=self.accept_probabilities,
        )
        return config
