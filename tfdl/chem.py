"""Molecules as SMILES strings, scored as the MOSES benchmark scores a generator.

The metrics of MOSES (Polykovskiy et al., "Molecular Sets (MOSES): A
Benchmarking Platform for Molecular Generation Models", 2020), computed with
RDKit (``pip install 'tfdl[chem]'``):

* ``validity``: the fraction of strings RDKit parses and sanitizes;
* ``unique_at``: unique canonical forms among the first k valid molecules;
* ``novelty``: unique valid molecules absent from the training set;
* ``internal_diversity``: 1 - mean Tanimoto similarity over all pairs of the
  generated set (Morgan fingerprints, radius 2, 1024 bits, as MOSES);
* ``nearest_neighbour_similarity`` (SNN): mean over generated molecules of the
  highest Tanimoto similarity to a reference set;
* ``fragment_similarity``, ``scaffold_similarity``: cosine similarity of the
  counts of BRICS fragments, and of Bemis-Murcko scaffolds with at least two
  rings, in the generated and the reference sets;
* ``passes_filters``: no MCF or PAINS alert (the lists shipped in the MOSES
  wheel), atoms among C, N, S, O, F, Cl, Br, H, no charge, no ring of 8 atoms
  or more;
* ``property_distances``: logP (Crippen), SA (Ertl & Schuffenhauer's score,
  RDKit's Contrib), QED and molecular weight of the generated against the
  reference molecules, as the Wasserstein-1 distance (MOSES's measure) and the
  Fréchet distance of Gaussians fitted to each (``tfdl.evaluate``).

FCD (the Fréchet ChemNet distance) is left out: it needs ChemNet's trained
weights, published for PyTorch (``fcd_torch``) and for old Keras 2 / TF 1
(``fcd``); neither runs on Keras 3 here, and retraining ChemNet is its own project.
"""

import collections
import functools
import importlib.util
import io
import math
import sys

import numpy as np

from tfdl import validation

MORGAN_RADIUS, MORGAN_BITS = 2, 1024
ALLOWED_ATOMS = frozenset({"C", "N", "S", "O", "F", "Cl", "Br", "H"})
PROPERTIES = ("logP", "SA", "QED", "weight")
INSTALL = "RDKit is not installed: `pip install 'tfdl[chem]'` (or `pip install rdkit`)"


def rdkit_available():
    """True when RDKit can be imported."""
    return importlib.util.find_spec("rdkit") is not None


@functools.lru_cache(maxsize=1)
def _chem():
    """``rdkit.Chem`` with its parse warnings silenced; ImportError saying what to install."""
    try:
        from rdkit import Chem, RDLogger
    except ImportError:
        raise ImportError(INSTALL) from None
    RDLogger.DisableLog("rdApp.*")
    return Chem


def molecule(smiles):
    """The sanitized RDKit molecule of a SMILES string, or None when it is not a valid molecule."""
    if not isinstance(smiles, str):
        raise ValueError(f"Expected smiles to be a str. Received: smiles of type {type(smiles).__name__}")
    if not smiles:
        return None
    return _chem().MolFromSmiles(smiles)


def molecules(smiles):
    """``molecule`` of each string of a list: RDKit molecules and None for invalid ones."""
    return [molecule(s) for s in _smiles_list(smiles, "smiles")]


def canonical(mol):
    """RDKit's canonical SMILES of a molecule (or of a SMILES string); None for an invalid one."""
    mol = molecule(mol) if isinstance(mol, str) else mol
    return None if mol is None else _chem().MolToSmiles(mol)


def _smiles_list(smiles, name):
    if isinstance(smiles, str) or not all(isinstance(s, str) for s in smiles):
        raise ValueError(f"Expected {name} to be a list of SMILES strings. Received: {name}={str(smiles)[:80]}")
    return list(smiles)


def _valid(mols, name):
    mols = list(mols)
    if not mols or any(m is None for m in mols):
        raise ValueError(f"Expected {name} to be a non-empty list of valid RDKit molecules (``molecules`` "
                         f"gives None for invalid SMILES; drop them). Received: {len(mols)} with "
                         f"{sum(m is None for m in mols)} None")
    return mols


