"""Keras layers that mirror the articles' code snippets."""
from tfdl.layers.elman_cell import ElmanCell  # noqa: E402,F401
from tfdl.layers.gaussian_sampler import GaussianSampler  # noqa: E402,F401
from tfdl.layers.masked_conv2d import MaskedConv2D, pixelcnn_mask  # noqa: E402,F401
from tfdl.layers.row_lstm import RowLSTM  # noqa: E402,F401
from tfdl.layers.diagonal_bilstm import DiagonalBiLSTM  # noqa: E402,F401
from tfdl.layers.masked_dense import MaskedDense, made_masks  # noqa: E402,F401
