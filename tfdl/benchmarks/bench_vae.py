"""VAE benchmarks: keras.io-architecture training throughput and IWAE evaluation time.

The peer is the keras.io "Variational AutoEncoder" design written here from
its description: functional encoder (conv 32/64 stride 2, dense 16, latent 2,
a sampling layer) and decoder (sigmoid output), a ``keras.Model`` whose
``train_step`` adds binary cross-entropy summed over pixels and the
closed-form KL. Ours is ``tfdl.models.VAE`` on ``conv_pair`` (logits, the
closed-form Bernoulli log-likelihood). Both train on the same 28x28
Fashion-MNIST images in [0, 1], batch 128, with XLA off and on.

The two training steps are the same computation: the same 14 convolutions
and 12 matrix products in their XLA programs, the loss differing by a few
element-wise ops. On a shared CPU single timings differ by more than that,
so each value is the median of ``ROUNDS`` epochs taken in turns, in
alternating order, in wall time and in this process's CPU time. On CPU, XLA
slows both down alike: its convolutions take about 1.5x the CPU time of
TensorFlow's own kernels for the keras.io decoder (forward and backward).

``log_prob`` with k = 1000 costs about 44 MFLOP per decoder call and
k x images decoder calls, hours for 10k images on two CPU cores; the
benchmark times a slice of the test set and also reports the linear
extrapolation to 10k images. The peer there is the direct loop: one decoder
call per importance sample.
"""

import math

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from tfdl import bench
from tfdl.timing import interleaved_medians
from tfdl.models import VAE
from tfdl.models.vae import conv_pair

NEEDS_FASHION_MNIST = True
BATCH = 128
EXAMPLES_PER_CALL = BATCH * 10
ROUNDS = 5
LOG_PROB_IMAGES = 10
LOG_PROB_K = 1000


class PeerSampling(layers.Layer):
    """z = mean + exp(log_var / 2) * eps."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = inputs
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps


def peer_models():
    inputs = keras.Input((28, 28, 1))
    h = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(inputs)
    h = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Dense(16, activation="relu")(layers.Flatten()(h))
    mean, log_var = layers.Dense(2)(h), layers.Dense(2)(h)
    encoder = keras.Model(inputs, [mean, log_var, PeerSampling(seed=0)([mean, log_var])])
    z = keras.Input((2,))
    h = layers.Reshape((7, 7, 64))(layers.Dense(7 * 7 * 64, activation="relu")(z))
    h = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(h)
    outputs = layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid")(h)
    return encoder, keras.Model(z, outputs)


class PeerVAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder
        self.trackers = [keras.metrics.Mean(name=n) for n in ("loss", "reconstruction_loss", "kl_loss")]

    @property
    def metrics(self):
        return self.trackers

    def train_step(self, data):
        with tf.GradientTape() as tape:
            mean, log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = ops.mean(
                ops.sum(keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2))
            )
            kl = -0.5 * (1 + log_var - ops.square(mean) - ops.exp(log_var))
            kl_loss = ops.mean(ops.sum(kl, axis=1))
            loss = reconstruction_loss + kl_loss
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        for tracker, value in zip(self.trackers, (loss, reconstruction_loss, kl_loss)):
            tracker.update_state(value)
        return {t.name: t.result() for t in self.trackers}


def fit_step(model, x, jit_compile):
    """One call: an epoch over ``EXAMPLES_PER_CALL`` images."""
    model.compile(optimizer="adam", jit_compile=jit_compile)
    x = x[:EXAMPLES_PER_CALL]
    return lambda: model.fit(x, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)


def peer_log_prob(encoder, decoder):
    """Direct IWAE: one decoder call per importance sample; returns ``f(x, k)``."""

    @tf.function
    def log_weight(x, mean, log_var, seed):
        eps = tf.random.stateless_normal(tf.shape(mean), seed)
        z = mean + tf.exp(0.5 * log_var) * eps
        p = tf.clip_by_value(decoder(z), 1e-7, 1 - 1e-7)
        log_px = tf.reduce_sum(x * tf.math.log(p) + (1 - x) * tf.math.log(1 - p), axis=(1, 2, 3))
        log_pz = -0.5 * tf.reduce_sum(z**2 + math.log(2 * math.pi), axis=1)
        log_qz = -0.5 * tf.reduce_sum(eps**2 + log_var + math.log(2 * math.pi), axis=1)
        return log_px + log_pz - log_qz

    def log_prob(x, k):
        mean, log_var, _ = encoder(x)
        weights = tf.stack([log_weight(x, mean, log_var, tf.constant([i, 0])) for i in range(k)])
        return tf.reduce_logsumexp(weights, axis=0) - math.log(k)

    return log_prob


def run(quick=False):
    """Quick: XLA off only, 3 rounds, no log_prob."""
    x = bench.fashion_mnist("train", binarize=None, flatten=False)
    x_test = bench.fashion_mnist("test", binarize=None, flatten=False)
    results = []
    task = "keras.io VAE (conv 32/64, dense 16, latent 2) train, batch 128, 28x28"
    for jit in (False,) if quick else (False, True):
        keras.utils.set_random_seed(0)
        ours = VAE(*conv_pair((28, 28, 1), latent_dim=2), seed=0)
        peer = PeerVAE(*peer_models())
        rounds = 3 if quick else ROUNDS
        wall, cpu = interleaved_medians([fit_step(ours, x, jit), fit_step(peer, x, jit)], rounds)
        for seconds, unit, what in ((wall, "examples/s", "wall"), (cpu, "examples per CPU-second", "cpu")):
            results.append(bench.Result(
                f"vae/train_xla_{'on' if jit else 'off'}_{what}_vs_keras_io", "vae",
                f"{task}, XLA {'on' if jit else 'off'}, median of {rounds}", "tfdl.models.VAE",
                "functional Keras + keras.io-style train_step",
                EXAMPLES_PER_CALL / seconds[0], EXAMPLES_PER_CALL / seconds[1], unit,
            ))
    if quick:
        return results
    images = x_test[:LOG_PROB_IMAGES]
    peer_iwae = peer_log_prob(peer.encoder, peer.decoder)
    (ours_s, peer_s), _ = interleaved_medians(
        [lambda: np.asarray(ours.log_prob(images, num_samples=LOG_PROB_K, seed=0)),
         lambda: np.asarray(peer_iwae(images, LOG_PROB_K))],
        rounds=3, warmup=1,
    )
    results.append(bench.Result(
        "vae/log_prob_vs_decoder_loop", "vae", f"log_prob k={LOG_PROB_K} on {LOG_PROB_IMAGES} test images (keras.io VAE)",
        "VAE.log_prob (chunked)", "loop of k decoder calls", ours_s, peer_s, "s",
        higher_is_better=False,
    ))
    scale = 10_000 / LOG_PROB_IMAGES
    results.append(bench.Result(
        "vae/log_prob_10k_extrapolated_vs_decoder_loop", "vae",
        f"log_prob k={LOG_PROB_K} on 10k test images, extrapolated x{scale:.0f}",
        "VAE.log_prob (chunked)", "loop of k decoder calls", ours_s * scale, peer_s * scale, "s",
        higher_is_better=False,
    ))
    return results
