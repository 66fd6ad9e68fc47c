"""The SMILES tokenizer and the sequence VAE of molecules (tfdl.smiles, tfdl.models.smiles_vae)."""

import itertools

import keras
import numpy as np
import pytest

from tfdl import smiles
from tfdl.models.smiles_vae import KLAnnealing, SmilesDecoder, SmilesVAE, smiles_pair

MOLECULES = ["CCO", "Clc1ccc(Br)[nH]1", "C[C@@H](N)C(=O)O", "c1ccc2c(c1)CCC%10CC%10C2", "CC(C)Cc1ccc(Cl)cc1",
             "O=C([O-])c1ccccc1"]


def test_tokens_keep_two_letter_and_bracket_atoms_whole():
    assert smiles.tokenize("Clc1ccc(Br)[nH]1") == ["Cl", "c", "1", "c", "c", "c", "(", "Br", ")", "[nH]", "1"]
    assert smiles.tokenize("C[C@@H]%10") == ["C", "[C@@H]", "%10"]
    for s in MOLECULES:
        assert "".join(smiles.tokenize(s)) == s


def test_encode_decode_round_trip_and_layout():
    tokenizer = smiles.SmilesTokenizer.fit(MOLECULES)
    length = int(tokenizer.lengths(MOLECULES).max())
    ids = tokenizer.encode(MOLECULES, length)
    assert tokenizer.decode(ids) == MOLECULES
    first = ids[0]  # CCO: <bos> C C O <eos> then padding
    c, o = tokenizer.index["C"], tokenizer.index["O"]
    assert first[:5].tolist() == [smiles.BOS, c, c, o, smiles.EOS] and set(first[5:]) == {smiles.PAD}
    assert tokenizer.encode(["CCI"], 6)[0, 3] == smiles.UNK  # a token the vocabulary never saw
    with pytest.raises(ValueError, match="at most 2 tokens"):
        tokenizer.encode(["CCO"], 4)
    with pytest.raises(ValueError, match="tokens: distinct"):
        smiles.SmilesTokenizer(["C", "C"])


@pytest.fixture(scope="module")
def model():
    tokenizer = smiles.SmilesTokenizer.fit(MOLECULES)
    keras.utils.set_random_seed(0)
    encoder, decoder = smiles_pair(len(tokenizer), latent_dim=4, embedding_dim=8, encoder_units=8,
                                   hidden_units=(16, 12), max_length=28)
    return SmilesVAE(encoder, decoder, tokens=tokenizer.tokens, beta=0.5, free_bits=0.25, seed=0)


def test_decoder_is_autoregressive():
    decoder = SmilesDecoder(10, latent_dim=3, embedding_dim=4, hidden_units=(5,))
    z = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")
    tokens = np.array([[1, 4, 5, 6, 7], [1, 8, 9, 4, 5]], "int32")
    changed = tokens.copy()
    changed[:, 3:] = 2
    np.testing.assert_allclose(decoder([z, tokens])[:, :3], decoder([z, changed])[:, :3], atol=1e-6)
    assert decoder([z, tokens]).shape == (2, 5, 10)


def test_reconstruction_is_the_sum_of_next_token_log_probabilities(model):
    ids = model.tokenizer.encode(MOLECULES, 28)
    z = np.random.default_rng(1).normal(size=(len(ids), 4)).astype("float32")
    logits = np.asarray(model.decoder([z, ids[:, :-1]]), "float64")
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    by_hand = [sum(log_softmax[i, t, ids[i, t + 1]] for t in range(27) if ids[i, t + 1] != smiles.PAD)
               for i in range(len(ids))]
    np.testing.assert_allclose(model._reconstruction_log_prob(ids, z), by_hand, rtol=1e-5)


def test_free_bits_loss_by_hand(model):
    ids = model.tokenizer.encode(MOLECULES, 28)
    values = model.compute_losses(ids, training=False)
    mean, log_var = (np.asarray(t, "float64") for t in model.encoder(ids))
    per_dimension = (0.5 * (np.exp(log_var) + mean ** 2 - 1 - log_var)).mean(0)
    penalty = np.maximum(per_dimension, 0.25).sum()
    assert float(values["kl_loss"]) == pytest.approx(per_dimension.sum(), abs=1e-6)
    expected = float(values["reconstruction_loss"]) + 0.5 * penalty  # kl_weight starts at beta
    assert float(values["loss"]) == pytest.approx(expected, rel=1e-5)


