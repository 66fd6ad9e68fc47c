"""Autoregressive models: NADE, MADE, PixelRNN (article 000), reproduced.

Sections, in the article's order: (1) the factorisation and NADE's equation
next to the one implemented; (2) NADE against an RBM (a deterministic
alternative); (3) MADE: masks, one parallel pass against NADE's recursion,
deep against shallow, the mask ensemble; (4) samples and sampling time;
(5) the NADE and MADE papers' table on their own binary UCI data, ours next
to theirs; (6) PixelCNN and PixelRNN (Row LSTM, Diagonal BiLSTM); (7) the
article's Conv2D snippet; (8) the applications, of which time-series
forecasting is run, on two real series that ship with statsmodels; (9) the
article's table of autoregressive against other generative models, measured
against tfdl's VAE; (10) the papers' numbers; (11) every item of the article
and where it is covered. Each section judges its own claims with a criterion
fixed in its module before the run.
"""

from tfdl.reproductions.autoregressive.comparison import Comparison, Papers
from tfdl.reproductions.autoregressive.forecasting import Forecasting
from tfdl.reproductions.autoregressive.items import ArticleItems
from tfdl.reproductions.autoregressive.made import Made
from tfdl.reproductions.autoregressive.nade import Equation, NadeRbm
from tfdl.reproductions.autoregressive.pixels import Pixels
from tfdl.reproductions.autoregressive.sampling import Sampling
from tfdl.reproductions.autoregressive.snippet import Snippet
from tfdl.reproductions.autoregressive.uci_table import PapersTable

TITLE = "Autoregressive models: NADE, MADE, PixelRNN"
INTRO = (
    "Article 000 (Hindi): a model is autoregressive when every variable depends on the ones before it, "
    "`P(x) = Π P(xᵢ | x₁, …, xᵢ₋₁)`, which factorises the whole distribution sequentially. Each claim quotes "
    "the article, names what was measured and the baseline it faced, and is judged by a criterion fixed in "
    "`tfdl/reproductions/autoregressive/` before the run: test NLL differences beyond 0.5 nats and 2 standard "
    "errors over seeds (at least 3 per side); timings in log10 seconds beyond a factor of 2 and 2 standard "
    "errors over timed repeats. Every density model must first beat the independent-pixel model (a "
    "factorised Bernoulli) by 5% of its NLL, or it is reported as failed to learn and compared with nothing; "
    "a claim on a model whose validation curve had not levelled off is inconclusive (not converged). "
    "Properties that hold by construction (normalisation, determinism, masks, receptive fields, bound "
    "orderings, parity with statsmodels) are implementation checks, listed apart and not counted as claims. "
    "± is a standard error (over seeds unless a header says otherwise)."
)
SECTIONS = [
    Equation(), NadeRbm(), Made(), Sampling(), PapersTable(),
    Pixels(), Snippet(), Forecasting(), Comparison(), Papers(), ArticleItems(),
]
