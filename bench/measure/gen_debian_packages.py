#!/usr/bin/env python3
"""Write dfslim/data/debian_packages*.json.gz from the Debian package indexes.

    python bench/measure/gen_debian_packages.py [--corpus DIR] [--releases bookworm,bullseye,trixie]

For each release it reads the amd64 Packages files of main in <release>, <release>-updates
and <release>-security (the sources of the official images; a package in -security or
-updates replaces the one in the release), and keeps the packages named in apt installs
across the corpus, the packages of the base images, and everything those depend on or
recommend (Depends, Pre-Depends, Recommends, through Provides): for each, its
Installed-Size (KiB), Depends + Pre-Depends and Recommends. The base images' package lists
come from the root filesystems the build harness made (dfslim/data/measurements.json) and
from the cited image listings in bases.py. The index file (sources, base lists, release
names, JSON) and one file per release (lines of names and of records) are written, so that dfslim
reads only the release a Dockerfile's base image is built on.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import lzma
import re
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import bases as base_defs  # noqa: E402
import corpus  # noqa: E402
import deb_contents  # noqa: E402

OUT = REPO / "dfslim" / "data" / "debian_packages.json.gz"
RELEASE_OUT = "debian_packages.{release}.tsv.gz"  # beside OUT
REST_OUT = "debian_packages.{release}.rest.tsv.gz"  # the records dfslim seldom reads
# A package named in at least this many corpus Dockerfiles, with everything it can reach,
# goes into the release's first file; a lint that needs no other never reads the rest.
CORE_MIN_FILES = 10
MEASUREMENTS = REPO / "dfslim" / "data" / "measurements.json"
CORPUS = REPO.parent / "shared" / "corpus" / "files"
FIELDS = ("Package", "Installed-Size", "Depends", "Pre-Depends", "Recommends", "Provides", "Version", "Filename")
# (family of the base image, release) -> the harness base whose packages it has.
# debian:<release> and debian:<release>-slim hold the same packages (slim drops files, not
# packages); node:<version>-<release>-slim purges everything its Dockerfile installs except
# the libraries node links against, which the debian base already has.
NODE_SLIM_SOURCE = ("nodejs/docker-node 22/bookworm-slim/Dockerfile (commit 07bd7414c9eeb7a134951122e1105e8c849f770e): "
                    "installs its download tools, then `apt-mark auto '.*'`, marks manual only the packages of the "
                    "libraries `ldd` finds for /usr/local (libc6, libstdc++6, libgcc-s1 on amd64, already in "
                    "debian:*-slim) and purges the rest")
BASE_FAMILIES = {
    "debian": {"bookworm": "debian-bookworm-slim", "bullseye": "debian-bullseye-slim", "trixie": "debian-trixie-slim"},
    "python-slim": {"bookworm": "python-bookworm-slim"},  # trixie: the cited listing (bases.py)
    "node-slim": {"bookworm": "debian-bookworm-slim", "bullseye": "debian-bullseye-slim", "trixie": "debian-trixie-slim"},
}


def index_urls(release: str) -> list[str]:
    """Packages files, lowest precedence first."""
    return [url for _mirror, url in _indexes(release)]


def _indexes(release: str) -> list[tuple[str, str]]:
    """(mirror, Packages file) pairs, lowest precedence first."""
    return [
        (base_defs.MIRROR, f"{base_defs.MIRROR}/dists/{release}/main/binary-amd64/Packages.xz"),
        (base_defs.MIRROR, f"{base_defs.MIRROR}/dists/{release}-updates/main/binary-amd64/Packages.xz"),
        (base_defs.SECURITY, f"{base_defs.SECURITY}/dists/{release}-security/main/binary-amd64/Packages.xz"),
    ]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as response:
        return lzma.decompress(response.read()).decode("utf-8", errors="replace")


def stanzas(text: str):
    """The fields of interest of each paragraph of a Packages file."""
    record: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if not line:
            if record:
                yield record
            record, key = {}, None
        elif line[0] in " \t":
            if key in record:
                record[key] += " " + line.strip()
        else:
            key, _, value = line.partition(":")
            key = key if key in FIELDS else None
            if key:
                record[key] = value.strip()
    if record:
        yield record


def relation_names(field: str) -> list[list[str]]:
    """`a (>= 1) | b:any, c` -> [['a', 'b'], ['c']]: version and architecture dropped."""
    groups = []
    for group in field.split(","):
        names = [re.split(r"[\s(:\[<]", alt.strip(), maxsplit=1)[0] for alt in group.split("|")]
        names = [n for n in names if n]
        if names:
            groups.append(names)
    return groups


def read_release(release: str) -> dict[str, dict]:
    packages: dict[str, dict] = {}
    for mirror, url in _indexes(release):
        print(f"  {url}", file=sys.stderr)
        for record in stanzas(fetch(url)):
            record["_mirror"] = mirror  # where its Filename is
            packages[record["Package"]] = record
    return packages


def closure(packages: dict[str, dict], roots, providers: dict[str, list[str]]) -> set[str]:
    """Every package reachable from `roots` through Depends, Pre-Depends, Recommends
    (all alternatives, all providers: the table must answer for any choice)."""
    seen: set[str] = set()
    todo = [r for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            todo.extend(p for p in providers.get(name, ()) if p not in seen)
            seen.add(name)  # a virtual name is kept in `provides`
            continue
        seen.add(name)
        record = packages[name]
        for field in ("Depends", "Pre-Depends", "Recommends"):
            for group in relation_names(record.get(field, "")):
                todo.extend(n for n in group if n not in seen)
    return {name for name in seen if name in packages}


def compact(record: dict, contents: tuple[int, int] | None = None) -> list:
    """[installed KiB, 'depends', 'recommends', version, slim KiB, configure KiB]: relation
    fields keep their groups (`a|b`) without versions, ',' between groups; the last two
    (see deb_contents) are left out for a package whose file was not read."""
    def joined(*fields):
        groups = [g for f in fields for g in relation_names(record.get(f, ""))]
        return ",".join("|".join(g) for g in groups)

    read = [str(contents[0]), str(contents[1])] if contents else []
    return [int(record.get("Installed-Size") or 0), joined("Pre-Depends", "Depends"), joined("Recommends"),
            record.get("Version", ""), *read]


def debconf_sizes(measurements: dict) -> dict[str, int]:
    """Bytes of each base family's debconf database (templates.dat + config.dat), from the
    harness's root filesystems."""
    found = {}
    for family, per_release in BASE_FAMILIES.items():
        for release, harness_base in per_release.items():
            size = measurements.get("bases", {}).get(harness_base, {}).get("debconf_bytes")
            if size:
                found[f"{family}:{release}"] = size
    return found


