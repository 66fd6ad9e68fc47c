"""Bad input, fed to every public model and layer as a careless user would (issue 20).

Each case is a call that must either raise a ``ValueError`` whose message
names the argument (``match=``) or return a documented, correct result
(``Handled``: uint8 images converted, grey values taken by a model with a
[0, 1] likelihood, an unbuilt model built by ``sample``). The categories:
wrong dtype, range (grey values, 0..255 floats, uint8 0..255), shape, rank,
NaN/inf, empty, wrong container, labels given to an unsupervised ``fit``,
unbuilt state, and bad arguments (seeds 2.5 / '1' / 2**32 + 7 / -1, strings as
booleans, ``beta=nan``, ``batch_size=0``). Data reach the models as arrays,
through generators and through ``tf.data`` (checked per batch inside the
compiled step, whose assertion ``fit`` turns into the same ValueError).

``CASES`` is a plain list so a script can run the same cases and count the
outcomes (clear error / handled / silent / unclear).
"""

import math
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdl import data
from tfdl.layers import DiagonalBiLSTM, ElmanCell, GaussianSampler, MaskedConv2D, MaskedDense, RowLSTM
from tfdl.layers import made_masks, pixelcnn_mask
from tfdl.models import (
    DBN, MADE, NADE, RBM, VAE, AutoencoderLayer, Autoencoder, PixelCNN, PixelRNN, StackedAutoencoder,
    deep_rnn, encoder_decoder, greedy_layerwise, one_to_many, one_to_one, recurrent_layer, recurrent_stack,
    to_classifier,
)
from tfdl.models.vae import dense_pair

D, IMAGE = 6, (4, 4, 1)
_rng = np.random.default_rng(0)
BINARY = (_rng.random((8, D)) < 0.5).astype("float32")
GREY = np.full((8, D), 0.5, "float32")
FLOAT_255 = BINARY * 255.0
UINT8_BINARY = BINARY.astype("uint8")
UINT8_255 = (BINARY * 255).astype("uint8")
REAL = _rng.normal(size=(8, D)).astype("float32")
EMPTY = np.zeros((0, D), "float32")
IMAGES = (_rng.random((4, *IMAGE)) < 0.5).astype("float32")
LEVELS = np.floor(_rng.random((4, *IMAGE)) * 256).astype("float32")


def with_value(x, index, value):
    """A copy of ``x`` with ``value`` at ``index`` (the first bad value a check must report)."""
    x = np.array(x, "float32")
    x[index] = value
    return x


NAN = with_value(BINARY, (2, 3), np.nan)
INF = with_value(BINARY, (2, 3), np.inf)
HALF = with_value(BINARY, (2, 3), 0.5)
NAN_IMAGES = with_value(IMAGES, (1, 2, 3, 0), np.nan)
HALF_IMAGES = with_value(IMAGES, (1, 2, 3, 0), 0.5)
BAD_SEEDS = [2.5, "1", 2**32 + 7, -1]


class Handled:
    """A documented result: ``check(result)`` is True when the call did the right thing."""

    def __init__(self, check, what):
        self.check, self.what = check, what

    def __repr__(self):
        return f"Handled({self.what})"


def finite(result):
    return bool(np.all(np.isfinite(np.asarray(result))))


def _compiled(model):
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    return model


def made():
    return _compiled(MADE(D, (8,), seed=0))


def nade():
    return _compiled(NADE(D, 4, seed=0))


def rbm(visible="bernoulli"):
    return _compiled(RBM(4, visible=visible, seed=0))


def built_rbm(visible="bernoulli"):
    model = rbm(visible)
    model.build((None, D))
    return model


def dbn():
    return _compiled(DBN((4, 3), seed=0))


def vae(likelihood="bernoulli"):
    return _compiled(VAE(*dense_pair((D,), 2, hidden=(4,)), likelihood=likelihood, seed=0))


def autoencoder(likelihood="bernoulli"):
    return _compiled(Autoencoder(*dense_pair((D,), 2, hidden=(4,), variational=False), likelihood=likelihood))


def pixelcnn(distribution="bernoulli"):
    return _compiled(PixelCNN(IMAGE, filters=4, num_residual=1, kernel_size=3, num_head=1,
                              likelihood=distribution, seed=0))


def pixelrnn(kind="row_lstm"):
    return _compiled(PixelRNN(IMAGE, kind=kind, num_layers=1, units=2, seed=0))


