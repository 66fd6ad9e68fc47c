"""Section 8: drug discovery: a SMILES VAE on the MOSES benchmark, scored with RDKit.

The article: VAEs generate new molecular structures with desired properties. Here a character-level
(token-level) VAE (``tfdl.models.SmilesVAE``) learns a subset of the MOSES training molecules; its samples
are scored by MOSES's metrics (``tfdl.chem``) next to the MOSES VAE and CharRNN rows, against a token
bigram chain (the character-level baseline); a linear predictor of logP on the latent codes gives the
direction of the "desired property", and a step along it is set against random steps of the same length.
"""

import os

import keras
import numpy as np

from tfdl import chem, claims, data, plotting, smiles, tables, timing
from tfdl.models import KLAnnealing, SmilesVAE, smiles_pair
from tfdl.report import Section

QUOTE = "नए molecular structures generate करने के लिए VAEs का उपयोग किया जा सकता है"
PROPERTY_QUOTE = "… desired properties वाले molecules …"
NEW_MARGIN = 5.0  # points of valid, distinct and novel molecules per 100 samples
LOGP_MARGIN = 0.2  # logP units
VALID_KEEP_MARGIN = 20.0  # points of validity lost by the property step beyond a random step's
STEP = 2.0  # length of the latent step, in prior standard deviations
RIDGE = 1e-2
MOSES_ROWS = {  # MOSES README at commit 0447c9f (molecularsets/moses); their test set; trained on their train set
    "VAE (MOSES README: char-level VAE, MOSES train/test)":
        {"valid": 0.9528, "unique@1000": 1.0, "unique@10000": 0.9992, "SNN": 0.4684, "Frag": 0.9978,
         "Scaf": 0.8277, "IntDiv": 0.8548, "Filters": 0.9925},
    "CharRNN (MOSES README: char-level LSTM, MOSES train/test)":
        {"valid": 0.9598, "unique@1000": 1.0, "unique@10000": 0.9993, "SNN": 0.4606, "Frag": 0.9977,
         "Scaf": 0.7964, "IntDiv": 0.8561, "Filters": 0.9920},
}
COLUMNS = ("valid", "unique@1000", "unique@10000", "novelty", "SNN", "Frag", "Scaf", "IntDiv", "Filters")


def missing():
    """What this machine lacks for the section, in words; None when RDKit and the data are here."""
    if not chem.rdkit_available():
        return chem.INSTALL
    try:
        data.moses_wheel()
    except data.DataUnavailableError as error:
        return str(error)
    return None


def molecules_data(run, s):
    """The training subset, a validation subset, the test reference and the whole training set (for novelty)."""
    train = data.load("moses", split="train")
    rng = np.random.default_rng(run.seed)
    picked = rng.choice(len(train), s["train_size"] + s["valid_size"], replace=False)
    test = data.load("moses", split="test")
    reference = [test[i] for i in rng.choice(len(test), min(s["reference_size"], len(test)), replace=False)]
    return ([train[i] for i in picked[: s["train_size"]]], [train[i] for i in picked[s["train_size"]:]],
            reference, set(train))


def encodable(strings, tokenizer, s):
    """The strings whose tokens the tokenizer knows and that fit in ``max_length`` positions."""
    known = set(tokenizer.tokens)
    return [t for t in strings
            if len(smiles.tokenize(t)) + 2 <= s["max_length"] and set(smiles.tokenize(t)) <= known]