def base_lists(measurements: dict) -> dict[str, list[str]]:
    found = {}
    for family, per_release in BASE_FAMILIES.items():
        for release, harness_base in per_release.items():
            packages = measurements.get("bases", {}).get(harness_base, {}).get("packages")
            if packages:
                found[f"{family}:{release}"] = sorted(packages)
    if "python-slim:bookworm" not in found:
        found["python-slim:bookworm"] = sorted(base_defs.PYTHON_SLIM_BOOKWORM)
    found["python-slim:trixie"] = sorted(base_defs.PYTHON_SLIM_TRIXIE)
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--releases", default="bookworm,bullseye,trixie")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--debs", type=Path, default=Path("/var/tmp/dfslim-debs"),
                        help="where what was read from each core package's .deb is kept (default %(default)s)")
    parser.add_argument("--no-contents", action="store_true", help="do not read the core packages' .deb files")
    args = parser.parse_args(argv)
    named = corpus.installs(args.corpus)["apt"]
    measurements = json.loads(MEASUREMENTS.read_text(encoding="utf-8")) if MEASUREMENTS.exists() else {}
    bases = base_lists(measurements)
    table = {
        "_about": {
            "what": "Debian amd64 packages (main) named in apt installs of the corpus, the packages of the base "
                    "images, and their Depends/Pre-Depends/Recommends closure: [Installed-Size in KiB, "
                    "depends (Pre-Depends + Depends), recommends, version]; relation groups are ','-separated, "
                    "alternatives '|'-separated, versions and architecture qualifiers dropped; for the core "
                    "packages also [KiB of files a -slim image's dpkg path excludes leave out, KiB the package's "
                    "configuration writes besides its files], read from the package files in the pool.",
            "sources": {r: index_urls(r) for r in args.releases.split(",")},
            "date": datetime.date.today().isoformat(),
            "corpus_names": len(named),
            "bases": "debian:<release> (and -slim, node:*-slim): the packages of the root filesystem the build "
                     "harness made with mmdebstrap (minbase, as debuerreotype makes the official images); "
                     f"python-slim:bookworm: {base_defs.PYTHON_SLIM_SOURCE}; python-slim:trixie: "
                     f"{base_defs.PYTHON_SLIM_TRIXIE_SOURCE}; node-slim:<release>: the debian list, "
                     f"per {NODE_SLIM_SOURCE}.",
        },
        "bases": bases,
        "debconf_bytes": debconf_sizes(measurements),
        "releases": [],
    }
    for release in args.releases.split(","):
        print(f"{release}:", file=sys.stderr)
        packages = read_release(release)
        providers: dict[str, list[str]] = {}
        for name, record in packages.items():
            for group in relation_names(record.get("Provides", "")):
                providers.setdefault(group[0], []).append(name)
        roots = set(named) | {p for key, names in bases.items() if key.endswith(":" + release) for p in names}
        kept = closure(packages, roots, providers)
        table["releases"].append(release)
        # also names that are real packages too (`lsb-base`, provided by sysvinit-utils)
        provides = {virtual: sorted(p for p in names if p in kept) for virtual, names in sorted(providers.items())
                    if any(p in kept for p in names)}
        base_names = {p for key, names in bases.items() if key.endswith(":" + release) for p in names}
        core = closure(packages, {n for n, count in named.items() if count >= CORE_MIN_FILES} | base_names, providers)
        read = {}
        if not args.no_contents:
            args.debs.mkdir(parents=True, exist_ok=True)
            print(f"  reading the .deb files of {len(core)} core packages", file=sys.stderr)
            read = deb_contents.read_all(packages, sorted(core), args.debs / f"contents-{release}.json")
        write_release(args.out, release, {name: compact(packages[name], read.get(name)) for name in sorted(kept)},
                      provides, core)
        print(f"  kept {len(kept)} of {len(packages)} packages", file=sys.stderr)
    table["releases"].sort()
    write(args.out, table)
    return 0


