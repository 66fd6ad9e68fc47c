"""The figures several sections draw alike: training curves and gradient dependency maps."""

import numpy as np

from tfdl import plotting


def training_curves(histories, title, labels=None, size=(6.5, 4)):
    """Training (solid) and validation (dashed) NLL per epoch, one colour per model."""
    figure, axis = plotting.figure(*size)
    for key, history in histories.items():
        label = (labels or {}).get(key, key)
        epochs = np.arange(1, len(history["loss"]) + 1)
        line, = axis.plot(epochs, history["loss"], "o-", ms=2, label=f"{label} train")
        axis.plot(epochs, history["val_loss"], "o--", ms=2, color=line.get_color(), label=f"{label} validation")
    axis.set_xlabel("epoch")
    axis.set_ylabel("NLL (nats per image)")
    axis.set_title(title)
    axis.legend(fontsize=7 if len(histories) > 3 else 6)
    return figure


def dependency_maps(maps, titles, pixel, images):
    """``|d output(pixel) / d input|`` per model, each scaled to its maximum, with the pixel and every
    pixel after it in raster order marked in red."""
    r, c = pixel
    figure, axes = plotting.figure(3 * len(maps), 3.4, columns=len(maps))
    for axis, (key, value) in zip(np.atleast_1d(axes), maps.items()):
        width = value.shape[1]
        axis.imshow(value / max(value.max(), 1e-12), cmap="viridis", vmin=0, vmax=1)
        axis.plot([-0.5, c - 0.5, c - 0.5, width - 0.5], [r + 0.5, r + 0.5, r - 0.5, r - 0.5], "r-", lw=1)
        axis.plot(c, r, "rx")
        axis.set_title(titles[key], fontsize=8)
        axis.set_xlabel("input column", fontsize=7), axis.set_ylabel("input row", fontsize=7)
        axis.set_xticks([]), axis.set_yticks([])
    figure.suptitle(f"|d output({r},{c}) / d input| over {images} test images, scaled to its maximum "
                    f"(red: pixel ({r},{c}) and every pixel after it)", fontsize=9)
    return figure