def stacked():
    return StackedAutoencoder((4, 3), seed=0)


def autoencoder_layer():
    return _compiled(AutoencoderLayer(4, seed=0))


def dataset(x, y=None):
    return tf.data.Dataset.from_tensor_slices(x if y is None else (x, y)).batch(4)


def generator(x):
    def batches():
        while True:
            for start in range(0, len(x), 4):
                yield (x[start : start + 4],)

    return batches()


def fit(factory, x, **kwargs):
    if not isinstance(x, np.ndarray) and not isinstance(x, str):
        kwargs.update(steps_per_epoch=2, shuffle=False)  # a pipeline shuffles itself
    return lambda: factory().fit(x, epochs=1, verbose=0, **kwargs).history["loss"]


CASES = []


def case(case_id, call, expected):
    """Adds a case: ``expected`` is a regex the ValueError must match, or a ``Handled``."""
    CASES.append(pytest.param(call, expected, id=case_id))


# ----- values: binary models refuse anything but 0/1, every model refuses NaN/inf ------------------
BINARY_MODELS = {"MADE": made, "NADE": nade, "RBM": rbm}
for name, factory in BINARY_MODELS.items():
    for label, x, shown in [("grey", HALF, "0.5"), ("255", FLOAT_255, "255"), ("nan", NAN, "nan"),
                            ("inf", INF, "inf")]:
        index = r"\[0, \d\]" if label == "255" else r"\[2, 3\]"
        case(f"{name}.fit-array-{label}", fit(factory, x), rf"\bx{index}={shown}")
    case(f"{name}.fit-uint8-255", fit(factory, UINT8_255), r"\bx\[0, \d\]=255")
    case(f"{name}.fit-dataset-grey", fit(factory, dataset(HALF)), r"\bx\[2, 3\]=0\.5")
    case(f"{name}.fit-generator-nan", fit(factory, generator(NAN)), r"\bx\[2, 3\]=nan")
    case(f"{name}.fit-uint8-binary", fit(factory, UINT8_BINARY), Handled(finite, "uint8 0/1 converted"))
    case(f"{name}.evaluate-grey", lambda f=factory: f().evaluate(HALF, verbose=0), r"\bx\[2, 3\]=0\.5")
    case(f"{name}.predict-nan", lambda f=factory: f().predict(NAN, verbose=0), r"\bx\[2, 3\]=nan")
    case(f"{name}.predict-dataset-255", lambda f=factory: f().predict(dataset(FLOAT_255), verbose=0),
         r"\bx\[0, \d\]=255")

case("MADE.log_prob-grey", lambda: made().log_prob(HALF), r"\bx\[2, 3\]=0\.5")
case("NADE.log_prob-nan", lambda: nade().log_prob(NAN), r"\bx\[2, 3\]=nan")
case("RBM.log_prob-grey", lambda: built_rbm().log_prob(HALF), r"\bv\[2, 3\]=0\.5")
case("RBM.transform-255", lambda: built_rbm().transform(FLOAT_255), r"\bv\[0, \d\]=255")
case("RBM.transform-nan", lambda: built_rbm().transform(NAN), r"\bv\[2, 3\]=nan")
case("RBM.transform-grey", lambda: built_rbm().transform(GREY),
     Handled(lambda r: finite(r) and np.shape(r) == (8, 4), "grey values are mean-field inputs"))
case("RBM.score_samples-nan", lambda: built_rbm().score_samples(NAN), r"\bv\[2, 3\]=nan")
case("RBM.gibbs-nan", lambda: built_rbm().gibbs(NAN), r"\bv\[2, 3\]=nan")
case("RBM.free_energy-inf", lambda: built_rbm().free_energy(INF), r"\bv\[2, 3\]=inf")
case("RBM-gaussian.fit-nan", fit(lambda: rbm("gaussian"), NAN), r"\bx\[2, 3\]=nan")
case("RBM-gaussian.fit-dataset-inf", fit(lambda: rbm("gaussian"), dataset(INF)), r"\bx\[2, 3\]=inf")
case("RBM-gaussian.fit-real", fit(lambda: rbm("gaussian"), REAL), Handled(finite, "real values outside [0, 1]"))
case("RBM-gaussian.transform-nan", lambda: built_rbm("gaussian").transform(NAN), r"\bv\[2, 3\]=nan")
case("DBN.fit-grey", fit(dbn, HALF), r"\bx\[2, 3\]=0\.5")
case("DBN.fit-nan", fit(dbn, NAN), r"\bx\[2, 3\]=nan")
case("DBN.transform-nan", lambda: (lambda m: (m.fit(BINARY, verbose=0), m.transform(NAN)))(dbn()),
     r"\bv\[2, 3\]=nan")
