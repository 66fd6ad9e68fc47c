"""Section 8: drug discovery, named and not reproduced here.

Issue 23 replaces this section with molecules (MOSES, RDKit, a SMILES VAE);
until then it states the claim and why it is not judged.
"""

from tfdl import claims
from tfdl.report import Section


class DrugDiscovery(Section):
    """The article's drug-discovery application: not measured on images."""

    name = "drug_discovery"
    title = "Drug discovery"

    def judge(self, run, s, m):
        return [claims.claim(
            "molecules", "नए molecular structures generate करने के लिए VAEs का उपयोग किया जा सकता है",
            "VAEs can generate new molecular structures (drug discovery)", "not measured", None,
            reason="no molecular data or molecule decoder here; images only")]

    def write(self, run, s, m, figures):
        return ("Not reproduced: the article's molecules need molecular data and a decoder of molecules "
                "(e.g. SMILES strings); this reproduction has images only.")