def validity(smiles):
    """The fraction of SMILES strings that are valid molecules."""
    smiles = _smiles_list(smiles, "smiles")
    if not smiles:
        raise ValueError("Expected smiles to hold at least one string. Received: smiles=[]")
    return sum(m is not None for m in molecules(smiles)) / len(smiles)


def unique_at(mols, k):
    """The fraction of distinct canonical forms among the first ``k`` valid molecules (MOSES's unique@k);
    fewer than ``k`` molecules: among all of them."""
    mols = _valid(mols, "mols")[: validation.positive_int(k, "k")]
    return len({canonical(m) for m in mols}) / len(mols)


def novelty(mols, train):
    """The fraction of the distinct valid molecules whose canonical SMILES is not in ``train``
    (canonical SMILES, as the MOSES splits are)."""
    distinct = {canonical(m) for m in _valid(mols, "mols")}
    return len(distinct - set(train)) / len(distinct)


def fingerprints(mols):
    """Morgan fingerprints (radius 2, 1024 bits, as MOSES) of valid molecules, uint8 ``[n, 1024]``."""
    from rdkit.Chem import rdFingerprintGenerator

    generator = rdFingerprintGenerator.GetMorganGenerator(radius=MORGAN_RADIUS, fpSize=MORGAN_BITS)
    return np.stack([generator.GetFingerprintAsNumPy(m).astype(np.uint8) for m in _valid(mols, "mols")])


def tanimoto(a, b, chunk=4096):
    """Tanimoto similarities ``|a & b| / |a | b|`` of two sets of bit vectors, ``[n_a, n_b]``
    (1 for two empty vectors)."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"Expected bit vectors a [n, d] and b [m, d]. Received: a.shape={a.shape}, "
                         f"b.shape={b.shape}")
    rows = []
    for start in range(0, len(a), chunk):
        part = a[start: start + chunk]
        both = part @ b.T
        either = part.sum(1, keepdims=True) + b.sum(1)[None, :] - both
        rows.append(np.where(either > 0, both / np.maximum(either, 1.0), 1.0))
    return np.concatenate(rows)


def internal_diversity(mols):
    """1 - the mean Tanimoto similarity over all ordered pairs (self-pairs included), as MOSES's IntDiv."""
    fps = fingerprints(mols)
    return float(1.0 - tanimoto(fps, fps).mean())


def nearest_neighbour_similarity(mols, reference_fingerprints):
    """SNN: the mean over ``mols`` of the highest Tanimoto similarity to a reference set's fingerprints."""
    return float(tanimoto(fingerprints(mols), reference_fingerprints).max(axis=1).mean())


def fragments(mols):
    """Counts of BRICS fragments (canonical SMILES, with their attachment points) over the molecules."""
    from rdkit.Chem import AllChem

    counts = collections.Counter()
    for mol in _valid(mols, "mols"):
        counts.update(_chem().MolToSmiles(AllChem.FragmentOnBRICSBonds(mol)).split("."))
    return counts


def scaffolds(mols, min_rings=2):
    """Counts of Bemis-Murcko scaffolds (canonical SMILES) with at least ``min_rings`` rings."""
    from rdkit.Chem.Scaffolds import MurckoScaffold

    counts = collections.Counter()
    for mol in _valid(mols, "mols"):
        scaffold = MurckoScaffold.GetScaffoldForMol(mol)
        if scaffold.GetRingInfo().NumRings() >= min_rings:
            counts[_chem().MolToSmiles(scaffold)] += 1
    return counts


def cosine_similarity(counts_a, counts_b):
    """Cosine similarity of two count dictionaries (absent keys count 0); nan when one is empty."""
    if not counts_a or not counts_b:
        return math.nan
    dot = sum(count * counts_b.get(key, 0) for key, count in counts_a.items())
    norm = math.sqrt(sum(c * c for c in counts_a.values())) * math.sqrt(sum(c * c for c in counts_b.values()))
    return dot / norm


