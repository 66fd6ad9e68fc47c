"""A tiny stand-in for the MOSES wheel (same inner paths), so that no test downloads 51 MB."""


TINY_MOSES = {
    "train": ["CCO", "c1ccccc1Cl", "CC(=O)Nc1ccc(O)cc1"],
    "test": ["CCN", "c1ccncc1"],
    "test_scaffolds": ["C1CCC2CCCCC2C1"],
}
TINY_ALERTS = {  # the two filter files in their MOSES layouts: an MCF alert (epoxide) and a "PAINS" one (disulfide)
    "moses/metrics/mcf.csv": "names,smarts\nMCF5,[#6]1-[#8]-[#6]-1\n",
    "moses/metrics/wehi_pains.csv": "\"[#6]-[#16]-[#16]-[#6]\",<regId=test_disulfide>\n",
}


def tiny_moses_wheel(folder):
    """A zip with the MOSES wheel's inner paths, a few SMILES per split and two alerts, where the loader looks."""
    import gzip
    import zipfile

    from tfdl import data

    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / data.MOSES_WHEEL, "w") as wheel:
        for split, smiles in TINY_MOSES.items():
            text = "\n".join(["SMILES", *smiles]) + "\n"
            wheel.writestr(f"moses/dataset/data/{split}.csv.gz", gzip.compress(text.encode()))
        for inner, text in TINY_ALERTS.items():
            wheel.writestr(inner, text)
    return folder / data.MOSES_WHEEL

