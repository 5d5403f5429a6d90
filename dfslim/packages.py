"""Installed sizes and dependency closures of Debian packages, from the package index.

The tables are generated from Debian's Packages files by
`bench/measure/gen_debian_packages.py` (the packages named in apt installs across a corpus
of real Dockerfiles, the packages of common base images, and all they depend on or
recommend): `dfslim/data/debian_packages.json.gz` holds the sources and the base images'
package lists, `debian_packages.<release>.tsv.gz` the packages of one release in five
blocks separated by a blank line: the names of the core packages (those named in many
Dockerfiles and all they can reach), a line each; their records in the same order
(Installed-Size in KiB, depends, recommends, version, and for the core packages the KiB of
files a `-slim` image leaves out and the KiB the package's configuration writes,
tab-separated); the names of the other packages; the virtual names; their providers
(space-separated).
`debian_packages.<release>.rest.tsv.gz` holds the other packages' records, in the order
of their names. Each file is read on first use only, so a lint of a bookworm image never
reads the trixie table and one that names only core packages never reads the rest, and a
record is split into its fields only when asked for: building 6,000 records would cost
more than the lint.

Resolution follows apt in the way that matters for sizes: Depends and Pre-Depends always,
Recommends when asked for (also those of the packages pulled in), a dependency already
met by the base image or by a package chosen earlier adds nothing, an alternative
(`a | b`) or a virtual package takes its first installable candidate, and each package
counts once.

What an install adds to a layer (`layer_bytes`) is, per package, its Installed-Size (KiB,
times 1024: what dpkg unpacks), less on a `-slim` image the files its dpkg path excludes
leave out (documentation, manual pages, translations), plus what configuring it writes
besides its files (ca-certificates' certificate bundle); and once per layer, when a
package of it asks debconf (it depends on `debconf`), the debconf database that debconf
rewrites, kept twice (the file and its `-old` copy), at the size the base image's
database has. The per-package figures are read from the package files of the core
packages only; the other packages count their Installed-Size.
"""

from __future__ import annotations

from functools import lru_cache
import os
from typing import Iterable

__all__ = [
    "releases", "known", "installed_size", "version", "base_packages", "base_debconf_bytes", "closure", "closure_bytes",
    "recommends_bytes", "size_of", "layer_bytes", "asks_debconf", "unmet_depends",
]

_DATA_FILE = "debian_packages.json.gz"
_RELEASE_FILE = "debian_packages.{release}.tsv.gz"
_REST_FILE = "debian_packages.{release}.rest.tsv.gz"
KIB = 1024


