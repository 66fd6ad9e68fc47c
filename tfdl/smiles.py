"""SMILES strings as token ids, for sequence models of molecules.

A token is one atom or symbol of the SMILES grammar: a bracket atom
(``[nH]``, ``[C@@H]``, ``[O-]``) stays whole, as do the two-letter organic
atoms ``Cl`` and ``Br`` and two-digit ring closures (``%10``); every other
character is a token of its own. ``"".join(tokenize(s)) == s`` for every
string.

Example:

>>> tokenize("Clc1ccc[nH]1")
['Cl', 'c', '1', 'c', 'c', 'c', '[nH]', '1']
>>> tokenizer = SmilesTokenizer.fit(["CCO", "CCl"])
>>> ids = tokenizer.encode(["CCl"], length=6)
>>> tokenizer.decode(ids)
['CCl']
"""

import re

import numpy as np

from tfdl import validation

TOKEN_PATTERN = re.compile(r"\[[^\[\]]*\]|Br|Cl|%\d\d|.", re.DOTALL)
SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")
PAD, BOS, EOS, UNK = range(len(SPECIALS))


def tokenize(smiles):
    """The tokens of one SMILES string: bracket atoms, ``Cl``, ``Br`` and ``%nn`` whole, other characters alone."""
    if not isinstance(smiles, str):
        raise ValueError(f"Expected smiles to be a str. Received: smiles of type {type(smiles).__name__}")
    return TOKEN_PATTERN.findall(smiles)


class SmilesTokenizer:
    """Token ids of SMILES strings: ``<pad>`` 0, ``<bos>`` 1, ``<eos>`` 2, ``<unk>`` 3, then ``tokens``.

    Args:
        tokens: the tokens of the vocabulary after the four special ones, distinct strings.
    """

    def __init__(self, tokens):
        tokens = list(tokens)
        if len(set(tokens)) != len(tokens) or set(tokens) & set(SPECIALS) or not tokens:
            raise ValueError(f"Expected tokens: distinct strings other than {SPECIALS}, at least one. "
                             f"Received: tokens={tokens[:20]}")
        self.tokens = tokens
        self.vocabulary = list(SPECIALS) + tokens
        self.index = {token: i for i, token in enumerate(self.vocabulary)}

    @classmethod
    def fit(cls, smiles):
        """The tokenizer of every token in ``smiles``, in sorted order."""
        return cls(sorted({token for s in smiles for token in tokenize(s)}))

    def __len__(self):
        return len(self.vocabulary)

    def lengths(self, smiles):
        """The number of token positions each string takes: its tokens, ``<bos>`` and ``<eos>``."""
        return np.array([len(tokenize(s)) + 2 for s in smiles], np.int64)

    def encode(self, smiles, length):
        """``[n, length]`` int32: ``<bos>``, the tokens' ids (``<unk>`` for unknown ones), ``<eos>``, ``<pad>``s.

        Raises:
            ValueError: a string takes more than ``length`` positions (``lengths``).
        """
        length = validation.positive_int(length, "length")
        ids = np.full((len(smiles), length), PAD, np.int32)
        for row, s in enumerate(smiles):
            tokens = [BOS] + [self.index.get(t, UNK) for t in tokenize(s)] + [EOS]
            if len(tokens) > length:
                raise ValueError(f"Expected SMILES of at most {length - 2} tokens (length={length} with <bos> "
                                 f"and <eos>). Received: smiles[{row}]={s!r} with {len(tokens) - 2}")
            ids[row, : len(tokens)] = tokens
        return ids

    def decode(self, ids):
        """The strings of ``[n, length]`` ids: the tokens after ``<bos>`` up to the first ``<eos>`` (or the end),
        specials left out."""
        ids = np.asarray(ids)
        if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"Expected ids: integers [n, length]. Received: ids.shape={ids.shape}, "
                             f"dtype={ids.dtype}")
        strings = []
        for row in ids:
            ends = np.flatnonzero(row == EOS)
            row = row[: ends[0]] if len(ends) else row
            strings.append("".join(self.vocabulary[i] for i in row if i >= len(SPECIALS) and i < len(self)))
        return strings


class TokenBigram:
    """A first-order Markov chain over SMILES tokens, ``<bos>`` to ``<eos>``: the character-level baseline.

    p(t_i | t_{i-1}) is the count of the pair in the training strings over the count of t_{i-1}
    (plus ``pseudocount`` for every pair). It knows which tokens follow which, nothing of rings or
    brackets closing further on.

    Args:
        tokenizer: a ``SmilesTokenizer``.
        counts: ``[V, V]`` transition counts, previous token by next.
    """

    def __init__(self, tokenizer, counts):
        counts = np.asarray(counts, np.float64)
        if counts.shape != (len(tokenizer), len(tokenizer)) or np.any(counts < 0):
            raise ValueError(f"Expected counts: non-negative [{len(tokenizer)}, {len(tokenizer)}]. Received: "
                             f"counts.shape={counts.shape}")
        self.tokenizer = tokenizer
        totals = counts.sum(1, keepdims=True)
        self.probabilities = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)

    @classmethod
    def fit(cls, tokenizer, smiles, pseudocount=0.0):
        """The chain of the token pairs of ``smiles`` (``<bos>`` first, ``<eos>`` last)."""
        pseudocount = validation.number(pseudocount, "pseudocount", low=0.0)
        counts = np.full((len(tokenizer), len(tokenizer)), pseudocount)
        ids = tokenizer.encode(smiles, int(tokenizer.lengths(smiles).max()))
        pairs = ids[:, 1:] != PAD
        np.add.at(counts, (ids[:, :-1][pairs], ids[:, 1:][pairs]), 1.0)
        counts[:, BOS] = counts[:, PAD] = 0.0  # never produced after the start
        return cls(tokenizer, counts)

    def sample(self, num, length, seed=0):
        """``[num, length]`` int32 ids drawn from the chain from ``<bos>``; stops at ``<eos>`` or ``length``."""
        num, length = validation.positive_int(num, "num"), validation.positive_int(length, "length")
        rng = np.random.default_rng(validation.seed(seed))
        cumulative = np.cumsum(self.probabilities, axis=1)
        ids = np.full((num, length), PAD, np.int32)
        ids[:, 0] = BOS
        running = np.ones(num, bool)
        for step in range(1, length):
            rows = cumulative[ids[running, step - 1]]
            draws = (rng.random((len(rows), 1)) * rows[:, -1:] > rows).sum(1)
            ids[running, step] = np.minimum(draws, len(self.tokenizer) - 1)
            running[running] = ids[running, step] != EOS
        return ids
