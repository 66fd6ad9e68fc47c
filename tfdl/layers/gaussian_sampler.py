"""The reparameterization trick: a differentiable sample from N(mean, exp(log_var))."""

import keras
from keras import ops

from tfdl import validation


@keras.saving.register_keras_serializable(package="tfdl")
class GaussianSampler(keras.layers.Layer):
    """Draws ``z = mean + exp(0.5 * log_var) * eps`` with ``eps ~ N(0, I)``.

    The noise ``eps`` does not depend on the inputs, so gradients flow to
    ``mean`` (dz/dmean = 1) and ``log_var`` (dz/dlog_var = 0.5 * exp(0.5 *
    log_var) * eps): the reparameterization trick of Kingma & Welling,
    "Auto-Encoding Variational Bayes" (2014), section 2.4.

    Args:
        seed: integer seed of the layer's ``keras.random.SeedGenerator``;
            the same seed draws the same sequence of ``eps``.

    Call arguments:
        inputs: a pair ``[mean, log_var]`` of tensors with the same shape.

    Input shape: two tensors ``[batch, latent_dim]`` (any equal shapes).
    Output shape: the shape of ``mean``.

    Example:

    >>> sampler = GaussianSampler(seed=0)
    >>> z = sampler([keras.ops.zeros((4, 2)), keras.ops.zeros((4, 2))])
    >>> tuple(z.shape)
    (4, 2)
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = validation.seed(seed, allow_none=True)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            received = f"a list of {len(inputs)}" if isinstance(inputs, (list, tuple)) else "one tensor"
            raise ValueError(f"Expected inputs as a pair [mean, log_var]. Received: inputs as {received}")
        mean, log_var = inputs
        if tuple(mean.shape) != tuple(log_var.shape):
            raise ValueError(
                "Expected inputs [mean, log_var] of one shape. "
                f"Received: inputs with shapes {tuple(mean.shape)} and {tuple(log_var.shape)}"
            )
        eps = keras.random.normal(ops.shape(mean), dtype=mean.dtype, seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
