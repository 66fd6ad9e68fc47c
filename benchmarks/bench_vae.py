"""VAE benchmarks: keras.io-architecture training throughput and IWAE evaluation time.

The peer is the keras.io "Variational AutoEncoder" design written here from
its description: functional encoder (conv 32/64 stride 2, dense 16, latent 2,
a sampling layer) and decoder (sigmoid output), a ``keras.Model`` whose
``train_step`` adds binary cross-entropy summed over pixels and the
closed-form KL. Ours is ``tfdl.models.VAE`` on ``conv_pair`` (logits, a
Bernoulli ``tfp`` likelihood). Both train on the same 28x28 Fashion-MNIST
images in [0, 1], batch 128, with XLA off and on.

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
from tfdl.models import VAE
from tfdl.models.vae import conv_pair

BATCH = 128
EXAMPLES_PER_CALL = BATCH * 10
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


def interleaved_best(measure, fns, rounds=3):
    """Best of ``rounds`` measurements of each function, taken in turns.

    The CPU is shared: taking turns exposes both sides to the same load.
    """
    values = [[measure(fn, first=r == 0) for fn in fns] for r in range(rounds)]
    return [max(column) for column in zip(*values)]


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


def run():
    x = bench.fashion_mnist("train", binarize=None, flatten=False)
    x_test = bench.fashion_mnist("test", binarize=None, flatten=False)
    results = []
    task = "keras.io VAE (conv 32/64, dense 16, latent 2) train, batch 128, 28x28"
    for jit in (False, True):
        keras.utils.set_random_seed(0)
        ours = VAE(*conv_pair((28, 28, 1), latent_dim=2), seed=0)
        peer = PeerVAE(*peer_models())
        ours_value, peer_value = interleaved_best(
            lambda step, first: bench.throughput(step, EXAMPLES_PER_CALL, 3.0, warmup=2 if first else 0),
            [fit_step(ours, x, jit), fit_step(peer, x, jit)],
        )
        results.append(bench.Result(
            "vae", f"{task}, XLA {'on' if jit else 'off'}", "tfdl.models.VAE",
            "functional Keras + keras.io-style train_step", ours_value, peer_value, "examples/s",
        ))
    images = x_test[:LOG_PROB_IMAGES]
    peer_iwae = peer_log_prob(peer.encoder, peer.decoder)
    ours_rate, peer_rate = interleaved_best(
        lambda fn, first: 1.0 / bench.seconds(fn, 2 if first else 1),
        [lambda: np.asarray(ours.log_prob(images, num_samples=LOG_PROB_K, seed=0)),
         lambda: np.asarray(peer_iwae(images, LOG_PROB_K))],
        rounds=2,
    )
    ours_s, peer_s = 1.0 / ours_rate, 1.0 / peer_rate
    results.append(bench.Result(
        "vae", f"log_prob k={LOG_PROB_K} on {LOG_PROB_IMAGES} test images (keras.io VAE)",
        "VAE.log_prob (chunked)", "loop of k decoder calls", ours_s, peer_s, "s",
        higher_is_better=False,
    ))
    scale = 10_000 / LOG_PROB_IMAGES
    results.append(bench.Result(
        "vae", f"log_prob k={LOG_PROB_K} on 10k test images, extrapolated x{scale:.0f}",
        "VAE.log_prob (chunked)", "loop of k decoder calls", ours_s * scale, peer_s * scale, "s",
        higher_is_better=False,
    ))
    return results
