"""`python -m benchmarks`: run every benchmark and print one table."""

from __future__ import annotations

import argparse

from benchmarks.pages import measure


def _table(rows) -> str:
    lines = [f"{'benchmark':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
             f"{'ratio':>7} {'target':>7}  met"]
    for row in rows:
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "1.00"
        target = f">={row.target}" if row.target else "-"
        met = "-" if not row.target else ("yes" if row.ratio >= row.target
                                          and not row.load.errors else "NO")
        lines.append(f"{row.name:<28} {row.load.requests_per_second:>9.0f} "
                     f"{row.load.p50_ms:>8.2f} {row.load.p99_ms:>8.2f} {row.load.errors:>7} "
                     f"{ratio:>7} {target:>7}  {met}")
    return "\n".join(lines)


def main() -> None:
    """Parse options, measure, print."""
    parser = argparse.ArgumentParser(description="ceengine benchmarks: ratios against a "
                                     "hello-world baseline measured in the same run.")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per row")
    args = parser.parse_args()
    print("gunicorn -w 2 -k sync on 127.0.0.1; wrk -t2 -c16; SQLite (WAL)")
    print(_table(measure(args.seconds)))


if __name__ == "__main__":
    main()