case("DBN.predict-255", lambda: (lambda m: (m.fit(BINARY, verbose=0), m.predict(FLOAT_255, verbose=0)))(dbn()),
     r"\bx\[0, \d\]=255")

# Bernoulli VAE/autoencoder: [0, 1] (grey values are fine), uint8 converted; Gaussian: finite
for name, factory in {"VAE": vae, "Autoencoder": autoencoder}.items():
    case(f"{name}.fit-255", fit(factory, FLOAT_255), r"\bx\[0, \d\]=255")
    case(f"{name}.fit-nan", fit(factory, NAN), r"\bx\[2, 3\]=nan")
    case(f"{name}.fit-dataset-255", fit(factory, dataset(FLOAT_255)), r"\bx\[0, \d\]=255")
    case(f"{name}.fit-dataset-nan", fit(factory, dataset(NAN)), r"\bx\[2, 3\]=nan")
    case(f"{name}.fit-generator-inf", fit(factory, generator(INF)), r"\bx\[2, 3\]=inf")
    case(f"{name}.fit-grey", fit(factory, GREY), Handled(finite, "grey values in [0, 1]"))
    case(f"{name}.fit-uint8-binary", fit(factory, UINT8_BINARY), Handled(finite, "uint8 0/1 converted"))
    case(f"{name}.fit-uint8-255", fit(factory, UINT8_255), r"\bx\[0, \d\]=255")
    case(f"{name}.predict-255", lambda f=factory: f().predict(FLOAT_255, verbose=0), r"\bx\[0, \d\]=255")
    case(f"{name}.predict-nan", lambda f=factory: f().predict(NAN, verbose=0), r"\bx\[2, 3\]=nan")
    case(f"{name}.predict-dataset-nan", lambda f=factory: f().predict(dataset(NAN), verbose=0),
         r"\bx\[2, 3\]=nan")
    case(f"{name}.evaluate-inf", lambda f=factory: f().evaluate(INF, verbose=0), r"\bx\[2, 3\]=inf")
    case(f"{name}.encode-nan", lambda f=factory: f().encode(NAN), r"\bx\[2, 3\]=nan")
    case(f"{name}-gaussian.fit-nan", fit(lambda f=factory: f("gaussian"), NAN), r"\bx\[2, 3\]=nan")
    case(f"{name}-gaussian.fit-dataset-inf", fit(lambda f=factory: f("gaussian"), dataset(INF)),
         r"\bx\[2, 3\]=inf")
    case(f"{name}-gaussian.fit-real", fit(lambda f=factory: f("gaussian"), REAL),
         Handled(finite, "real values outside [0, 1]"))
case("VAE.elbo-nan", lambda: vae().elbo(NAN), r"\bx\[2, 3\]=nan")
case("VAE.log_prob-255", lambda: vae().log_prob(FLOAT_255, num_samples=2), r"\bx\[0, \d\]=255")

# Pixel models: Bernoulli 0/1, categorical integers 0..255; uint8 converted
PIXEL_MODELS = {"PixelCNN": pixelcnn, "PixelRNN-row": pixelrnn,
                "PixelRNN-diagonal": lambda: pixelrnn("diagonal_bilstm")}
for name, factory in PIXEL_MODELS.items():
    case(f"{name}.fit-grey", fit(factory, HALF_IMAGES), r"\bx\[1, 2, 3, 0\]=0\.5")
    case(f"{name}.fit-nan", fit(factory, NAN_IMAGES), r"\bx\[1, 2, 3, 0\]=nan")
    case(f"{name}.fit-dataset-nan", fit(factory, dataset(NAN_IMAGES)), r"\bx\[1, 2, 3, 0\]=nan")
    case(f"{name}.fit-uint8-binary", fit(factory, IMAGES.astype("uint8")), Handled(finite, "uint8 converted"))
    case(f"{name}.log_prob-uint8", lambda f=factory: f().log_prob(IMAGES.astype("uint8")),
         Handled(lambda r: finite(r) and np.all(np.asarray(r) < 0), "uint8 converted"))
    case(f"{name}.predict-nan", lambda f=factory: f().predict(NAN_IMAGES, verbose=0), r"\bx\[1, 2, 3, 0\]=nan")
