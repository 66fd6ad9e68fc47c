"""Command line: ``tfdl reproduce <article>``, ``tfdl data <name>``, ``tfdl bench``."""

import argparse
import sys

from tfdl import data, runner


def _parser():
    parser = argparse.ArgumentParser(prog="tfdl", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    reproduce = commands.add_parser("reproduce", help="reproduce an article's example")
    reproduce.add_argument("article", choices=runner.ARTICLES + ("all",))
    reproduce.add_argument("--dataset", default="digits", choices=data.DATASETS)
    reproduce.add_argument("--profile", default="default", choices=runner.PROFILES)
    reproduce.add_argument("--epochs", type=int, default=None, help="override the profile's epochs")
    reproduce.add_argument("--out", default=None, help="output folder (default results/<article>)")
    reproduce.add_argument("--seed", type=int, default=0)
    reproduce.add_argument("--strategy", default="default", choices=runner.STRATEGIES)

    check = commands.add_parser("data", help="load a data set and print its splits")
    check.add_argument("name", choices=data.DATASETS)

    bench = commands.add_parser("bench", help="time models next to their peers")
    bench.add_argument("--only", default=None, help="run only benchmarks/bench_<ONLY>.py")
    bench.add_argument("--out", default="results/bench.json")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "data":
            for split in data.SPLITS:
                x, y = data.load(args.name, split=split, with_labels=True)
                print(f"{args.name} {split}: x {x.shape} {x.dtype}, {len(set(y.tolist()))} classes")
            return 0
        if args.command == "bench":
            from tfdl import bench

            bench.main(only=args.only, out=args.out)
            return 0
        articles = runner.ARTICLES if args.article == "all" else (args.article,)
        for article in articles:
            out = args.out if len(articles) == 1 or args.out is None else f"{args.out}/{article}"
            runner.reproduce(
                article,
                dataset=args.dataset,
                profile=args.profile,
                epochs=args.epochs,
                out=out,
                seed=args.seed,
                strategy=args.strategy,
            )
    except (FileNotFoundError, data.DataUnavailableError) as error:
        print(f"tfdl: error: {error}", file=sys.stderr)
        return 2
    return 0
