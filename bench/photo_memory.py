"""Peak and left-over memory of a burst of large photo uploads, beside an unguarded decode of the same burst.

    .venv/bin/python -m bench.photo_memory [--side 4800] [--uploads 8]

`--uploads` threads at once each process the same `--side` × `--side` transparent PNG (a few dozen KB on the
wire, tens of megapixels once decoded), each in a fresh interpreter so the figures do not mix:

1. **ceiling**: plain Pillow, as the photo service did before its memory guards: every thread decodes the
   whole image, flattens it onto white and encodes a JPEG and a thumbnail at full size, all at once;
2. **guarded**: `backend.adapters.images.process_photo`, as an upload is processed today (one decode at a
   time per process, reduced on load, memory handed back afterwards).

Each prints the resident memory before, the peak (`VmHWM`) and what is still resident after the burst;
one JSON line per run goes to stdout and to `bench/results/photo_memory.json`.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS = REPO_ROOT / "bench" / "results" / "photo_memory.json"


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _resident_mb() -> float:
    return _status_mb("VmRSS")


def _png(side: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (side, side), (200, 30, 30, 128)).save(out, format="PNG")
    return out.getvalue()


def _unguarded(data: bytes) -> None:
    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(data))
    image.load()
    rgba = (ImageOps.exif_transpose(image) or image).convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    flat.save(io.BytesIO(), format="JPEG", quality=85, optimize=True)
    thumbnail = flat.copy()
    thumbnail.thumbnail((320, 320))
    thumbnail.save(io.BytesIO(), format="JPEG", quality=80)


def _guarded(data: bytes) -> None:
    from backend.adapters.images import process_photo

    process_photo(data, 15 * 1024 * 1024, 40_000_000)


def measure(mode: str, side: int, uploads: int) -> dict[str, Any]:
    """One burst in this process: the memory before, at the peak and after (MB)."""
    data = _png(side)
    work = _guarded if mode == "guarded" else _unguarded
    if mode == "guarded":
        import backend.adapters.images  # noqa: F401 - loaded before the baseline, as in a running worker
    before = _resident_mb()
    threads = [threading.Thread(target=work, args=(data,)) for _ in range(uploads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # VmHWM, not ru_maxrss: the latter carries the parent's size across fork and exec (a test worker's).
    peak = _status_mb("VmHWM")
    return {
        "mode": mode,
        "side": side,
        "uploads": uploads,
        "png_kb": round(len(data) / 1024),
        "before_mb": round(before),
        "peak_mb": round(peak),
        "after_mb": round(_resident_mb()),
    }


def run(mode: str, side: int, uploads: int) -> dict[str, Any]:
    """The burst measured in a fresh interpreter."""
    command = [sys.executable, "-m", "bench.photo_memory", "--child", mode, "--side", str(side)]
    command += ["--uploads", str(uploads)]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=600)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--side", type=int, default=4800)
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--child", choices=["ceiling", "guarded"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.side, args.uploads)))
        return
    results = [run(mode, args.side, args.uploads) for mode in ("ceiling", "guarded")]
    print(f"{'run':<8} {'PNG KB':>7} {'before MB':>10} {'peak MB':>8} {'after MB':>9}")
    for result in results:
        print(
            f"{result['mode']:<8} {result['png_kb']:>7} {result['before_mb']:>10} "
            f"{result['peak_mb']:>8} {result['after_mb']:>9}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