case("PixelCNN-categorical.log_prob-uint8", lambda: pixelcnn("categorical").log_prob(LEVELS.astype("uint8")),
     Handled(lambda r: finite(r) and np.all(np.asarray(r) < 0), "uint8 0..255 converted"))
case("PixelCNN-categorical.fit-uint8", fit(lambda: pixelcnn("categorical"), LEVELS.astype("uint8")),
     Handled(finite, "uint8 0..255 converted"))
case("PixelCNN-categorical.fit-grey", fit(lambda: pixelcnn("categorical"), LEVELS / 255.0 + 0.001),
     r"\bx\[0, 0, 0, 0\]=0\.")

# Stacked autoencoders
case("StackedAutoencoder.pretrain-255", lambda: stacked().pretrain(FLOAT_255, epochs=1), r"\bx\[0, \d\]=255")
case("StackedAutoencoder.pretrain-nan", lambda: stacked().pretrain(NAN, epochs=1), r"\bx\[2, 3\]=nan")
case("StackedAutoencoder.transform-nan", lambda: (lambda m: (m.build((None, D)), m.transform(NAN)))(stacked()),
     r"\bx\[2, 3\]=nan")
case("StackedAutoencoder.predict-nan",
     lambda: (lambda m: (m.build((None, D)), m.predict(NAN, verbose=0)))(stacked()), r"\bx\[2, 3\]=nan")
case("StackedAutoencoder.predict-empty",
     lambda: (lambda m: (m.build((None, D)), m.predict(EMPTY, verbose=0)))(stacked()), r"\bx\b.*empty")
case("AutoencoderLayer.fit-255", fit(autoencoder_layer, FLOAT_255), r"\bx\[0, \d\]=255")
case("AutoencoderLayer.fit-dataset-nan", fit(autoencoder_layer, dataset(NAN)), r"\bx\[2, 3\]=nan")
case("AutoencoderLayer.fit-grey", fit(autoencoder_layer, GREY), Handled(finite, "grey values in [0, 1]"))
case("greedy_layerwise-nan", lambda: greedy_layerwise([rbm()], NAN, epochs=1), r"\bx\[2, 3\]=nan")

# ----- shape, rank, wrong dtype, wrong container, empty ------------------------------------------
ALL_VECTOR = {"MADE": made, "NADE": nade, "RBM": built_rbm, "VAE": vae, "Autoencoder": autoencoder,
              "AutoencoderLayer": autoencoder_layer}
for name, factory in ALL_VECTOR.items():
    case(f"{name}.fit-empty", fit(factory, EMPTY), r"\bx\b.*empty|empty.*\bx\b")
    case(f"{name}.fit-batch_size-0", fit(factory, BINARY, batch_size=0), r"batch_size=0")
    case(f"{name}.fit-labels", lambda f=factory: f().fit(BINARY, BINARY, verbose=0), r"\by\b")
    case(f"{name}.fit-dataset-labels", fit(factory, dataset(BINARY, np.arange(8))), r"\by\b")
    case(f"{name}.predict-empty", lambda f=factory: f().predict(EMPTY, verbose=0), r"\bx\b.*empty|empty.*\bx\b")
    if name != "AutoencoderLayer":  # builds from its first batch, any width
        case(f"{name}.fit-width", fit(factory, BINARY[:, :5]), r"\bx\b.*shape")
    case(f"{name}.fit-rank3", fit(factory, BINARY[:, :, None]), r"\bx\b.*shape")
    case(f"{name}.fit-string", fit(factory, "abc"), r"\bx\b")
    case(f"{name}.fit-bool", fit(factory, BINARY.astype(bool)), Handled(finite, "booleans are 0/1"))
for name, factory in {"PixelCNN": pixelcnn, "PixelRNN": pixelrnn}.items():
    case(f"{name}.fit-empty", fit(factory, IMAGES[:0]), r"\bx\b.*empty|empty.*\bx\b")
    case(f"{name}.fit-labels", lambda f=factory: f().fit(IMAGES, IMAGES, verbose=0), r"\by\b")
    case(f"{name}.fit-batch_size-0", fit(factory, IMAGES, batch_size=0), r"batch_size=0")
    case(f"{name}.log_prob-rank3", lambda f=factory: f().log_prob(IMAGES[..., 0]), r"\bx\b.*shape")
    case(f"{name}.log_prob-shape", lambda f=factory: f().log_prob(IMAGES[:, :3]), r"\bx\b.*shape")
    case(f"{name}.log_prob-string", lambda f=factory: f().log_prob("abc"), r"\bx\b")
