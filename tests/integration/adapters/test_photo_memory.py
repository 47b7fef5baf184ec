"""A burst of large uploads no longer multiplies a worker's memory, and the worker gives it back.

Measured in fresh interpreters by the benchmark script, against the unguarded decode of the same burst in
the same run: eight concurrent 23-megapixel PNGs of about 100 KB each.
"""

from __future__ import annotations

from bench.photo_memory import run


def test_eight_concurrent_large_photos_stay_within_a_fraction_of_the_unguarded_memory() -> None:
    ceiling = run("ceiling", side=4800, uploads=8)
    guarded = run("guarded", side=4800, uploads=8)
    print(ceiling, guarded, sep="\n")

    ceiling_growth = ceiling["peak_mb"] - ceiling["before_mb"]
    guarded_growth = guarded["peak_mb"] - guarded["before_mb"]
    assert ceiling_growth > 1000  # the burst is a real one: eight full decodes at once
    assert guarded_growth < ceiling_growth / 3
    left_over = guarded["after_mb"] - guarded["before_mb"]
    assert left_over < 0.75 * (ceiling["after_mb"] - ceiling["before_mb"])