def train_vae(run, s, tokenizer, train, valid):
    """The SmilesVAE of the profile's sizes, KL weight annealed from 0 to ``beta`` over training."""
    length = s["max_length"]
    x, x_valid = tokenizer.encode(train, length), tokenizer.encode(valid, length)
    keras.utils.set_random_seed(run.seed)
    with run.strategy.scope():
        model = SmilesVAE(*smiles_pair(len(tokenizer), s["latent_dim"], encoder_units=s["encoder_units"],
                                       hidden_units=s["hidden_units"], max_length=length),
                          tokens=tokenizer.tokens, beta=s["beta"], seed=run.seed)
        model.compile(optimizer=keras.optimizers.Adam(s["learning_rate"]))
    steps = s["epochs"] * -(-len(x) // s["batch_size"])
    run.progress(f"SMILES VAE: {len(x):,} molecules, {s['epochs']} epochs")
    with timing.Timer() as timer:
        history = model.fit(x, epochs=s["epochs"], batch_size=s["batch_size"], validation_data=(x_valid,),
                            callbacks=[KLAnnealing(steps)], verbose=run.verbose).history
    return model, history, timer.seconds


def new_rate(strings, train_set):
    """Distinct valid molecules absent from the training set, per 100 strings."""
    canonical = {chem.canonical(m) for m in chem.molecules(strings) if m is not None}
    return 100 * len(canonical - train_set) / len(strings)


def latent_property(model, tokenizer, train, test, s, seed):
    """logP's linear predictor on the codes, and a step along it against random steps of the same length."""
    def codes(strings):
        return np.asarray(model.encode(tokenizer.encode(strings, s["max_length"]))[0], np.float64)

    def log_p(strings):
        mols = chem.molecules(strings)
        valid = [m for m in mols if m is not None]
        return (chem.properties(valid)["logP"].mean() if valid else np.nan), 100 * len(valid) / len(mols)

    fit_codes, fit_values = codes(train), chem.properties(chem.molecules(train))["logP"]
    design = np.hstack([fit_codes, np.ones((len(fit_codes), 1))])
    weights = np.linalg.solve(design.T @ design + RIDGE * np.eye(design.shape[1]), design.T @ fit_values)
    direction = weights[:-1] / np.linalg.norm(weights[:-1])
    z = codes(test)
    test_values = chem.properties(chem.molecules(test))["logP"]
    predicted = np.hstack([z, np.ones((len(z), 1))]) @ weights
    r2 = 1 - np.mean((predicted - test_values) ** 2) / np.var(test_values)
    randoms = np.random.default_rng(seed).standard_normal(z.shape)
    randoms /= np.linalg.norm(randoms, axis=1, keepdims=True)

    def decoded(codes_):
        return tokenizer.decode(np.asarray(model.decode(codes_.astype("float32"), greedy=True)))

    base, along, random = (log_p(decoded(c)) for c in (z, z + STEP * direction, z + STEP * randoms))
    return {"r2": float(r2), "base_logP": base[0], "along_logP": along[0], "random_logP": random[0],
            "base_valid": base[1], "along_valid": along[1], "random_valid": random[1]}


class DrugDiscovery(Section):
    """A SMILES VAE on MOSES: MOSES's metrics, new molecules against a bigram chain, a property direction."""

    name = "drug_discovery"
    title = "Drug discovery: a SMILES VAE on the MOSES benchmark"

    def settings(self, run):
        pick, cap = run.by_profile, run.at_most
        return {
            "train_size": cap(pick(1_000, 15_000, 1_584_663 - 2_000)),
            "valid_size": cap(pick(200, 1_000, 2_000)),
            "reference_size": cap(pick(500, 5_000, 176_074)),
            "samples": cap(pick(200, 10_000, 30_000)),
            "property_codes": cap(pick(300, 5_000, 50_000)),
            "property_moves": cap(pick(100, 1_000, 1_000)),
            "epochs": run.num_epochs(1, 4, 100),
            "max_length": 60,  # tokens with <bos> and <eos>; MOSES's molecules are shorter
            "latent_dim": pick(16, 64, 128), "encoder_units": pick(32, 128, 256),
            "hidden_units": pick((64,), (256,), (512, 512, 512)), "beta": 0.05,
            "learning_rate": pick(1e-3, 1e-3, 3e-4), "batch_size": pick(128, 256, 512),
        }

    def measure(self, run, s):
        lacking = missing()
        if lacking:
            return {"missing": lacking}
        train, valid, reference, train_set = molecules_data(run, s)
        train = [t for t in train if len(smiles.tokenize(t)) + 2 <= s["max_length"]]
        tokenizer = smiles.SmilesTokenizer.fit(train)
        model, history, seconds = train_vae(run, s, tokenizer, train, encodable(valid, tokenizer, s))
        load = os.getloadavg()[0]
        run.progress(f"sampling {s['samples']:,} molecules; MOSES metrics")
        generated = tokenizer.decode(np.asarray(model.sample(s["samples"], seed=run.seed)))
        bigram = smiles.TokenBigram.fit(tokenizer, train).sample(s["samples"], s["max_length"], seed=run.seed)
        bigram_strings = tokenizer.decode(bigram)
        statistics = chem.reference_statistics([m for m in chem.molecules(reference) if m is not None])
        moved = encodable(reference, tokenizer, s)[: s["property_moves"]]
        return {
            "train_size": len(train), "vocabulary": len(tokenizer), "train_seconds": seconds, "load": load,
            "val_loss": history["val_loss"], "kl_loss": history["kl_loss"],
            "ours": chem.moses_metrics(generated, train_set, statistics),
            "bigram_valid": 100 * chem.validity(bigram_strings),
            "new_rate": {"VAE": new_rate(generated, train_set), "bigram": new_rate(bigram_strings, train_set)},
            "property": latent_property(model, tokenizer, train[: s["property_codes"]], moved, s, run.seed),
            "_generated": generated, "_model": model, "_tokenizer": tokenizer, "_reference": reference,
            "_test_pair": moved[:2],
        }

    def judge(self, run, s, m):
        if "missing" in m:
            return [claims.claim(id, quote, gloss, "not measured", None, reason=m["missing"])
                    for id, quote, gloss in (("new_molecules", QUOTE, "a VAE generates new, valid molecules"),
                                             ("desired_properties", PROPERTY_QUOTE,
                                              "… with desired properties"))]
        p = m["property"]
        return [
            claims.claim(
                "new_molecules", QUOTE, "a VAE generates new, valid molecules",
                f"distinct valid molecules absent from the MOSES training set, per 100 of {s['samples']:,} samples; "
                "the SMILES VAE vs a token bigram chain fitted to the same molecules",
                claims.compare(m["new_rate"]["VAE"], m["new_rate"]["bigram"], names=("SMILES VAE", "token bigram"),
                               better="higher", margin=NEW_MARGIN)),
            claims.claim(
                "desired_properties", PROPERTY_QUOTE,
                "… with desired properties: a step in latent space along a property's direction raises it",
                f"mean logP of the valid greedy decodings of {s['property_moves']:,} test molecules' codes moved "
                f"{STEP:g} along the latent logP predictor's direction vs along random directions",
                *property_verdict(p)),
            claims.claim(
                "desired_properties_valid", PROPERTY_QUOTE,
                "… and the moved codes still decode to molecules (validity kept as under a random step)",
                "% valid greedy decodings after the property step vs after a random step of the same length",
                claims.compare(p["along_valid"] + VALID_KEEP_MARGIN, p["random_valid"],
                               names=(f"logP direction + {VALID_KEEP_MARGIN:g} points", "random direction"),
                               better="higher")),
        ]

    def draw(self, run, s, m):
        if "missing" in m:
            return {}
        return {"molecules": (molecule_grid(m["_generated"][:24], "generated by the SMILES VAE (first 24)"),
                              "molecules sampled by the SMILES VAE"),
                "properties": (property_histograms(m["_generated"], m["_reference"]),
                               "property distributions: generated vs MOSES test"),
                "molecule_interpolation": (interpolation(m["_model"], m["_tokenizer"], m["_test_pair"], s),
                                           "greedy decodings between two test molecules' codes")}

    def write(self, run, s, m, figures):
        if "missing" in m:
            return (f"Not measured on this machine: {m['missing']}. The section needs RDKit "
                    "(`pip install 'tfdl[chem]'`) and the MOSES data (`tfdl data moses` fetches it once).")
        return write_text(s, m, figures)


def property_verdict(p):
    """``(verdict, reason)`` of the property step: None and why when a step decoded no valid molecule."""
    if np.isnan(p["along_logP"]) or np.isnan(p["random_logP"]):
        return None, "no valid molecule decoded after one of the steps: no logP to compare"
    return claims.compare(p["along_logP"], p["random_logP"], names=("logP direction", "random direction"),
                          better="higher", margin=LOGP_MARGIN), None


def moses_table(s, m):
    ours = f"SMILES VAE (tfdl, {m['train_size']:,} MOSES train molecules, {s['epochs']} epochs)"
    rows = [[ours] + [tables.cell(m["ours"].get(c)) for c in COLUMNS]]
    rows += [[name] + [tables.cell(row.get(c, "—")) for c in COLUMNS] for name, row in MOSES_ROWS.items()]
    return tables.markdown_table(["model", *COLUMNS], rows)


def write_text(s, m, figures):
    p, ours = m["property"], m["ours"]
    distances = ", ".join(f"{name} {ours[f'{name}/wasserstein']:.3g} (Fréchet {ours[f'{name}/frechet']:.3g})"
                          for name in chem.PROPERTIES if f"{name}/wasserstein" in ours)
    return (
        f"A SMILES VAE (bi-GRU {s['encoder_units']} encoder, GRU {'-'.join(map(str, s['hidden_units']))} decoder, "
        f"latent {s['latent_dim']}, {m['vocabulary']} tokens; KL weight annealed linearly from 0 to {s['beta']} over "
        f"training and no free bits, as MOSES's VAE; Adam {s['learning_rate']:g}, batch {s['batch_size']}) trained "
        f"on {m['train_size']:,} molecules drawn from the MOSES training set for {s['epochs']} epochs in "
        f"{m['train_seconds']:.0f} s (one seed; load average {m['load']:.1f} on this machine), then "
        f"{s['samples']:,} samples at temperature 1, scored against {s['reference_size']:,} molecules of the "
        "MOSES test set:\n\n" + moses_table(s, m) + "\n\n"
        "The MOSES rows are the README's table (its models trained on the whole MOSES training set, scored on "
        "its whole test set); ours is scored on a subset of the test set and trained on a subset for a few "
        "epochs, so SNN, Frag and Scaf are not strictly comparable. FCD is left out: it needs ChemNet's trained "
        "weights, published for PyTorch and for Keras 2 only. Property distances to the test set (Wasserstein-1 "
        f"as MOSES; Fréchet of fitted Gaussians): {distances}.\n\n"
        f"New molecules per 100 samples (valid, distinct, not in the training set): SMILES VAE "
        f"{m['new_rate']['VAE']:.1f}, token bigram {m['new_rate']['bigram']:.1f} (bigram validity "
        f"{m['bigram_valid']:.1f} %).\n\n"
        f"Desired properties: a ridge regression of logP on {s['property_codes']:,} training codes (R² {p['r2']:.2f} "
        f"on test codes) gives a direction; greedy decodings of test codes have mean logP {p['base_logP']:.2f} "
        f"({p['base_valid']:.0f} % valid), {p['along_logP']:.2f} after a step of {STEP:g} along it "
        f"({p['along_valid']:.0f} % valid) and {p['random_logP']:.2f} after random steps of the same length "
        f"({p['random_valid']:.0f} % valid).\n\n"
        + "\n\n".join(figures[name] for name in ("molecules", "properties", "molecule_interpolation"))
    )


def _draw(strings, columns, legends):
    """RDKit drawings of SMILES strings in a grid, as a matplotlib figure (an invalid one is left blank)."""
    from rdkit import Chem
    from rdkit.Chem import Draw

    mols = [chem.molecule(t) for t in strings]
    picture = Draw.MolsToGridImage([m if m is not None else Chem.Mol() for m in mols],
                                   molsPerRow=columns, subImgSize=(200, 160), legends=legends)
    rows = -(-len(strings) // columns)
    fig, axis = plotting.figure(width=1.6 * columns, height=1.3 * rows)
    axis.imshow(np.asarray(picture))
    axis.axis("off")
    return fig


def molecule_grid(strings, title):
    fig = _draw(strings, 6, ["" if chem.molecule(t) else "invalid" for t in strings])
    fig.suptitle(title)
    return fig


def property_histograms(generated, reference):
    gen = chem.properties([m for m in chem.molecules(generated) if m is not None])
    ref = chem.properties([m for m in chem.molecules(reference) if m is not None])
    fig, axes = plotting.figure(width=9.0, height=2.4, columns=len(chem.PROPERTIES))
    for axis, name in zip(axes, chem.PROPERTIES):
        axis.hist(ref[name], bins=40, density=True, alpha=0.5, label="MOSES test")
        axis.hist(gen[name], bins=40, density=True, alpha=0.5, label="SMILES VAE")
        axis.set_title(name)
    axes[0].legend(fontsize="small")
    return fig


def interpolation(model, tokenizer, pair, s):
    ids = tokenizer.encode(pair, s["max_length"])
    codes = np.asarray(model.encode(ids)[0])
    t = np.linspace(0.0, 1.0, 8)[:, None]
    strings = tokenizer.decode(np.asarray(model.decode((codes[:1] * (1 - t) + codes[1:] * t).astype("float32"))))
    legends = [f"t={x:.2f}" + ("" if chem.molecule(y) else " invalid") for x, y in zip(t[:, 0], strings)]
    fig = _draw(strings, 8, legends)
    fig.suptitle(f"{pair[0]}  →  {pair[1]}", fontsize="small")
    return fig