def write_release(out: Path, release: str, packages: dict[str, list], provides: dict[str, list[str]], core: set[str]) -> None:
    """Two files. The first holds five blocks, a blank line between them: the names of the
    core packages (`core`: closed under every relation, so resolving them never leaves
    it), a line each; their records in the same order (KiB, depends, recommends, version,
    tab-separated); the names of the other packages; the virtual names; their providers,
    space-separated. The second holds the other packages' records, in the order of their
    names: dfslim reads it only when asked about one of them."""
    record = lambda fields: "\t".join([str(fields[0]), *fields[1:]])  # noqa: E731
    core_names = [name for name in packages if name in core]
    rest_names = [name for name in packages if name not in core]
    blocks = [
        core_names,
        [record(packages[name]) for name in core_names],
        rest_names,
        list(provides),
        [" ".join(names) for names in provides.values()],
    ]
    _write_text(out.with_name(RELEASE_OUT.format(release=release)), "\n\n".join("\n".join(block) for block in blocks))
    _write_text(out.with_name(REST_OUT.format(release=release)), "\n".join(record(packages[name]) for name in rest_names))


def _write_text(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"wrote {path}: {len(data)} bytes, {path.stat().st_size} gzip-compressed", file=sys.stderr)


def write(path: Path, table: dict) -> None:
    data = json.dumps(table, separators=(",", ":"), sort_keys=True).encode("utf-8")
    path.write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"wrote {path}: {len(data)} bytes of JSON, {path.stat().st_size} gzip-compressed", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