def _path(name: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", name)


def _read(name: str) -> str:
    import zlib

    with open(_path(name), "rb") as handle:
        return zlib.decompress(handle.read(), 31).decode("utf-8")  # 31: a gzip stream


@lru_cache(maxsize=1)
def _table() -> dict:
    """The sources, the base images' lists and the names of the releases."""
    import json

    return json.loads(_read(_DATA_FILE))


class _Release:
    """One release's packages: each line kept as read and split on first use; the records
    of the packages outside the core read only when one of them is asked for."""

    __slots__ = ("release", "lines", "rest", "virtual", "_records")

    def __init__(self, release: str, lines: dict[str, str], rest: str, virtual: dict[str, str]):
        self.release = release
        self.lines = lines  # name -> "kib\tdepends\trecommends\tversion\tslim kib\tconfigure kib"
        self.rest = rest  # "\nname\n...\n": the other packages, in file order, whose lines are not read yet
        self.virtual = virtual  # virtual name -> its providers, space-separated
        self._records: dict[str, tuple[int, str, str, str, int, int]] = {}

    @classmethod
    def parse(cls, text: str, release: str) -> "_Release":
        names, records, rest, virtual, providers = text.split("\n\n")
        lines = dict(zip(names.split("\n"), records.split("\n"))) if names else {}
        virtuals = dict(zip(virtual.split("\n"), providers.split("\n"))) if virtual else {}
        # most lints never ask about the other packages: their names stay one string
        return cls(release, lines, f"\n{rest}\n" if rest else "", virtuals)

    def __contains__(self, name: str) -> bool:
        return name in self.lines or self._in_rest(name)

    def _in_rest(self, name: str) -> bool:
        return bool(self.rest) and bool(name) and "\n" not in name and f"\n{name}\n" in self.rest

    def record(self, name: str) -> tuple[int, str, str, str, int, int] | None:
        """(KiB, depends, recommends, version, KiB a -slim image leaves out, KiB its
        configuration writes) of a real package, else None (the last two 0 when unknown)."""
        found = self._records.get(name)
        if found is None:
            line = self.lines.get(name)
            if line is None and self._in_rest(name):
                line = self._read_rest()[name]
            if line is not None:
                size, depends, recommends, version, *read = line.split("\t")
                slim, configure = (int(value or 0) for value in (read + ["", ""])[:2])
                found = self._records[name] = (int(size), depends, recommends, version, slim, configure)
        return found

    def _read_rest(self) -> dict[str, str]:
        """The other packages' lines, merged into `lines` (once)."""
        if self.rest:
            names = self.rest[1:-1].split("\n")
            self.lines.update(zip(names, _read(_REST_FILE.format(release=self.release)).split("\n")))
            self.rest = ""
        return self.lines

    def providers(self, name: str) -> tuple[str, ...]:
        line = self.virtual.get(name)
        return tuple(line.split(" ")) if line else ()


@lru_cache(maxsize=8)
def _release(release: str) -> _Release | None:
    if release not in _table()["releases"]:
        return None
    return _Release.parse(_read(_RELEASE_FILE.format(release=release)), release)


def releases() -> tuple[str, ...]:
    """The Debian releases the table covers (`bookworm`, `bullseye`, ...)."""
    return tuple(sorted(_table()["releases"]))


def known(package: str, release: str) -> bool:
    """Whether the table has the package (a real one, or a virtual name some package provides)."""
    data = _release(release)
    return data is not None and (package in data or package in data.virtual)


def installed_size(package: str, release: str) -> int | None:
    """The package's Installed-Size in bytes on `release`, or None when not in the table."""
    data = _release(release)
    record = data.record(package) if data else None
    return record[0] * KIB if record else None


def version(package: str, release: str) -> str | None:
    """The package's version on `release` (`1:4.13+dfsg1-1+deb12u2`), None when not in the table."""
    data = _release(release)
    record = data.record(package) if data else None
    return record[3] if record else None


def size_of(packages: Iterable[str], release: str, slim: bool = False) -> int:
    """Installed bytes of real packages of `release` (names the table lacks count 0); on a
    `-slim` image (`slim`), without the files its path excludes leave out."""
    data = _release(release)
    if data is None:
        return 0
    records = [data.record(name) for name in packages if name in data]
    return sum((record[0] - record[4] if slim else record[0]) * KIB for record in records)


def layer_bytes(packages: Iterable[str], release: str, slim: bool = False, debconf_bytes: int = 0) -> int:
    """What installing `packages` (all in one RUN) writes into its layer: their files
    (`size_of`), what configuring them writes, and, when one of them asks debconf, the
    debconf database of `debconf_bytes` rewritten with its `-old` copy."""
    data = _release(release)
    if data is None:
        return 0
    records = [data.record(name) for name in packages if name in data]
    written = sum(record[0] - record[4] + record[5] if slim else record[0] + record[5] for record in records) * KIB
    if debconf_bytes and any(_asks_debconf(record) for record in records):
        written += 2 * debconf_bytes
    return written


def asks_debconf(packages: Iterable[str], release: str) -> bool:
    """Whether configuring one of `packages` goes through debconf (it depends on it)."""
    data = _release(release)
    return data is not None and any(_asks_debconf(data.record(name)) for name in packages if name in data)


def _asks_debconf(record) -> bool:
    return "debconf" in record[1] and any("debconf" in group or "debconf-2.0" in group for group in _relations(record[1]))


def base_debconf_bytes(family: str, release: str) -> int:
    """Bytes of the debconf database (templates and config) a base image family has on a
    release, measured on the build harness's root filesystems; a family without its own
    figure takes the `debian` one of the release (its parent); 0 when neither is known."""
    sizes = _table().get("debconf_bytes", {})
    return sizes.get(f"{family}:{release}") or sizes.get(f"debian:{release}", 0)


def base_packages(family: str, release: str) -> frozenset[str] | None:
    """The packages a base image family has on a release (`debian`, `python-slim`,
    `node-slim`), or None when the table has no list for it."""
    names = _table()["bases"].get(f"{family}:{release}")
    return frozenset(names) if names is not None else None


@lru_cache(maxsize=4096)
def _relations(field: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group.split("|")) for group in field.split(",")) if field else ()


