"""Labels per second for a 1,000-label PDF per layout, and peak memory while writing it."""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from qr_tools.fonts import find_cjk_font
from qr_tools.payload import build, parse_keyring
from qr_tools.render import LabelContent
from qr_tools.sheets import LAYOUTS, write_pdf
from qr_tools.verify import decode_file

RESULTS = Path(__file__).resolve().parent / "results" / "labels.json"
BASE_URL = "https://leases.example.com"


def labels(count: int) -> list[LabelContent]:
    """Labels of realistic length: a project code, a building, a unit number, a Chinese project name."""
    keyring = parse_keyring("bench:benchmark-only-label-key")
    codes = [f"SH-LJZ-T{index % 4 + 1}-{index:05d}" for index in range(count)]
    return [LabelContent(build(BASE_URL, code, keyring), code, "上海陆家嘴金融中心") for code in codes]


def main() -> None:
    """Write one sheet per layout, print a table and save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--verify", action="store_true", help="Also time decoding the sheets with zxing-cpp.")
    args = parser.parse_args()
    font = find_cjk_font(os.environ.get("LABEL_FONT_PATH"))
    items = labels(args.count)
    rows = []
    print(
        f"{args.count} labels per sheet, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.2f}, font {font.name}"
    )
    print(
        f"{'layout':<12} {'pages':>6} {'labels/s':>9} {'seconds':>8} "
        f"{'MB out':>7} {'peak MB':>8} {'verify s':>9}"
    )
    with tempfile.TemporaryDirectory() as directory:
        for name, layout in LAYOUTS.items():
            path = Path(directory) / f"{name}.pdf"
            started = time.perf_counter()
            with path.open("wb") as handle:
                write_pdf(layout, items, handle, font)
            seconds = time.perf_counter() - started
            # A second, traced run for memory: tracemalloc slows allocation-heavy code several times over.
            tracemalloc.start()
            with path.open("wb") as handle:
                write_pdf(layout, items, handle, font)
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            verify_seconds = None
            if args.verify:
                started = time.perf_counter()
                assert len(decode_file(path)) == args.count, "every label must decode"
                verify_seconds = time.perf_counter() - started
            row = {
                "layout": name,
                "pages": -(-args.count // layout.per_page),
                "labels_per_second": args.count / seconds,
                "seconds": seconds,
                "pdf_mb": path.stat().st_size / 1e6,
                "peak_python_mb": peak,
                "verify_seconds": verify_seconds,
            }
            rows.append(row)
            shown = f"{verify_seconds:9.1f}" if verify_seconds is not None else f"{'-':>9}"
            print(
                f"{name:<12} {row['pages']:>6} {row['labels_per_second']:>9.0f} {seconds:>8.1f} "
                f"{row['pdf_mb']:>7.1f} {peak:>8.1f} {shown}"
            )
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (ru_maxrss): {max_rss:.0f} MB")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"count": args.count, "rows": rows, "max_rss_mb": max_rss}, indent=2))


if __name__ == "__main__":
    main()
