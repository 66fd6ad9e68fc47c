"""The last section: every item of the article and where it is covered; what is not reproduced."""

import string

from tfdl import tables
from tfdl.report import Section
from tfdl.reproductions.autoregressive.refs import number, sections

# (article item, where: a format string whose {name} fields are section names)
ITEMS = [
    ("AR models predict a value from previous values; each output depends on previous inputs",
     "{equation}, {made} (mask gradients), {pixels} (pixel dependency maps): implementation checks"),
    ("2025: widely used for text, images, time series",
     "not measured (a statement about usage); images in {pixels}, time series in {forecasting}"),
    ("`P(x) = Π P(xᵢ \\| x₁…xᵢ₋₁)`, sequential factorisation", "every model here; normalisation check in {equation}"),
    ("NADE: neural, learns the distribution by the factorisation",
     "{nade_rbm}: claim against the independent-pixel model; {nade_rbm:sampling}"),
    ("NADE: deterministic alternative to RBMs",
     "{nade_rbm}; claims \"deterministic alternative\" (NLL against an RBM with at least NADE's weights, PCD, "
     "AIS interval; every autoregressive model against it), determinism as a check; "
     "on the papers' own data (dna, nips-0-12) with the RBM's exact log Z in {uci_table}"),
    ("NADE: exact log-likelihood", "{equation}; implementation check (normalisation)"),
    ("NADE: easy sampling", "{nade_rbm} and {sampling}; claim (against the RBM's Gibbs chain)"),
    ("NADE equation `P(x) = Πₙ σ(Wₙ·hₙ₋₁ + bₙ)`",
     "{equation}: quoted, the implemented one beside it, why they differ, measured"),
    ("MADE: advanced NADE, masking, each output on earlier inputs only, feed-forward",
     "{made}; claim (against NADE), masks as a check"),
    ("MADE: parallel computation", "{made} (one pass against NADE's); claim; again on the papers' data in {uci_table}"),
    ("MADE: GPU-friendly training", "claim: judged only when a GPU runs it"),
    ("MADE: useful for deep AR networks", "{made}, deep against shallow; mask ensemble separately"),
    ("PixelRNN for images, each pixel from previous pixels, local and global dependencies",
     "{pixels}; checks (dependency maps, receptive field), claim (against independent pixels)"),
    ("Row LSTM, Diagonal BiLSTM", "{pixels}"),
    ("process: row-wise scan; each pixel from previous outputs; an LSTM/GRU unit",
     "{pixels} (raster order, LSTMs; GRU units are not implemented in tfdl's PixelRNN: the paper uses LSTMs)"),
    ("the Conv2D \"PixelRNN-like\" snippet", "{snippet}: run as written, parameter count, trained, dependency map; claims"),
    ("application: text generation (GPT)", "not reproduced: no text model in this article's scope"),
    ("application: image generation (PixelRNN, PixelCNN)", "{pixels}"),
    ("application: speech synthesis (WaveNet)", "not reproduced: no audio data or WaveNet here"),
    ("application: time-series forecasting",
     "{forecasting}; claims on sunspots and CO2 (against the last value and seasonal naive), statsmodels parity "
     "check"),
    ("table: output sequential vs parallel", "{comparison}; claim (MADE against the VAE)"),
    ("table: maximum likelihood vs adversarial / variational", "{comparison}; check (the VAE's bound gap)"),
    ("table: examples PixelRNN, NADE, MADE vs GANs, VAEs", "{nade_rbm:comparison}; VAE trained, no GAN"),
    ("conclusion: NADE and MADE simplified probabilistic modelling", "claim, not judged (why)"),
    ("conclusion: PixelRNN, a new level of realism", "claim in {pixels}, not judged (why)"),
    ("conclusion: in GPT, diffusion models, large vision models", "not reproduced: none of them is in this article's scope"),
]


class _Section:
    """A format field: ``{name}`` gives "section N", ``{name:last}`` "sections N-M" (up to section ``last``)."""

    def __init__(self, name):
        self.name = name

    def __format__(self, last):
        return f"sections {number(self.name)}-{number(last)}" if last else sections(self.name)


def where(text):
    """``text`` with its ``{section name}`` fields numbered as in the report."""
    names = [field for _, field, _, _ in string.Formatter().parse(text) if field]
    return text.format_map({name: _Section(name) for name in names})


class ArticleItems(Section):
    """Where each item of the article is covered."""

    name = "items"
    title = "Article items"

    def write(self, run, s, m, figures):
        return tables.markdown_table(["article item", "where"], [[item, where(text)] for item, text in ITEMS])
