"""Section 12: every item of the article and where it is covered."""

from tfdl import tables
from tfdl.report import Section
from tfdl.reproductions.vae.imputation import MEAN_FILL, NN_FILL

ITEMS = [
    ("generative models create new data; VAEs understand how data is made and generate new realistic data",
     "sections 1, 4; claims \"random latent points\", \"realistic\""),
    ("discriminative vs generative models",
     "section 1 (logistic regression vs Gaussian-per-class on VAE codes, same labels)"),
    ("synthetic data to enlarge training sets", "section 1; claim \"synthetic data\""),
    ("synthetic data: anonymized data for privacy; creative arts and design",
     "not reproduced: no privacy measure or design task here"),
    ("GANs and VAEs as the two main generative architectures; VAEs simple and interpretable",
     "VAE throughout; no GAN trained (claim \"mode collapse\": not judged)"),
    ("autoencoder: encoder, bottleneck, decoder, trained to reconstruct; dimensionality reduction",
     "`tfdl.models.Autoencoder`, sections 2-3"),
    ("AE latent space discontinuous/sparse: random points decode poorly", "section 4; claim \"random latent points\""),
    ("VAE encodes to a distribution: μ and log σ², a sample goes to the decoder",
     "section 2 (`dense_pair` heads, mean posterior std)"),
    ("reparameterization trick", "section 2; check \"reparameterization\" (a property of the code, not a claim)"),
    ("loss = reconstruction + KL to N(0, I)", "section 2, `training_curves.png`"),
    ("continuous, smooth latent space; interpolation", "sections 3, 5; claim \"interpolation\""),
    ("principled probabilistic approach",
     "section 6; claim \"probabilistic framework\" (vs independent pixels); check: the bound tightens with k"),
    ("less prone to mode collapse than GANs", "section 4 (class fractions of samples); claim not judged (no GAN)"),
    ("image generation and manipulation (features such as expression, hair colour)",
     "sections 4, 7; claims \"realistic\" (non-inferiority to real images), \"attribute\" (faces: not "
     "available offline; the attribute here is ink: stroke thickness for digits, filled area for clothes)"),
    ("drug discovery", "section 8: a SMILES VAE on MOSES (RDKit metrics, new molecules, a property direction)"),
    ("anomaly detection", "section 9; claims vs AE and nearest neighbour"),
    ("data imputation", f"section 10; claims vs the {MEAN_FILL}, the {NN_FILL} fill and the AE"),
    ("style transfer", "section 11: a class-conditional VAE, codes decoded with every class"),
    ("conclusion: compress, reconstruct, structured latent space, new diverse data", "sections 1-5"),
]


class ArticleItems(Section):
    """A table: each item of the article, and the section (or the reason) for it."""

    name = "items"
    title = "Article items"

    def write(self, run, s, m, figures):
        return tables.markdown_table(["article item", "where"], ITEMS)