case("MADE.log_prob-list-of-strings", lambda: made().log_prob([["a"] * D]), r"\bx\b")
case("DBN.fit-empty", fit(dbn, EMPTY), r"\bx\b.*empty|empty.*\bx\b")
case("DBN.fit-batch_size-0", fit(dbn, BINARY, batch_size=0), r"batch_size=0")
case("DBN.fit-dataset", lambda: dbn().fit(dataset(BINARY), verbose=0), r"\bx\b")
case("StackedAutoencoder.pretrain-empty", lambda: stacked().pretrain(EMPTY, epochs=1),
     r"\bx\b.*empty|empty.*\bx\b")
case("StackedAutoencoder.pretrain-batch_size-0", lambda: stacked().pretrain(BINARY, epochs=1, batch_size=0),
     r"batch_size=0")
case("VAE.log_prob-empty", lambda: vae().log_prob(EMPTY, num_samples=2), r"\bx\b.*empty|empty.*\bx\b")

# ----- unbuilt models --------------------------------------------------------------------------------
UNBUILT = "call the model on data, or build\\(input_shape\\), first"
case("MADE.sample-unbuilt", lambda: MADE(D, (8,), seed=0).sample(3, seed=0),
     Handled(lambda r: np.shape(r) == (3, D) and set(np.unique(r)) <= {0.0, 1.0}, "builds itself"))
case("NADE.sample-unbuilt", lambda: NADE(D, 4, seed=0).sample(3, seed=0),
     Handled(lambda r: np.shape(r) == (3, D), "builds itself"))
case("RBM.sample-unbuilt", lambda: RBM(4, seed=0).sample(2, steps=2, seed=0), UNBUILT)
case("RBM.transform-unbuilt", lambda: RBM(4, seed=0).transform(BINARY), UNBUILT)
case("RBM.log_prob-unbuilt", lambda: RBM(4, seed=0).log_prob(BINARY), UNBUILT)
case("RBM.components_-unbuilt", lambda: RBM(4, seed=0).components_, UNBUILT)
case("DBN.sample-unbuilt", lambda: DBN((4, 3), seed=0).sample(2, steps=2, seed=0), UNBUILT)
case("StackedAutoencoder.to_classifier-unbuilt", lambda: stacked().to_classifier(3), UNBUILT)

# ----- arguments -------------------------------------------------------------------------------------
SEEDED = {
    "MADE": lambda s: MADE(D, (8,), seed=s),
    "NADE": lambda s: NADE(D, 4, seed=s),
    "RBM": lambda s: RBM(4, seed=s),
    "DBN": lambda s: DBN((4,), seed=s),
    "VAE": lambda s: VAE(*dense_pair((D,), 2, hidden=(4,)), seed=s),
    "PixelCNN": lambda s: PixelCNN(IMAGE, filters=4, num_residual=1, kernel_size=3, num_head=1, seed=s),
    "PixelRNN": lambda s: PixelRNN(IMAGE, num_layers=1, units=2, seed=s),
    "StackedAutoencoder": lambda s: StackedAutoencoder((4,), seed=s),
    "AutoencoderLayer": lambda s: AutoencoderLayer(4, seed=s),
    "GaussianSampler": lambda s: GaussianSampler(seed=s),
    "MADE.sample": lambda s: made().sample(2, seed=s),
    "NADE.sample": lambda s: nade().sample(2, seed=s),
    "RBM.sample": lambda s: built_rbm().sample(2, steps=2, seed=s),
    "RBM.gibbs": lambda s: built_rbm().gibbs(BINARY, seed=s),
    "RBM.score_samples": lambda s: built_rbm().score_samples(BINARY, seed=s),
    "RBM.log_partition": lambda s: built_rbm().log_partition("ais", num_betas=4, num_runs=2, seed=s),
    "DBN.sample": lambda s: (lambda m: (m.fit(BINARY, verbose=0), m.sample(2, steps=2, seed=s)))(dbn()),
    "VAE.sample": lambda s: vae().sample(2, seed=s),
    "VAE.elbo": lambda s: vae().elbo(BINARY, seed=s),
    "VAE.log_prob": lambda s: vae().log_prob(BINARY, num_samples=2, seed=s),
    "PixelCNN.sample": lambda s: pixelcnn().sample(1, seed=s, method="full"),
    "greedy_layerwise": lambda s: greedy_layerwise([rbm()], BINARY, epochs=1, seed=s),
    "StackedAutoencoder.pretrain": lambda s: stacked().pretrain(BINARY, epochs=1, seed=s),
    "data.load": lambda s: data.load("digits", binarize="stochastic", seed=s),
}
for name, call in SEEDED.items():
    for bad in BAD_SEEDS:
        case(f"{name}-seed={bad!r}", lambda c=call, b=bad: c(b), "seed=" + re.escape(repr(bad)))