def _choose(group: tuple[str, ...], present: set[str], data: _Release) -> str | None:
    """The package that meets a dependency group, None when it is already met or nothing in
    the table can meet it."""
    for name in group:
        if name in present or any(p in present for p in data.providers(name)):
            return None
    for name in group:
        if name in data:
            return name
    for name in group:
        candidates = data.providers(name)
        if candidates:
            return candidates[0]
    return None


def _base_set(base) -> set[str]:
    return set(base) if base is not None else set()


def closure(packages: Iterable[str], release: str, recommends: bool = False, base: Iterable[str] | None = None) -> set[str] | None:
    """The packages `apt-get install PACKAGES` adds on top of `base` (names), with or
    without recommends; None when the release is not in the table. Unknown names add
    nothing (see `known`)."""
    data = _release(release)
    if data is None:
        return None
    present = _base_set(base)
    added: set[str] = set()
    for name in packages:
        if name in present:
            continue  # installed already: apt adds nothing, not even its recommends
        if name not in data:  # a virtual name: its first provider, unless one is present
            name = _choose((name,), present, data)
        if name is not None:
            _mark(name, data, recommends, present, added)
    return added


def _mark(name: str, data: _Release, recommends: bool, present: set[str], added: set[str]) -> None:
    """Install `name` and, depth first as apt's MarkInstall does, what it needs, so that a
    choice made for one dependency already meets the groups that come after it.
    (Debian's dependency chains are a few dozen deep: recursion is safe.)"""
    present.add(name)
    added.add(name)
    record = data.record(name)
    groups = _relations(record[1]) + (_relations(record[2]) if recommends else ())
    for group in groups:
        chosen = _choose(group, present, data)
        if chosen is not None:
            _mark(chosen, data, recommends, present, added)


def unmet_depends(packages: Iterable[str], release: str) -> list[tuple[str, str]]:
    """The (package, dependency group) pairs of `packages` that nothing among them meets:
    none for the package list of a real installed system."""
    data = _release(release)
    if data is None:
        return []
    present = set(packages)
    return [
        (name, "|".join(group))
        for name in sorted(present) if name in data
        for group in _relations(data.record(name)[1])
        if _choose(group, present, data) is not None or not any(n in data or n in data.virtual for n in group)
    ]


def closure_bytes(packages: Iterable[str], release: str, recommends: bool = False, base: Iterable[str] | None = None,
                  slim: bool = False, debconf_bytes: int = 0) -> int | None:
    """`layer_bytes` of `closure(...)`; None when the release or a named package is unknown."""
    packages = list(packages)
    if _release(release) is None or not all(known(p, release) for p in packages):
        return None
    return layer_bytes(closure(packages, release, recommends, base), release, slim, debconf_bytes)


def recommends_bytes(packages: Iterable[str], release: str, base: Iterable[str] | None = None,
                     slim: bool = False, debconf_bytes: int = 0) -> int | None:
    """What `--no-install-recommends` saves when installing `packages` on `base`: the
    layer with recommends minus the layer without (see `layer_bytes`). Pass every package
    a stage installs at once (and what earlier installs added as part of `base`), so a
    package recommended twice counts once."""
    packages = list(packages)
    with_recommends = closure_bytes(packages, release, True, base, slim, debconf_bytes)
    without = closure_bytes(packages, release, False, base, slim, debconf_bytes)
    if with_recommends is None or without is None:
        return None
    return with_recommends - without
