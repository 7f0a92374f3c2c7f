"""``python -m bench.mapping [--seconds S] [--rounds R]``: records/s of four mappers."""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.mapping.variants import (
    LINES,
    compile_jsonpaths,
    handwritten,
    jsonpath_once,
    jsonpath_per_record,
    sample_order,
    sample_xref,
)
from connectors.mapping import load_mapping

ENGINE = "engine (connectors.mapping)"
HAND = "hand-written dict code"
MAPPING = Path(__file__).resolve().parents[2] / "mappings" / "generic" / "sales_order.out.yaml"


def _leaves(value: Any) -> int:
    return sum(map(_leaves, value.values())) if isinstance(value, dict) else 1


def _rates(variants: dict[str, Callable[[], Any]], seconds: float, rounds: int) -> dict[str, float]:
    """Best records/s of each variant over ``rounds`` rounds of about ``seconds`` each.

    The variants take turns within each round, and every round lasts about the
    same for each variant, so that on a shared machine a burst of load
    elsewhere is as likely to hit any of them; the best round of each is its
    least disturbed one.
    """
    counts = {}
    for name, apply in variants.items():
        started = time.perf_counter()
        apply()
        counts[name] = max(1, round(seconds / (time.perf_counter() - started)))
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(rounds):
        for name, apply in variants.items():
            started = time.perf_counter()
            for _ in range(counts[name]):
                apply()
            best[name] = min(best[name], (time.perf_counter() - started) / counts[name])
    return {name: 1 / per_record for name, per_record in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mapping", description=__doc__)
    parser.add_argument(
        "--seconds", type=float, default=0.1, help="length of one round (default 0.1)"
    )
    parser.add_argument("--rounds", type=int, default=20, help="rounds, best kept (default 20)")
    args = parser.parse_args()

    mapping = load_mapping(MAPPING)
    order, xref = sample_order(), sample_xref()
    compiled = compile_jsonpaths()
    expected = handwritten(order, xref)
    for name, result in (
        ("engine", mapping.apply(order, xref)),
        ("jsonpath-ng parsed once", jsonpath_once(order, xref, compiled)),
        ("jsonpath-ng parsed per record", jsonpath_per_record(order, xref)),
    ):
        if result != expected:
            raise SystemExit(f"{name} does not give the hand-written result: not comparable")

    rates = _rates(
        {
            ENGINE: lambda: mapping.apply(order, xref),
            "jsonpath-ng parsed once, field by field": lambda: jsonpath_once(order, xref, compiled),
            "jsonpath-ng parsed per record": lambda: jsonpath_per_record(order, xref),
            HAND: lambda: handwritten(order, xref),
        },
        args.seconds,
        args.rounds,
    )
    header = {key: value for key, value in expected.items() if key != "lines"}
    print(
        f"sales order: {_leaves(header)} header fields, {LINES} lines x "
        f"{len(expected['lines'][0])} fields; Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; best of {args.rounds} rounds of {args.seconds} s"
    )
    for name, rate in rates.items():
        print(f"  {name:<42} {rate:>10,.0f} records/s")
    ratio = rates[ENGINE] / rates[HAND]
    print(f"  {'engine / hand-written':<42} {ratio:>10.2f}")


if __name__ == "__main__":
    main()