STRINGS_AS_BOOLEANS = {
    "MADE(direct_connections)": (lambda v: MADE(D, (8,), direct_connections=v), "direct_connections"),
    "RBM(persistent)": (lambda v: RBM(4, persistent=v), "persistent"),
    "RBM(accept_probabilities)": (lambda v: RBM(4, accept_probabilities=v), "accept_probabilities"),
    "DBN(persistent)": (lambda v: DBN((4,), persistent=v), "persistent"),
    "MaskedDense(use_bias)": (lambda v: MaskedDense(2, [[1, 1]], use_bias=v), "use_bias"),
    "MaskedConv2D(use_bias)": (lambda v: MaskedConv2D(2, 3, use_bias=v), "use_bias"),
    "ElmanCell(use_bias)": (lambda v: ElmanCell(2, use_bias=v), "use_bias"),
    "data.load(flatten)": (lambda v: data.load("digits", flatten=v), "flatten"),
    "data.load(with_labels)": (lambda v: data.load("digits", with_labels=v), "with_labels"),
    "VAE.sample(mean)": (lambda v: vae().sample(2, seed=0, mean=v), "mean"),
    "dense_pair(variational)": (lambda v: dense_pair((D,), 2, variational=v), "variational"),
    "recurrent_layer(return_sequences)": (lambda v: recurrent_layer("gru", 2, return_sequences=v),
                                          "return_sequences"),
    "recurrent_stack(bidirectional)": (lambda v: recurrent_stack((2,), bidirectional=v), "bidirectional"),
    "to_classifier(freeze)": (lambda v: to_classifier([built_rbm()], 3, freeze=v), "freeze"),
}
for name, (call, argument) in STRINGS_AS_BOOLEANS.items():
    case(f"{name}='no'", lambda c=call: c("no"), rf"{argument}='no'")

NUMBERS = [
    ("VAE(beta=nan)", lambda: VAE(*dense_pair((D,), 2, hidden=(4,)), beta=math.nan), r"beta=nan"),
    ("VAE(beta=inf)", lambda: VAE(*dense_pair((D,), 2, hidden=(4,)), beta=math.inf), r"beta=inf"),
    ("VAE(beta='1')", lambda: VAE(*dense_pair((D,), 2, hidden=(4,)), beta="1"), r"beta='1'"),
    ("AutoencoderLayer(corruption=nan)", lambda: AutoencoderLayer(4, corruption=math.nan), r"corruption=nan"),
    ("AutoencoderLayer(corruption='0.1')", lambda: AutoencoderLayer(4, corruption="0.1"), r"corruption='0.1'"),
    ("StackedAutoencoder(corruption=1.5)", lambda: StackedAutoencoder((4,), corruption=1.5), r"corruption=1.5"),
    ("recurrent_stack(dropout=nan)", lambda: recurrent_stack((2,), dropout=math.nan), r"dropout=nan"),
    ("deep_rnn(dropout=1.5)", lambda: deep_rnn((5, 1), (2,), dropout=1.5), r"dropout=1.5"),
    ("RBM(k=0)", lambda: RBM(4, k=0), r"k=0"),
    ("RBM(monitor='reconstruction')", lambda: RBM(4, monitor="reconstruction"), r"monitor='reconstruction'"),
    ("PixelCNN(filters=1)", lambda: PixelCNN(IMAGE, filters=1, num_residual=1), r"filters=1\b"),
    ("DBN(k=0)", lambda: DBN((4,), k=0), r"k=0"),
    ("DBN(visible='binary')", lambda: DBN((4,), visible="binary"), r"visible='binary'"),
    ("MADE.sample(num=0)", lambda: made().sample(0), r"num=0"),
    ("VAE.log_prob(num_samples=0)", lambda: vae().log_prob(BINARY, num_samples=0), r"num_samples=0"),
    ("one_to_one(output_units=0)", lambda: one_to_one(3, output_units=0), r"output_units=0"),
    ("one_to_many(timesteps=0)", lambda: one_to_many(3, 0), r"timesteps=0"),
    ("encoder_decoder(output_timesteps=0)", lambda: encoder_decoder((5, 1), 0), r"output_timesteps=0"),
]
for case_id, call, match in NUMBERS:
    case(case_id, call, match)

