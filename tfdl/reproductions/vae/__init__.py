"""Variational autoencoders and their applications (article 001), reproduced.

Sections, in the article's order: (1) discriminative against generative
models, and synthetic data for a classifier on few labels; (2) the autoencoder
and the VAE (encoder to a mean and a log-variance, the reparameterization
trick, reconstruction + KL loss); (3) the latent spaces of both; (4)
generation from random latent points, the VAE against an autoencoder given
the same chance (its own fitted Gaussian); (5) interpolation; (6) the test
log-likelihood (importance-weighted bounds) next to the IWAE paper's number;
then the applications: (7) attribute manipulation, (8) drug discovery, (9)
anomaly detection, (10) imputation, (11) style transfer; (12) every item of
the article and where it is covered. One VAE and one AE per seed are trained
once per run and shared by the sections (``training.models``).

Profiles: ``smoke`` (seconds), ``default`` (minutes on 2 CPU cores; settings
per image size: 8x8 digits or a 28x28 data set), ``full`` (the IWAE paper's
one-stochastic-layer model: 200-200-50, k = 5000 evaluation, 3280 epochs;
meant for MNIST on a GPU).
"""

from tfdl.reproductions.vae.anomaly import Anomaly
from tfdl.reproductions.vae.attribute import Attribute
from tfdl.reproductions.vae.drug_discovery import DrugDiscovery
from tfdl.reproductions.vae.generation import Generation
from tfdl.reproductions.vae.generative import Generative
from tfdl.reproductions.vae.imputation import Imputation
from tfdl.reproductions.vae.interpolation import Interpolation
from tfdl.reproductions.vae.items import ArticleItems
from tfdl.reproductions.vae.latent_space import LatentSpace
from tfdl.reproductions.vae.likelihood import Likelihood
from tfdl.reproductions.vae.model import Model
from tfdl.reproductions.vae.style_transfer import StyleTransfer

TITLE = "Variational autoencoders (article 001)"
INTRO = (
    "Each claim quotes the article, names what was measured and the variant it faced, and is judged by a "
    "criterion fixed in `tfdl/reproductions/vae/` before the run: a difference larger than the margin and, "
    "across seeds, larger than 2 standard errors with at least 3 seeds per side. \"Paired\" claims compare "
    "the per-seed (or per-class) differences with zero, so that what varies between pairs cancels. "
    "`inconclusive` means within the margin or the noise at this budget, not false. ± is a standard error "
    "of the mean over seeds, and every table header says over how many. The VAE and the AE train with early "
    "stopping on a validation split; a claim comparing a model whose validation loss had not levelled off is "
    "`inconclusive (not converged)`. Properties that hold by construction (the reparameterization identity, "
    "the importance-weighted bound against the ELBO, a saved model reloading, imputation keeping the given "
    "pixels) are implementation checks, listed apart and not counted as claims."
)
SECTIONS = [Generative(), Model(), LatentSpace(), Generation(), Interpolation(), Likelihood(), Attribute(),
            DrugDiscovery(), Anomaly(), Imputation(), StyleTransfer(), ArticleItems()]