@functools.lru_cache(maxsize=1)
def _alerts():
    """The MCF and PAINS substructure alerts of the MOSES wheel, as RDKit query molecules."""
    import csv

    from tfdl import data

    mcf = list(csv.DictReader(io.StringIO(data.moses_file("moses/metrics/mcf.csv").decode())))
    pains = csv.reader(io.StringIO(data.moses_file("moses/metrics/wehi_pains.csv").decode()))
    smarts = [row["smarts"] for row in mcf] + [row[0] for row in pains if row]
    return tuple(_chem().MolFromSmarts(s) for s in smarts)


def passes_filters(mol):
    """MOSES's filters: no MCF/PAINS alert, allowed atoms only, no charge, no ring of 8 or more atoms."""
    if mol is None:
        return False
    if any(len(ring) >= 8 for ring in mol.GetRingInfo().AtomRings()):
        return False
    atoms = mol.GetAtoms()
    if any(a.GetFormalCharge() != 0 or a.GetSymbol() not in ALLOWED_ATOMS for a in atoms):
        return False
    with_hydrogens = _chem().AddHs(mol)
    return not any(with_hydrogens.HasSubstructMatch(alert) for alert in _alerts())


@functools.lru_cache(maxsize=1)
def _sascorer():
    from rdkit.Chem import RDConfig

    sys.path.append(f"{RDConfig.RDContribDir}/SA_Score")
    import sascorer

    return sascorer


def properties(mols):
    """``{"logP", "SA", "QED", "weight"}``: float64 arrays, one value per molecule."""
    from rdkit.Chem import QED, Crippen, Descriptors

    mols = _valid(mols, "mols")
    functions = {"logP": Crippen.MolLogP, "SA": _sascorer().calculateScore, "QED": QED.qed,
                 "weight": Descriptors.MolWt}
    return {name: np.array([functions[name](m) for m in mols], np.float64) for name in PROPERTIES}


def property_distances(generated, reference):
    """Per property: ``{"wasserstein": W1, "frechet": Fréchet distance of 1-D Gaussians}`` between two
    ``properties`` dictionaries."""
    from scipy.stats import wasserstein_distance

    from tfdl.evaluate import frechet_distance

    return {name: {"wasserstein": float(wasserstein_distance(generated[name], reference[name])),
                   "frechet": frechet_distance(generated[name][:, None], reference[name][:, None])}
            for name in PROPERTIES}


def reference_statistics(mols):
    """What the metrics need of a reference (test) set, computed once: fingerprints, fragments,
    scaffolds and properties."""
    return {"fingerprints": fingerprints(mols), "fragments": fragments(mols), "scaffolds": scaffolds(mols),
            "properties": properties(mols)}


def moses_metrics(smiles, train, reference, k=(1000, 10_000)):
    """MOSES's metrics of generated SMILES (FCD left out: see the module's docstring).

    Args:
        smiles: the generated SMILES strings.
        train: the training set's canonical SMILES (a set or a list), for novelty.
        reference: ``reference_statistics`` of the test set.
        k: the sizes of unique@k (those up to the number of strings).

    Returns:
        ``{"valid", "unique@k"..., "novelty", "IntDiv", "SNN", "Frag", "Scaf", "Filters",
        "<property>/wasserstein", "<property>/frechet"}``; with no valid molecule, ``{"valid": 0.0}``.
    """
    mols = [m for m in molecules(smiles) if m is not None]
    result = {"valid": validity(smiles)}
    if not mols:
        return result
    result.update({f"unique@{size}": unique_at(mols, size) for size in k if size <= len(smiles)})
    distances = property_distances(properties(mols), reference["properties"])
    result.update({
        "novelty": novelty(mols, train), "IntDiv": internal_diversity(mols),
        "SNN": nearest_neighbour_similarity(mols, reference["fingerprints"]),
        "Frag": cosine_similarity(fragments(mols), reference["fragments"]),
        "Scaf": cosine_similarity(scaffolds(mols), reference["scaffolds"]),
        "Filters": float(np.mean([passes_filters(m) for m in mols])),
        **{f"{name}/{kind}": value for name, pair in distances.items() for kind, value in pair.items()},
    })
    return result