# ----- layers --------------------------------------------------------------------------------------
LAYERS = [
    ("GaussianSampler-one-tensor", lambda: GaussianSampler(seed=0)(tf.zeros((4, 2))), r"\binputs\b.*pair"),
    ("GaussianSampler-three", lambda: GaussianSampler(seed=0)([tf.zeros((4, 2))] * 3), r"\binputs\b.*pair"),
    ("GaussianSampler-shapes", lambda: GaussianSampler(seed=0)([tf.zeros((4, 2)), tf.zeros((4, 3))]),
     r"\binputs\b.*shape"),
    ("pixelcnn_mask-even", lambda: pixelcnn_mask((4, 4), 1, 1), r"kernel_size=\(4, 4\)"),
    ("pixelcnn_mask-type-C", lambda: pixelcnn_mask((3, 3), 1, 1, "C"), r"mask_type='C'"),
    ("pixelcnn_mask-groups-2", lambda: pixelcnn_mask((3, 3), 4, 4, "B", 2), r"channel_groups=2"),
    ("pixelcnn_mask-channels", lambda: pixelcnn_mask((3, 3), 1, 3, "B", 3), r"in_channels=1"),
    ("MaskedConv2D-rank3", lambda: MaskedConv2D(2, 3)(np.zeros((2, 4, 4), "float32")), r"ndim=4"),
    ("MaskedConv2D-channels", lambda: (lambda layer: (layer(np.zeros((1, 4, 4, 1), "float32")),
                                                      layer(np.zeros((1, 4, 4, 2), "float32"))))(MaskedConv2D(2, 3)),
     r"axis -1|shape"),
    ("RowLSTM-rank3", lambda: RowLSTM(2)(np.zeros((2, 4, 4), "float32")), r"ndim=4"),
    ("DiagonalBiLSTM-rank3", lambda: DiagonalBiLSTM(2)(np.zeros((2, 4, 4), "float32")), r"ndim=4"),
    ("ElmanCell-rank2-in-RNN", lambda: keras.layers.RNN(ElmanCell(2))(np.zeros((2, 3), "float32")),
     r"input_shape=\(2,\)"),
    ("ElmanCell-rank1", lambda: ElmanCell(2)(np.zeros((3,), "float32"), [np.zeros((1, 2), "float32")]),
     r"input_shape=\(3,\)"),
    ("MaskedDense-width", lambda: (lambda layer: (layer(np.ones((2, 2), "float32")),
                                                  layer(np.ones((2, 3), "float32"))))(MaskedDense(2, [[1, 1], [1, 1]])),
     r"axis -1|shape"),
    ("MaskedDense-mask-values", lambda: MaskedDense(2, [[0.5, 1]]), r"\bmask\b"),
    ("made_masks-hidden-degrees", lambda: made_masks(3, (4,), hidden_degrees="spread"),
     r"hidden_degrees='spread'"),
]
for case_id, call, match in LAYERS:
    case(case_id, call, match)


def outcome(call, expected):
    """``("clear" | "handled" | "silent" | "unclear", detail)`` of one case."""
    try:
        result = call()
    except ValueError as error:
        if not isinstance(expected, Handled) and re.search(expected, str(error)):
            return "clear", str(error)[:200]
        return "unclear", f"ValueError: {str(error)[:200]}"
    except Exception as error:  # noqa: BLE001 (counted as unclear)
        return "unclear", f"{type(error).__name__}: {str(error)[:200]}"
    if isinstance(expected, Handled) and expected.check(result):
        return "handled", expected.what
    return "silent", "ran to a result without an error"


@pytest.mark.parametrize("call, expected", CASES)
def test_bad_input(call, expected):
    if isinstance(expected, Handled):
        assert expected.check(call()), expected.what
    else:
        with pytest.raises(ValueError, match=expected):
            call()
