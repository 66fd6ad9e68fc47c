"""Figures for the reports: one image-grid plotter and the figure set-up.

Figures are drawn off screen (the Agg backend) with constrained layout, so
labels do not overlap. A section's ``draw`` returns figures; the report
builder saves them (``tfdl.report``).

Example:

>>> import numpy as np
>>> figure = image_grid(np.random.default_rng(0).uniform(size=(6, 64)), (8, 8), rows=2,
...                     row_labels=["a", "b"], title="six 8x8 images")
>>> len(figure.axes)
1
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SEPARATOR = 0.3  # the grey of the one-pixel lines between images


def figure(width=6.0, height=3.5, rows=1, columns=1, **kwargs):
    """``(figure, axes)``: ``plt.subplots`` with constrained layout."""
    return plt.subplots(rows, columns, figsize=(width, height), layout="constrained", **kwargs)


def tile(images, shape, rows):
    """Images (``[n, h*w]`` or ``[n, h, w]``) as one array of ``rows`` rows, with grey separators."""
    images = np.asarray(images, dtype="float64").reshape(-1, *shape)
    columns = int(np.ceil(len(images) / rows))
    tiles = np.full((rows * columns, shape[0] + 1, shape[1] + 1), SEPARATOR)
    tiles[: len(images), : shape[0], : shape[1]] = images
    tiles = tiles.reshape(rows, columns, shape[0] + 1, shape[1] + 1).transpose(0, 2, 1, 3)
    return tiles.reshape(rows * (shape[0] + 1), columns * (shape[1] + 1))


def show_grid(axis, images, shape, rows, row_labels=None, column_labels=None, title=None,
              cmap="gray_r", vmin=0.0, vmax=1.0):
    """Draws ``images`` row by row on ``axis``, rows and columns optionally labelled."""
    tiles = tile(images, shape, rows)
    axis.imshow(tiles, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    columns = tiles.shape[1] // (shape[1] + 1)
    axis.set_yticks([(r + 0.5) * (shape[0] + 1) for r in range(rows)] if row_labels else [],
                    row_labels or [], fontsize=8)
    axis.set_xticks([(c + 0.5) * (shape[1] + 1) for c in range(columns)] if column_labels else [],
                    column_labels or [], fontsize=7)
    axis.tick_params(length=0)
    for spine in axis.spines.values():
        spine.set_visible(False)
    if title:
        axis.set_title(title, fontsize=9)


def image_grid(images, shape, rows, row_labels=None, column_labels=None, title=None, inches=None, **kwargs):
    """A figure of ``images`` in ``rows`` rows (and columns), optionally labelled.

    Args:
        images: ``[n, h*w]`` or ``[n, h, w]`` values in [vmin, vmax].
        shape: ``(h, w)`` of one image.
        rows: the number of rows; images fill them row by row.
        row_labels, column_labels: one label per row / column, or None.
        title: the figure's title.
        inches: the size of one image in the figure (default: 0.35 for
            images of at most 8 rows of pixels, else 0.6); larger leaves
            room for long column labels. NaN pixels are left blank.
        **kwargs: ``cmap``, ``vmin``, ``vmax`` of ``show_grid``.
    """
    columns = int(np.ceil(len(images) / rows))
    size = inches or (0.35 if shape[0] <= 8 else 0.6)
    fig, axis = figure(columns * size + (2.5 if row_labels else 0.6), rows * size + 0.8)
    show_grid(axis, images, shape, rows, row_labels, column_labels, title, **kwargs)
    return fig
