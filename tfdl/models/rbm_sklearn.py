"""scikit-learn's ``BernoulliRBM`` interface for ``tfdl.models.RBM``.

``score_samples``, ``components_``, ``partial_fit`` and ``fit_transform``
with scikit-learn's meaning, on top of the RBM's own methods: code written for
``sklearn.neural_network.BernoulliRBM`` runs on a tfdl RBM.
"""

import numpy as np


class BernoulliRBMInterface:
    """Mixin placed before the training base of ``RBM``.

    Uses the RBM's ``kernel``, ``n_visible``, ``train_on_batch``, ``fit``,
    ``predict``, ``_pseudo_likelihood_inputs``, ``_log_conditional`` and
    ``_next_seed``.
    """

    def score_samples(self, v, seed=None):
        """Pseudo-log-likelihood as scikit-learn's ``BernoulliRBM.score_samples``.

        Flips one unit ``i`` per example, drawn uniformly, and returns
        ``n_visible * log sigmoid(F(v with v_i flipped) - F(v))``: an unbiased
        but noisy estimate of ``pseudo_log_likelihood(v)`` (all units, exact).
        With an int ``seed`` the units are those ``BernoulliRBM(random_state=seed)``
        flips (``np.random.RandomState(seed).randint(0, n_visible, batch)``).

        Args:
            v: ``[batch, n_visible]`` binary (or in [0, 1] with
                ``accept_probabilities``).
            seed: int seed of the flipped units, or None.

        Returns:
            ``[batch]`` NumPy array (variable dtype).
        """
        v, hidden_pre, free_energy = self._pseudo_likelihood_inputs(v, "score_samples")
        units = np.random.RandomState(self._next_seed(seed)).randint(0, self.n_visible, v.shape[0])
        return (self.n_visible * self._log_conditional(v, hidden_pre, free_energy, units)).numpy()

    @property
    def components_(self):
        """The kernel's transpose, ``[hidden_units, n_visible]``, as a read-only NumPy
        snapshot (scikit-learn's ``components_``; assign to ``kernel`` to change it)."""
        components = self.kernel.numpy().T
        components.flags.writeable = False
        return components

    def partial_fit(self, x):
        """One update on all of ``x`` as a single batch (``train_on_batch``), as
        scikit-learn's ``partial_fit``; needs ``compile``. Returns the model."""
        self.train_on_batch(x)
        return self

    def fit_transform(self, x, **kwargs):
        """``fit(x, **kwargs)``, then the hidden probabilities of ``x`` as NumPy
        ``[n, hidden_units]`` (scikit-learn's ``fit_transform``)."""
        self.fit(x, **kwargs)
        return np.asarray(self.predict(x, batch_size=kwargs.get("batch_size"), verbose=0))