def test_sampling_seeds_eos_padding_and_temperature(model):
    a, b = model.sample(50, seed=3), model.sample(50, seed=3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (50, 28) and np.all(np.asarray(a)[:, 0] == smiles.BOS)
    for row in np.asarray(a):
        ends = np.flatnonzero(row == smiles.EOS)
        if len(ends):
            assert np.all(row[ends[0] + 1:] == smiles.PAD)
    z = np.random.default_rng(2).normal(size=(20, 4)).astype("float32")
    greedy = model.decode(z, greedy=True)
    # T -> 0 takes the most probable token (an untrained model's near-ties apart)
    assert np.mean(np.asarray(model.decode(z, greedy=False, temperature=1e-4, seed=5)) == greedy) > 0.9
    assert not np.array_equal(model.decode(z, greedy=False, temperature=5.0, seed=5), greedy)


def test_beam_search_finds_the_most_probable_sequence_by_enumeration():
    """A beam as wide as every prefix is exhaustive: each row must get the sequence of highest
    log p(x|z) among all of them, scored independently by teacher forcing; width 1 is greedy."""
    tokenizer = smiles.SmilesTokenizer.fit(["CO"])
    keras.utils.set_random_seed(2)
    model = SmilesVAE(*smiles_pair(len(tokenizer), latent_dim=2, embedding_dim=4, encoder_units=4,
                                   hidden_units=(8,), max_length=5), tokens=tokenizer.tokens, seed=0)
    kernel, bias = model.decoder.logits.get_weights()
    bias[smiles.EOS] -= 1.5  # longer most-probable sequences than <eos> at once
    model.decoder.logits.set_weights([3 * kernel, bias])
    vocabulary, positions = len(tokenizer), 4  # the positions after <bos>
    z = np.random.default_rng(3).normal(scale=3.0, size=(4, 2)).astype("float32")
    every = itertools.product(range(vocabulary), repeat=positions)
    ended = [(row, row.index(smiles.EOS) if smiles.EOS in row else positions - 1) for row in map(list, every)]
    ended = [(row, end) for row, end in ended if all(t == smiles.PAD for t in row[end + 1:])]  # <pad> after <eos>
    sequences = np.array([row for row, _ in ended], "int32")
    inputs = np.concatenate([np.full((len(sequences), 1), smiles.BOS, "int32"), sequences[:, :-1]], 1)
    beam = np.asarray(model.decode(z, beam_width=vocabulary ** (positions - 1)))
    greedy = np.asarray(model.decode(z, greedy=True))
    for i in range(len(z)):
        logits = np.asarray(model.decoder([np.repeat(z[i:i + 1], len(sequences), 0), inputs]), "float64")
        log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        scores = [sum(log_softmax[j, t, row[t]] for t in range(end + 1)) for j, (row, end) in enumerate(ended)]
        np.testing.assert_array_equal(beam[i], np.concatenate([[smiles.BOS], sequences[int(np.argmax(scores))]]))
    assert len({tuple(row) for row in beam}) > 1 and np.any(beam != greedy)  # the case can tell them apart
    np.testing.assert_array_equal(model.decode(z, beam_width=1), greedy)
    with pytest.raises(ValueError, match="greedy=True with beam_width"):
        model.decode(z, greedy=False, beam_width=2)
    with pytest.raises(ValueError, match="beam_width=0"):
        model.decode(z, beam_width=0)


def test_fit_with_annealing_and_keras_round_trip(model, roundtrip):
    ids = model.tokenizer.encode(MOLECULES * 8, 28)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    annealing = KLAnnealing(steps=4)
    history = model.fit(ids, epochs=3, batch_size=16, callbacks=[annealing], verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert float(model.kl_weight) == pytest.approx(0.5)  # reached beta after 4 of the 9 batches
    loaded = roundtrip(model)
    np.testing.assert_array_equal(loaded(ids[:6]), model(ids[:6]))
    np.testing.assert_array_equal(loaded.sample(10, seed=4), model.sample(10, seed=4))
    np.testing.assert_array_equal(loaded.elbo(ids[:6], seed=1), model.elbo(ids[:6], seed=1))
    assert loaded.tokenizer.tokens == model.tokenizer.tokens and loaded.free_bits == 0.25


def test_importance_bound_is_at_least_the_elbo_on_average(model):
    ids = model.tokenizer.encode(MOLECULES, 28)
    elbo = np.mean([np.asarray(model.elbo(ids, seed=s)) for s in range(20)], axis=0)
    bound = np.asarray(model.log_prob(ids, num_samples=64, seed=0))
    assert np.all(bound > elbo - 0.5)


def test_bad_input_is_named(model):
    with pytest.raises(ValueError, match="token ids"):
        model.encode(np.full((2, 28), len(model.tokenizer), "int32"))
    with pytest.raises(ValueError, match="temperature"):
        model.sample(2, temperature=0.0)
    with pytest.raises(ValueError, match="Received: 3 tokens"):
        SmilesVAE(*smiles_pair(10, latent_dim=2), tokens=["C", "O", "N"])


def test_bigram_probabilities_by_hand_and_sampling_frequencies():
    tokenizer = smiles.SmilesTokenizer.fit(["CC", "CO"])
    bigram = smiles.TokenBigram.fit(tokenizer, ["CC", "CO"])
    c, o = tokenizer.index["C"], tokenizer.index["O"]
    # pairs: <bos>C twice; CC, C<eos> (from CC); CO, O<eos> (from CO)
    assert bigram.probabilities[smiles.BOS, c] == 1.0
    np.testing.assert_allclose(bigram.probabilities[c, [c, o, smiles.EOS]], [1 / 3] * 3)
    assert bigram.probabilities[o, smiles.EOS] == 1.0
    ids = bigram.sample(3000, 8, seed=0)
    np.testing.assert_array_equal(ids, bigram.sample(3000, 8, seed=0))
    strings = tokenizer.decode(ids)
    # "C" ends with probability 1/3, "CO" with 1/3, "CC..." the rest
    assert abs(strings.count("C") / 3000 - 1 / 3) < 0.03 and abs(strings.count("CO") / 3000 - 1 / 3) < 0.03
    assert all(set(s) <= {"C", "O"} and "O" not in s[:-1] for s in strings)
