#!/usr/bin/env python3
"""Print the harness's results as a Markdown table.

    python bench/measure/report.py [measurements.json]

Per case: dfslim's estimate when the harness ran, the bytes the build measured, their
difference, and the estimate from the package tables (dfslim.packages for apt cases,
dfslim.pipcache for pip caches) where one applies.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from dfslim import packages, pipcache  # noqa: E402

# harness base -> (family, release) of the package tables' base lists, and whether it is -slim
BASE_FAMILY = {
    "debian-bookworm": ("debian", "bookworm", False), "debian-bookworm-slim": ("debian", "bookworm", True),
    "python-bookworm-slim": ("python-slim", "bookworm", True), "debian-bullseye-slim": ("debian", "bullseye", True),
    "debian-trixie-slim": ("debian", "trixie", True),
}


def table_estimate(case: dict) -> int | None:
    family_release = BASE_FAMILY.get(case["base"])
    if case["rule"] == "DFS105":
        return pipcache.estimate(case["packages"]).bytes
    if family_release is None or case["rule"] not in ("DFS104", "DFS112"):
        return None
    family, release, slim = family_release
    base = packages.base_packages(family, release)
    layer = {"slim": slim, "debconf_bytes": packages.base_debconf_bytes(family, release)}
    if case["rule"] == "DFS104":
        return packages.recommends_bytes(case["packages"], release, base, **layer)
    return packages.closure_bytes(case["packages"], release, False, base, **layer)


def mb(value) -> str:
    return "—" if value is None else f"{value / 1e6:.2f}"


def difference(estimate, measured) -> str:
    if estimate is None:
        return "—"
    if measured <= 0:
        return f"{(estimate - measured) / 1e6:+.2f} MB"
    return f"{(estimate - measured) / measured * 100:+.0f}%"


def main(argv=None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    path = Path(args[0]) if args else REPO / "dfslim" / "data" / "measurements.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    print(f"Measured {data['date']}, {len(data['cases'])} cases, wall {data['wall_seconds'] / 60:.1f} min\n")
    print("| case | rule | base | dfslim at run (MB) | measured (MB) | diff | from tables now (MB) | diff |")
    print("|---|---|---|---|---|---|---|---|")
    for case in data["cases"]:
        at_run, measured = case["estimate_bytes_at_run"], case["measured_bytes"]
        tables = table_estimate(case)
        print(f"| {case['id']} | {case['rule']} | {data['bases'][case['base']]['stands_for']} | {mb(at_run)} | "
              f"{mb(measured)} | {difference(at_run, measured)} | {mb(tables)} | {difference(tables, measured)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
