"""Section 6: the article's "PixelRNN-like" Conv2D snippet, run as written, and what it learns."""

import math

import keras
import numpy as np

from tfdl import claims, plotting
from tfdl.evaluate import nll
from tfdl.report import Section
from tfdl.reproductions.autoregressive.figures import dependency_maps
from tfdl.reproductions import snippets
from tfdl.reproductions.autoregressive.pixels import (dependence, dependency_map, later_pixels, pixel_images,
                                                      pixel_settings, trained_pixels)

# A density's mean NLL of uniformly random binary images is at least D ln 2
# (Gibbs' inequality); the snippet's is compared with that bound, within 3
# standard errors of its mean over the noise images.
NOISE_STANDARD_ERRORS = 3.0
# Keras's binary cross-entropy clips probabilities to [EPSILON, 1 - EPSILON];
# the snippet's sigmoid outputs are read as Bernoulli probabilities the same way.
EPSILON = 1e-7
QUOTE = "📗 उदाहरण (PixelRNN जैसे मॉडल के लिए Python कोड)"


def rgb(images):
    """Binary images tiled to the snippet's 3 output channels."""
    return np.repeat(images, 3, axis=-1)


def read_as_probabilities(snippet, images):
    """The snippet's output read as Bernoulli pixel probabilities: copying, MSE and a pseudo-NLL."""
    p = np.clip(snippet.predict(rgb(images), batch_size=64, verbose=0).astype(np.float64), EPSILON, 1 - EPSILON)
    target = rgb(images).astype(np.float64)
    pseudo_nll = -(target * np.log(p) + (1 - target) * np.log(1 - p)).sum(axis=(1, 2, 3)) / 3
    return p[..., 0], {
        "mse": float(np.mean((p - target) ** 2)),
        "copied_pixels": float(np.mean((p > 0.5) == (target > 0.5))),
        "pseudo_nll": float(pseudo_nll.mean()),
        "pseudo_nll_stderr": float(pseudo_nll.std(ddof=1) / math.sqrt(len(images))),
    }


def copies_figure(test, noise, outputs):
    columns = min(8, len(noise))
    rows = [("test image", test[:columns, ..., 0]), ("snippet output", outputs["test"][:columns]),
            ("random noise", noise[:columns, ..., 0]), ("snippet output", outputs["noise"][:columns])]
    return plotting.image_grid(np.concatenate([images for _, images in rows]), test.shape[1:3], rows=len(rows),
                               row_labels=[label for label, _ in rows],
                               column_labels=[f"#{c + 1}" for c in range(columns)],
                               title="The article's snippet, trained to output its input (columns: example)")


