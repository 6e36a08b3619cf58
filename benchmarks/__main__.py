"""`python -m benchmarks`: run every benchmark and print one table."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks import admin_pages, certificates, crowd_load, pages, uploads
from benchmarks.pages import measure


def _table(rows) -> str:
    lines = [
        f"{'benchmark':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'ratio':>7} {'target':>7} {'met':>4} {'peak MiB/worker':>16}"
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "1.00"
        target = f">={row.target}" if row.target else "-"
        steady = row.load.p99_ms <= 3 * row.load.p50_ms  # an honest p99: within 3x p50
        met = (
            "-"
            if not row.target
            else ("yes" if row.ratio >= row.target and not row.load.errors and steady else "NO")
        )
        lines.append(
            f"{row.name:<28} {row.load.requests_per_second:>9.0f} "
            f"{row.load.p50_ms:>8.2f} {row.load.p99_ms:>8.2f} {row.load.errors:>7} "
            f"{ratio:>7} {target:>7} {met:>4} {row.peak_mb:>16.0f}"
        )
    return "\n".join(lines)


def _timings(timings) -> str:
    floor, issue = timings
    lines = [
        f"{'in-process timing':<44} {'median ms':>9} {'p90 ms':>8} {'ratio':>6} {'target':>7}  met",
        f"{floor.name:<44} {floor.median:>9.1f} {floor.p90:>8.1f} {'1.00':>6} {'-':>7}  -",
    ]
    ratio = issue.median / floor.median
    lines.append(
        f"{issue.name:<44} {issue.median:>9.1f} {issue.p90:>8.1f} {ratio:>6.2f} "
        f"{'<=1.3':>7}  {'yes' if ratio <= 1.3 else 'NO'}"
    )
    return "\n".join(lines)


def main() -> None:
    """Parse options, measure, print."""
    parser = argparse.ArgumentParser(
        description="ceengine benchmarks: ratios against a "
        "hello-world baseline measured in the same run."
    )
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per row")
    parser.add_argument(
        "--issues", type=int, default=60, help="certificates issued for the issue timing"
    )
    parser.add_argument(
        "--admin-rows",
        type=int,
        nargs=2,
        default=[10_000, 1_000_000],
        metavar=("SMALL", "LARGE"),
        help="evaluations and attempts for the admin pages at two sizes "
        "(PostgreSQL); 0 0 skips them",
    )
    parser.add_argument(
        "--no-crowd",
        dest="crowd",
        action="store_false",
        help="skip the full-size crowd, fault and instance runs",
    )
    args = parser.parse_args()
    print("gunicorn -w 2 -k sync on 127.0.0.1; wrk -t2 -c16; SQLite (WAL)")
    rows = measure(args.seconds)
    with tempfile.TemporaryDirectory() as folder:
        timings, certificate_rows = certificates.measure(
            Path(folder), rows[0].load, args.seconds, args.issues
        )
    print(_table(rows + certificate_rows))
    print(pages.cache_sizes())
    print(
        f"The hostile upload ({uploads.DECOYS} decoy roots, tests/support/hostile_pdf.py) is "
        "measured against the genuine upload: a ratio of 0.5 means it costs twice as much."
    )
    print()
    print(_timings(timings))
    if args.crowd:
        print()
        print(
            "Simulated clinicians under gunicorn (double clicks, paid checkouts, each Stripe "
            "event 3 times), then the database checked:",
            flush=True,
        )
        print(crowd_load.measure())
    if args.admin_rows[0]:
        print()
        print("Admin pages and a course page at two database sizes (PostgreSQL):", flush=True)
        print(admin_pages.measure(*args.admin_rows))


if __name__ == "__main__":
    main()
