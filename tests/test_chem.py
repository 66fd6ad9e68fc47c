"""tfdl.chem: MOSES's metrics on molecules whose values are worked out by hand."""

import math

import numpy as np
import pytest
from tiny_moses import tiny_moses_wheel

from tfdl import chem

pytest.importorskip("rdkit", reason="tfdl.chem needs RDKit: pip install 'tfdl[chem]'")


def test_validity_counts_parsable_strings():
    # unclosed ring, not SMILES, empty string: 2 valid of 5
    assert chem.validity(["CCO", "C1CC", "xyz", "", "c1ccccc1"]) == pytest.approx(2 / 5)


def test_canonical_forms_agree_across_writings():
    assert chem.canonical("OCC") == chem.canonical("C(O)C") == "CCO"
    assert chem.canonical("C1CC") is None


def test_unique_at_k_and_novelty_by_hand():
    mols = chem.molecules(["CCO", "OCC", "CCN", "NCC"])  # two molecules, each written twice
    assert chem.unique_at(mols, 3) == pytest.approx(2 / 3)  # CCO, CCO, CCN
    assert chem.unique_at(mols, 10) == pytest.approx(2 / 4)
    assert chem.novelty(mols, train={"CCO"}) == pytest.approx(1 / 2)  # CCN is new, CCO is not


def test_tanimoto_equals_set_arithmetic_on_the_bits():
    from rdkit import DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    mols = chem.molecules(["CCOC(=O)c1ccccc1", "c1ccccc1CC(=O)Nc1ccccc1"])
    fps = chem.fingerprints(mols)
    bits = [set(np.flatnonzero(f)) for f in fps]
    by_hand = len(bits[0] & bits[1]) / len(bits[0] | bits[1])
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=1024)
    rdkit_value = DataStructs.TanimotoSimilarity(*(generator.GetFingerprint(m) for m in mols))
    similarity = chem.tanimoto(fps, fps)
    assert similarity[0, 1] == pytest.approx(by_hand) == pytest.approx(rdkit_value)
    np.testing.assert_allclose(np.diag(similarity), 1.0)
    # IntDiv over the 4 ordered pairs: 1 - (1 + 1 + 2t) / 4 = (1 - t) / 2
    assert chem.internal_diversity(mols) == pytest.approx((1 - by_hand) / 2)
    assert chem.internal_diversity([mols[0], mols[0]]) == pytest.approx(0.0)
    # SNN: the nearest reference neighbour of each generated molecule
    assert chem.nearest_neighbour_similarity(mols, fps) == pytest.approx(1.0)
    assert chem.nearest_neighbour_similarity(mols[:1], fps[1:]) == pytest.approx(by_hand)
    assert chem.tanimoto(np.zeros((1, 4)), np.zeros((1, 4)))[0, 0] == 1.0


def test_brics_fragments_of_ethyl_benzoate():
    # BRICS cuts the ester at three bonds: phenyl | C(=O) | O | ethyl; each piece keeps its attachment points
    counts = chem.fragments(chem.molecules(["CCOC(=O)c1ccccc1"]))
    assert sum(counts.values()) == 4
    bare = {chem.canonical(chem._chem().DeleteSubstructs(chem.molecule(f), chem._chem().MolFromSmarts("[#0]")))
            for f in counts}
    assert bare == {"c1ccccc1", "C=O", "O", "CC"}


def test_scaffolds_keep_two_ring_systems_and_cosine_by_hand():
    mols = chem.molecules(["c1ccc2ccccc2c1", "Cc1ccc2ccccc2c1", "c1ccccc1C"])  # toluene: one ring, left out
    assert chem.scaffolds(mols) == {"c1ccc2ccccc2c1": 2}
    assert chem.cosine_similarity({"a": 2}, {"a": 1, "b": 1}) == pytest.approx(2 / (2 * math.sqrt(2)))
    assert math.isnan(chem.cosine_similarity({}, {"a": 1}))


def test_filters_read_the_wheel_alerts_and_the_atom_rules(moses_cache):
    tiny_moses_wheel(moses_cache)
    expected = {"CCO": True, "C1OC1": False,  # epoxide: the MCF alert
                "CSSC": False,  # disulfide: the PAINS-file alert
                "C[N+](C)(C)C": False, "CCI": False,  # a charge; iodine is not an allowed atom
                "C1CCCCCCC1": False, "C1CCCCCC1": True}  # a ring of 8 atoms; of 7
    assert {s: chem.passes_filters(chem.molecule(s)) for s in expected} == expected


def test_molecular_weight_by_hand_and_sa_against_rdkit_reference_scores():
    from rdkit.Chem import RDConfig

    values = chem.properties(chem.molecules(["CCO"]))
    assert values["weight"][0] == pytest.approx(2 * 12.011 + 6 * 1.008 + 15.999, abs=1e-3)
    assert 0.0 < values["QED"][0] <= 1.0
    with open(f"{RDConfig.RDContribDir}/SA_Score/data/zim.100.txt") as table:
        rows = [line.split("\t") for line in table.read().splitlines()[1:6]]
    scores = chem.properties(chem.molecules([smiles for smiles, _, _ in rows]))["SA"]
    np.testing.assert_allclose(scores, [float(score) for _, _, score in rows], atol=2e-3)


def test_property_distances_by_hand():
    generated = {name: np.array([1.0, 3.0]) for name in chem.PROPERTIES}
    reference = {name: np.array([2.0, 2.0, 2.0]) for name in chem.PROPERTIES}
    distances = chem.property_distances(generated, reference)
    # W1: each generated value is 1 away from the reference's one value; Fréchet: equal means,
    # standard deviations sqrt(2) (n - 1 = 1) and 0
    assert distances["logP"] == pytest.approx({"wasserstein": 1.0, "frechet": 2.0})


def test_moses_metrics_of_a_few_molecules(moses_cache):
    tiny_moses_wheel(moses_cache)
    reference = chem.reference_statistics(chem.molecules(["CCO", "c1ccc2ccccc2c1"]))
    result = chem.moses_metrics(["OCC", "OCC", "c1ccc2ccccc2c1", "C1CC"], train={"CCO"}, reference=reference,
                                k=(2,))
    assert result["valid"] == pytest.approx(3 / 4)
    assert result["unique@2"] == pytest.approx(1 / 2) and result["novelty"] == pytest.approx(1 / 2)
    assert result["SNN"] == pytest.approx(1.0) and result["Scaf"] == pytest.approx(1.0)
    assert result["Filters"] == pytest.approx(1.0)
    assert chem.moses_metrics(["C1CC"], train=set(), reference=reference) == {"valid": 0.0}


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="smiles to be a list"):
        chem.validity("CCO")
    with pytest.raises(ValueError, match="valid RDKit molecules"):
        chem.unique_at(chem.molecules(["C1CC"]), 10)
    with pytest.raises(ValueError, match="k"):
        chem.unique_at(chem.molecules(["CC"]), 0)
    with pytest.raises(ValueError, match="b.shape"):
        chem.tanimoto(np.zeros((2, 3)), np.zeros((2, 4)))