class Snippet(Section):
    """The snippet's parameters, its dependency map, and what it learns when trained to output its input."""

    name = "snippet"
    title = "The article's \"PixelRNN-like\" snippet"

    def settings(self, run):
        pick = run.by_size
        return {**pixel_settings(run), "snippet_size": run.at_most(pick(32, None, 256, 2000)),
                "snippet_epochs": run.epochs_by_size(1, 10, 3, 10), "probe_images": run.at_most(16)}

    def measure(self, run, s):
        x, cnn = pixel_images(run), trained_pixels(run)["models"]["pixelcnn"]
        keras.utils.set_random_seed(run.seed)
        snippet = snippets.run("pixelrnn_like").build(x["train"].shape[1:3] + (3,))
        train = rgb(x["train"][: s["snippet_size"]])
        run.progress(f"the article's snippet ({snippet.count_params():,} parameters): {s['snippet_epochs']} "
                     f"epochs on {len(train)} images, target = input")
        keras.utils.set_random_seed(run.seed)
        history = snippet.fit(train, train, epochs=s["snippet_epochs"], batch_size=32, verbose=run.verbose).history
        noise = (np.random.default_rng(run.seed).random(x["test"].shape) < 0.5).astype("float32")
        outputs, measured = {}, {}
        for name, images in (("test", x["test"]), ("noise", noise)):
            outputs[name], measured[name] = read_as_probabilities(snippet, images)
        height, width = x["train"].shape[1:3]
        r, c = height // 2, width // 2
        probes = x["test"][: s["probe_images"]]
        maps = {"snippet": dependency_map(snippet, rgb(probes), r, c), "pixelcnn": dependency_map(cnn, probes, r, c)}
        return {"parameters": int(snippet.count_params()),
                "parameters_as_written": int(snippets.run("pixelrnn_like").build().count_params()),
                "train_mse": [float(v) for v in history["loss"]], "images": len(train), **measured,
                "pixelcnn_noise_nll": nll(cnn, noise)["nats"],
                "dependency": {"pixel": [r, c], **dependence(maps, later_pixels(height, width, r, c))},
                "_maps": maps, "_outputs": outputs, "_noise": noise, "_test": x["test"], "_dim": height * width}

    def judge(self, run, s, m):
        (r, c), noise, dim = m["dependency"]["pixel"], m["noise"], m["_dim"]
        return [
            claims.claim(
                "autoregressive", QUOTE, "the Conv2D snippet is a PixelRNN-like (autoregressive) model",
                f"input pixels at or after ({r},{c}) that the trained snippet's output ({r},{c}) depends on (gradient)",
                claims.bound(m["dependency"]["snippet"]["later_pixels_seen"], 0, "pixels at or after it seen")),
            claims.claim(
                "distribution", QUOTE, "the snippet, trained, models the images' distribution (as a PixelRNN does)",
                f"its output read as pixel probabilities: mean -log p of uniformly random binary images; any "
                f"distribution gives them at least D ln 2 = {dim * math.log(2):.1f} nats (PixelCNN: "
                f"{m['pixelcnn_noise_nll']:.1f})",
                claims.bound(noise["pseudo_nll"], dim * math.log(2), "snippet's -log p(noise) (nats)", below=False,
                             tolerance=NOISE_STANDARD_ERRORS * noise["pseudo_nll_stderr"])),
        ]

    def draw(self, run, s, m):
        (r, c) = m["dependency"]["pixel"]
        titles = {"snippet": "article snippet (trained)", "pixelcnn": "PixelCNN (masked), for comparison"}
        return {"snippet_dependency": (dependency_maps(m["_maps"], titles, (r, c), s["probe_images"]),
                                       "dependency of the snippet's output pixel on the input"),
                "snippet_copies": (copies_figure(m["_test"], m["_noise"], m["_outputs"]),
                                   "the trained snippet copies its input")}

    def write(self, run, s, m, figures):
        return "\n\n".join([
            "The article's code (`tfdl/reproductions/snippets/pixelrnn_like.py`; only the `Input` line is ours):",
            f"```python\n{snippets.source('pixelrnn_like')}\n```", self._structure(m), figures["snippet_dependency"],
            self._learned(s, m), figures["snippet_copies"],
            "Rows 1-2: test images and the snippet's outputs; rows 3-4: random noise and the snippet's outputs "
            "(probabilities, dark = 1)."])

    def _structure(self, m):
        (r, c) = m["dependency"]["pixel"]
        return (
            f"As written, for the 32x32 RGB input its 3-channel sigmoid output implies, it has "
            f"{m['parameters_as_written']:,} parameters: 3·3·3·64+64 = 1,792, 3·3·64·128+128 = 73,856, "
            "3·3·128·256+256 = 295,168 and 1·1·256·3+3 = 771. Its output at a pixel sees a 7x7 neighbourhood of "
            f"the input, the pixel itself and later pixels included ({m['dependency']['snippet']['later_pixels_seen']}"
            f" pixels at or after ({r},{c}) in the figure below, against "
            f"{m['dependency']['pixelcnn']['later_pixels_seen']} for PixelCNN), so it is not autoregressive: it "
            "gives no p(x) and cannot generate pixel by pixel.")

    def _learned(self, s, m):
        test, noise, dim = m["test"], m["noise"], m["_dim"]
        return (
            "What does it learn? Its code has no target; the one it admits for a model that maps an image to an "
            f"image of the same size is the image itself. Trained so ({m['images']} images tiled to RGB, "
            f"{s['snippet_epochs']} epochs, its own adam/mse; mean squared error {m['train_mse'][0]:.4f} after the "
            f"first epoch, {m['train_mse'][-1]:.4f} after the last), it copies: on test images it reproduces "
            f"{100 * test['copied_pixels']:.2f}% of the pixels (mse {test['mse']:.4f}), and on uniformly random "
            f"noise, which looks nothing like the training images, {100 * noise['copied_pixels']:.2f}% (mse "
            f"{noise['mse']:.4f}). Read as pixel probabilities, its output \"assigns\" test images "
            f"{test['pseudo_nll']:.2f} nats and random noise {noise['pseudo_nll']:.2f} nats, where any distribution "
            f"over {dim} binary pixels must give noise at least {dim} ln 2 = {dim * math.log(2):.1f} nats on average "
            f"(PixelCNN, a real density, gives it {m['pixelcnn_noise_nll']:.1f}). Its output at a pixel sees that "
            "pixel: the \"likelihood\" is cheating, and the model has learned the identity, not the images.")
