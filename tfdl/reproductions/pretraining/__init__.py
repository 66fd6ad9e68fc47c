"""Greedy layer-wise pre-training: RBMs, DBN, stacked autoencoders (article 003), reproduced.

Sections, in the article's order: (1) the DBN's building block, an RBM,
trained with CD-1, CD-k and PCD-1, its test log-likelihood by AIS; (2) a deep
belief net and stacked denoising autoencoders (sigmoid and ReLU) pre-trained
greedily, layer by layer (the article's steps 1-3); (3) fine-tuning (step 4)
against random initialisation, a frozen DBN and random initialisation given
the same total budget; (4) generalisation; (5) vanishing gradients; (6) cost;
(7) every item of the article and where it is covered. Sections 2-6 share the
pre-trained stacks and fine-tuned networks (trained once per run).

Profiles: ``smoke`` (seconds, tests), ``default`` (minutes on 2 CPU cores,
settings per image size: all of 8x8 digits, or a 10,000-image subset of a
28x28 data set), ``full`` (the papers' sizes: 784-500-500-2000 DBN, 500-hidden
RBM with CD-25 and the 14,501-temperature AIS schedule; for MNIST on a GPU).
A ``limit`` (a check of the code path) also runs one seed only.
"""

from tfdl.reproductions.pretraining.comparison import Cost, FineTuning, Generalisation, Vanishing
from tfdl.reproductions.pretraining.common import ERROR_MARGIN, GRADIENT_MARGIN, LEARNED_MARGIN
from tfdl.reproductions.pretraining.items import ArticleItems
from tfdl.reproductions.pretraining.rbms import RBMs
from tfdl.reproductions.pretraining.stacks import Pretraining

TITLE = "Greedy layer-wise pre-training: RBMs, DBN, stacked autoencoders"
INTRO = (
    "Article 003 (Hindi): train layer 1, keep its weights, train each next layer on the previous layer's "
    "output `h_i = f(W_i h_(i-1) + b_i)`, then fine-tune all layers together (or hold the pre-trained ones "
    "fixed). Everything below was measured on the data set named above, binarised at 0.5; the reference "
    "numbers at the end are the papers' and are on MNIST. Each claim compares one named variant against a "
    f"named baseline over the run's seeds: held when the difference of means exceeds {ERROR_MARGIN} points of "
    f"error ({GRADIENT_MARGIN} in log10 for gradient norms, {LEARNED_MARGIN:g} nats for an RBM against "
    "independent pixels) and 2 standard errors, with at least 3 seeds per side; `inconclusive` means within "
    "the margin or the noise at this budget, not false; `inconclusive (not converged)` means a compared "
    "network's validation curve had not levelled off. Every ± is a standard error of the mean over seeds. "
    "Implementation checks (properties that hold by construction) are listed apart and not counted as claims."
)
SECTIONS = [RBMs(), Pretraining(), FineTuning(), Generalisation(), Vanishing(), Cost(), ArticleItems()]
