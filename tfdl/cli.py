"""Command line: ``tfdl reproduce <article>``, ``tfdl data <name>``, ``tfdl table --data FILE.npz``, ``tfdl bench``.

Parsing imports no TensorFlow (``--help``, ``--version`` and usage errors are
instant); a command imports it when it runs.
"""

import argparse
import os
import sys

from tfdl import __version__, bench, data, results, runner, validation

SEED_RANGE = (0, validation.SEED_LIMIT - 1)  # what keras.utils.set_random_seed (NumPy's RandomState) accepts


def integer(low, high=None):
    """An argparse ``type``: an integer in ``[low, high]`` (no upper bound if ``high`` is None)."""
    expected = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {expected}; received {text!r}")
        return value

    return parse


def out_folder(text):
    """An argparse ``type``: a folder a run can write its results to (``tfdl.results.check_out``)."""
    try:
        return str(results.check_out(text, "--out"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def names(text):
    """An argparse ``type``: comma-separated names."""
    found = [name.strip() for name in text.split(",") if name.strip()]
    if not found:
        raise argparse.ArgumentTypeError(f"expected one or more comma-separated section names; received {text!r}")
    return found


def parser():
    """The ``tfdl`` argument parser, with its three subcommands."""
    tfdl = argparse.ArgumentParser(
        prog="tfdl", description="Reproduce the articles, check a data set, time models next to their peers."
    )
    tfdl.add_argument("--version", action="version", version=f"tfdl {__version__}",
                      help="print tfdl's version and exit")
    commands = tfdl.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                   help="one of the commands below")

    reproduce = commands.add_parser("reproduce", help="reproduce an article's examples and write its report")
    reproduce.add_argument("article", choices=runner.ARTICLES + ("all",),
                           help="the article to reproduce, or all four one after the other")
    reproduce.add_argument("--dataset", default="digits", choices=data.DATASETS,
                           help="the data set to train on (default: %(default)s, bundled and offline)")
    reproduce.add_argument("--profile", default="default", choices=runner.PROFILES,
                           help="smoke: seconds; default: minutes on 2 CPU cores; full: the papers' "
                                "settings, meant for a GPU (default: %(default)s)")
    reproduce.add_argument("--epochs", type=integer(1), default=None,
                           help="override the profile's epochs")
    reproduce.add_argument("--limit", type=integer(1), default=None,
                           help="check a profile's code path quickly: at most LIMIT examples per split "
                                "and LIMIT of every other count (samples, temperatures); model sizes "
                                "stay the profile's and every verdict is not judged")
    reproduce.add_argument("--out", default=None, type=out_folder,
                           help="output folder (default: results/<article>; with all, <OUT>/<article>); "
                                "written atomically when the run completes")
    reproduce.add_argument("--only", default=None, type=names, metavar="SECTION[,SECTION]",
                           help="run only these sections of the article (--list shows them)")
    reproduce.add_argument("--list", action="store_true",
                           help="list the article's sections and exit")
    reproduce.add_argument("--resume", action="store_true",
                           help="continue an interrupted run on the same --out and settings from the "
                                "sections it finished")
    reproduce.add_argument("--seed", type=integer(*SEED_RANGE), default=0,
                           help="seed for everything random in the run (default: %(default)s)")
    reproduce.add_argument("--strategy", default="default", choices=runner.STRATEGIES,
                           help="default: one device; mirrored: tf.distribute.MirroredStrategy "
                                "over all GPUs; multi_worker: MultiWorkerMirroredStrategy over the "
                                "cluster in TF_CONFIG (default: %(default)s)")
    reproduce.add_argument("--workers", type=integer(1), default=None,
                           help="with --strategy multi_worker: start WORKERS local worker processes "
                                "with a generated TF_CONFIG (to try a cluster on one host)")
    reproduce.add_argument("--verbose", action="store_true",
                           help="show Keras progress bars while training (progress lines "
                                "per section are always printed)")

    check = commands.add_parser("data", help="load a data set and print its splits")
    check.add_argument("name", choices=data.DATASETS + data.BINARY_SETS + data.MOLECULE_SETS,
                       help="the data set to load")

    table = commands.add_parser(
        "table", help="the NADE/MADE papers' table (test NLL of rbm, fvsbn, nade, made, made_mask_sampling) "
                      "for a binary data set")
    table.add_argument("--data", required=True, metavar="FILE.npz",
                       help="an .npz with 0/1 arrays train, valid and test [examples, dimensions], or train "
                            "alone (then split 70/10/20 with a permutation drawn from seed 0)")
    table.add_argument("--out", default=None, type=out_folder,
                       help="folder for table.md and table.json (default: print only)")
    table.add_argument("--budget", default="default", choices=("tiny", "default", "full"),
                       help="grids and early-stopping limits (tfdl.density_table.grid and schedule; "
                            "default: %(default)s)")
    table.add_argument("--seeds", type=integer(1), default=3, help="trainings per model (default: %(default)s)")
    table.add_argument("--models", default=None, type=names, metavar="MODEL[,MODEL]",
                       help="a subset of rbm,fvsbn,nade,made,made_mask_sampling (default: all)")

    timing = commands.add_parser("bench", help="time models next to their peers")
    timing.add_argument("--only", default=None, choices=bench.available(),
                        help="run only tfdl/benchmarks/bench_<ONLY>.py (default: all)")
    timing.add_argument("--out", default="results/bench.json",
                        help="the JSON file to write (default: %(default)s)")
    timing.add_argument("--quick", action="store_true",
                        help="a reduced set and size (a few minutes), compared with the quick reference")
    timing.add_argument("--update", action="store_true",
                        help="store this run's ratios as the reference (tfdl/benchmarks/reference.json) "
                             "and, for a full run, rewrite the README's performance table")
    return tfdl


def main(argv=None):
    """Runs ``tfdl ARGS``; returns the exit status (2: a usage or data error)."""
    command_line = parser()
    args = command_line.parse_args(argv)
    if args.command == "reproduce":
        articles = runner.ARTICLES if args.article == "all" else (args.article,)
        low = max(runner.MIN_LIMITS[a] for a in articles)
        if args.limit is not None and args.limit < low:
            command_line.error(f"argument --limit: expected an integer >= {low} for {args.article} (the smallest "
                               f"that keeps every section running); received {args.limit}")
        if args.workers is not None and args.strategy != "multi_worker":
            command_line.error(f"argument --workers: expected --strategy multi_worker; "
                               f"received --strategy {args.strategy}")
        if args.strategy == "multi_worker" and args.workers is None and not os.environ.get("TF_CONFIG"):
            command_line.error("argument --strategy multi_worker: expected the cluster in the TF_CONFIG "
                               "environment variable, or --workers N for N local workers; received neither")
        if args.only is not None:
            known = [name for article in articles for name, _ in runner.sections(article)]
            if len(articles) > 1 or set(args.only) - set(known):
                command_line.error(f"argument --only: expected section names among {known} of one article; "
                                   f"received {','.join(args.only)}")
    try:
        if args.command == "data":
            _print_splits(args.name)
            return 0
        if args.command == "bench":
            return bench.main(only=args.only, out=args.out, quick=args.quick, update=args.update)
        if args.command == "table":
            return _table(command_line, args)
        if args.list:
            for article in articles:
                for name, title in runner.sections(article):
                    print(f"{article} {name}: {title}")
            return 0
        if args.workers is not None and not args.list:
            from tfdl import distribute

            codes = distribute.launch(distribute.launcher_command(sys.argv[1:] if argv is None else argv),
                                      args.workers)
            return next((code for code in codes if code), 0)
        for article in articles:
            out = args.out if len(articles) == 1 or args.out is None else f"{args.out}/{article}"
            runner.reproduce(
                article,
                only=args.only,
                resume=args.resume,
                dataset=args.dataset,
                profile=args.profile,
                epochs=args.epochs,
                out=out,
                seed=args.seed,
                strategy=args.strategy,
                verbose=args.verbose,
                limit=args.limit,
            )
    except (FileNotFoundError, data.DataUnavailableError, results.ResultsBusyError, DataFileError) as error:
        print(f"tfdl: error: {error}", file=sys.stderr)
        return 2
    return 0


def _print_splits(name):
    """``tfdl data NAME``: one line per split of a data set."""
    if name in data.MOLECULE_SETS:
        for split in data.MOSES_SPLITS:
            smiles = data.load(name, split=split)
            print(f"{name} {split}: {len(smiles):,} SMILES, e.g. {smiles[0]}")
        return
    for split in data.SPLITS:
        if name in data.BINARY_SETS:
            x = data.load(name, split=split)
            print(f"{name} {split}: x {x.shape} {x.dtype}, binary, {x.mean():.3f} ones")
            continue
        x, y = data.load(name, split=split, with_labels=True)
        print(f"{name} {split}: x {x.shape} {x.dtype}, {len(set(y.tolist()))} classes")


class DataFileError(ValueError):
    """A ``--data`` file that is not a binary data set; the message says what was found."""


def read_splits(path):
    """``(train, valid, test)`` of an ``.npz``: its three arrays, or ``train`` split 70/10/20."""
    import numpy as np

    from tfdl import density_table

    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise DataFileError(f"--data {path}: expected an .npz file; {error}") from None
    with archive:
        keys = set(archive.files)
        wanted = ("train", "valid", "test") if {"valid", "test"} & keys else ("train",)
        missing = [key for key in wanted if key not in keys]
        if missing:
            raise DataFileError(f"--data {path}: expected arrays train, valid and test, or train alone; "
                                f"found {sorted(keys)}")
        arrays = [_binary_array(archive, key, path) for key in wanted]
    return tuple(arrays) if len(arrays) == 3 else density_table.split(arrays[0])


def _binary_array(archive, key, path):
    """Array ``key`` of an open ``.npz``, checked to be 0/1 ``[n, D]``; a ``DataFileError`` naming it."""
    from tfdl import density_table

    try:
        array = archive[key]
    except ValueError as error:  # an object array: ragged rows, or not numbers
        raise DataFileError(f"--data {path}: expected {key} to be a 2-D array of 0/1 with rows of one length; "
                            f"found an array of Python objects (ragged rows?): {error}") from None
    try:
        return density_table.check_binary(array, key)
    except ValueError as error:
        raise DataFileError(f"--data {path}: {error}") from None


def _table(command_line, args):
    """``tfdl table``: trains the table's models, prints it, writes table.md and table.json."""
    from tfdl import density_table

    models = args.models or density_table.MODELS
    unknown = [m for m in models if m not in density_table.MODELS]
    if unknown:
        command_line.error(f"argument --models: expected names among {list(density_table.MODELS)}; "
                           f"received {','.join(unknown)}")
    splits = read_splits(args.data)
    print(f"tfdl table: {args.data}: train {splits[0].shape}, valid {splits[1].shape}, test {splits[2].shape}; "
          f"budget {args.budget}, {args.seeds} seeds", flush=True)
    rows = density_table.density_table(*splits, models=models, seeds=args.seeds, budget=args.budget,
                                       progress=lambda line: print(line, flush=True))
    text = density_table.markdown(rows)
    print(text)
    if args.out is not None:
        from pathlib import Path

        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        results.write_atomically(out / "table.md", text + "\n")
        results.write_atomically(out / "table.json", results.strict_json(rows) + "\n")
    return 0
