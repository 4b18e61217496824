"""Time one run of the synthetic data generator: wall time, rows per table, peak RSS.

    python scripts/bench_generate.py --users 200000 [--days 365] [--out DIR]

Without --out the data goes to a temporary folder that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stratalib.generate import generate  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--out", type=Path, help="folder to write into (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bad-rate", type=float, default=0.01)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, out: Path) -> int:
    started = time.perf_counter()
    try:
        truth = generate(out, users=args.users, days=args.days, seed=args.seed, bad_rate=args.bad_rate,
                         progress=not args.quiet)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    wall = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    size_mib = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    print(f"users {args.users:,}  days {args.days}  wall {wall:.1f} s  peak RSS {peak_mib:,.0f} MiB  "
          f"on disk {size_mib:,.0f} MiB")
    for table, rows in truth["rows_written"].items():
        print(f"  {table:<22} {rows:>14,}")
    print(f"  {'total':<22} {sum(truth['rows_written'].values()):>14,}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.out is not None:
        return run(args, args.out)
    with tempfile.TemporaryDirectory(prefix="strata_bench_") as folder:
        return run(args, Path(folder))


if __name__ == "__main__":
    sys.exit(main())
