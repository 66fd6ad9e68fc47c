"""The last section: every item of the article, where it is covered, the claims not measured, the papers' numbers."""

from tfdl import claims, tables
from tfdl.report import Section
from tfdl.reproductions.pretraining.common import DBN_FROZEN, RANDOM, comparison_settings, units_text

ITEMS = [
    ["what it is: train layer by layer instead of all at once, lower layers first",
     "section 2, `pretraining_curves.png`"],
    ["useful when deep nets are badly initialised and converge with difficulty",
     "section 3: learning curves, first-epoch claim"],
    ["pre-trained weights fixed for later training", f"section 3, `{DBN_FROZEN}`"],
    ["need: vanishing gradients", "section 5, gradient-norm table and figure, claim"],
    ["need: poor initialisation makes training stall", f"section 3, learning curves of `{RANDOM}`"],
    ["need: computational cost of training all layers together",
     "section 6: claims \"efficient\" (same budget) and \"expensive\" (wall-time ratio)"],
    ["steps 1-4", "sections 2 (1-3) and 3 (4)"],
    ["`h_i = f(W_i h_(i-1) + b_i)`, f = ReLU, sigmoid",
     "`to_classifier` builds exactly this with each layer's `f`; sigmoid and ReLU, each pre-trained (SAE) and "
     "random (sections 2-4)"],
    ["use: DBNs of RBMs", "sections 1-3 (`tfdl.models.RBM`, `DBN`)"],
    ["use: stacked autoencoders for feature learning",
     f"sections 2-3 (`StackedAutoencoder`); `{DBN_FROZEN}` classifies with features learnt without labels"],
    ["use: NLP (word embeddings, language models)",
     "not reproduced: no text data or language model in this article's scope"],
    ["use: image recognition, CNN initialisation",
     "not reproduced: MLPs only; claim \"modern architectures\" says why"],
    ["table: better initialisation, less vanishing gradient, efficiency, generalisation", "sections 3-6"],
    ["advantages (easier training, vanishing gradient, efficient, initialisation, generalisation)", "sections 3-6"],
    ["limits: fine-tuning needed; modern CNNs/Transformers need it less; expensive on large data",
     "sections 3 and 6, and below"],
    ["conclusion: more stable and efficient", "section 6 and below (stability: not judged, why)"],
]

REFERENCES = [  # model, architecture, data set, reported
    ["DBN, fine-tuned (Hinton et al. 2006)", "784-500-500-2000-10", "MNIST", "test error 1.15-1.25%"],
    ["DBN, Theano deep-learning tutorials", "784-1000-1000-1000-10", "MNIST", "test error 1.34%"],
    ["Stacked denoising autoencoders, Theano tutorials", "784-1000-1000-1000-10", "MNIST", "test error 1.3%"],
    ["MLP, Theano tutorials (random init)", "784-500-10", "MNIST", "test error 1.65%"],
    ["RBM, CD-25, AIS (Salakhutdinov & Murray 2008)", "784 visible, 500 hidden", "MNIST (binarised)",
     "test log-likelihood -86.34 nats"],
]


class ArticleItems(Section):
    """Where each item of the article is covered, the claims not measured here (with why), the papers' numbers."""

    name = "items"
    title = "Article items and where they are covered"

    def settings(self, run):
        return comparison_settings(run)

    def judge(self, run, s, m):
        return [
            claims.claim(
                "stable", "Greedy Layer-Wise Pre-Training एक प्रभावी Training Technique है, जो Deep Neural Networks "
                "को अधिक Stable और Efficient बनाता है।",
                "it makes deep networks more stable", "spread of test error over seeds (table in section 3)", None,
                reason="comparing two spreads needs many seeds: a standard deviation from n seeds has a relative "
                       "error of about 1/sqrt(2(n-1)), 50% at n = 3; the spreads are in section 3's table"),
            claims.claim(
                "modern_architectures",
                "Deep Learning के Modern Architectures (जैसे CNNs और Transformers) में इसकी आवश्यकता कम होती है।",
                "modern architectures (CNNs, Transformers) need it less", "not measured", None,
                reason="no CNN or Transformer is trained here; section 3's ReLU rows show a modern "
                       "initialisation of the same MLP next to pre-training"),
        ]

    def write(self, run, s, m, figures):
        return "\n\n".join([
            tables.markdown_table(["article item", "where"], ITEMS),
            f"Reference numbers: the papers', on MNIST with their own architectures, not on {run.dataset} and "
            f"not this report's {units_text(s)} networks:",
            tables.markdown_table(["model", "architecture", "data set", "reported"], REFERENCES),
        ])
