"""Installed sizes and dependency closures of Debian packages, from the package index.

The tables are generated from Debian's Packages files by
`bench/measure/gen_debian_packages.py` (the packages named in apt installs across a corpus
of real Dockerfiles, the packages of common base images, and all they depend on or
recommend): `dfslim/data/debian_packages.json.gz` holds the sources and the base images'
package lists, `debian_packages.<release>.tsv.gz` the packages of one release in five
blocks separated by a blank line: the names of the core packages (those named in many
Dockerfiles and all they can reach), a line each; their records in the same order
(Installed-Size in KiB, depends, recommends, version, tab-separated); the names of the
other packages; the virtual names; their providers (space-separated).
`debian_packages.<release>.rest.tsv.gz` holds the other packages' records, in the order
of their names. Each file is read on first use only, so a lint of a bookworm image never
reads the trixie table and one that names only core packages never reads the rest, and a
record is split into its fields only when asked for: building 6,000 records would cost
more than the lint.

Resolution follows apt in the way that matters for sizes: Depends and Pre-Depends always,
Recommends when asked for (also those of the packages pulled in), a dependency already
met by the base image or by a package chosen earlier adds nothing, an alternative
(`a | b`) or a virtual package takes its first installable candidate, and each package
counts once. Sizes are the index's Installed-Size (KiB, times 1024): what dpkg unpacks,
before a `-slim` image's path excludes leave out documentation.
"""

from __future__ import annotations

from functools import lru_cache
import os
from typing import Iterable

__all__ = ["releases", "known", "installed_size", "version", "base_packages", "closure", "closure_bytes", "recommends_bytes", "size_of", "unmet_depends"]

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
        self.lines = lines  # name -> "kib\tdepends\trecommends\tversion"
        self.rest = rest  # "\nname\n...\n": the other packages, in file order, whose lines are not read yet
        self.virtual = virtual  # virtual name -> its providers, space-separated
        self._records: dict[str, tuple[int, str, str, str]] = {}

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

    def record(self, name: str) -> tuple[int, str, str, str] | None:
        """(KiB, depends, recommends, version) of a real package, else None."""
        found = self._records.get(name)
        if found is None:
            line = self.lines.get(name)
            if line is None and self._in_rest(name):
                line = self._read_rest()[name]
            if line is not None:
                size, depends, recommends, version = line.split("\t")
                found = self._records[name] = (int(size), depends, recommends, version)
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


def size_of(packages: Iterable[str], release: str) -> int:
    """Installed bytes of real packages of `release` (names the table lacks count 0)."""
    data = _release(release)
    if data is None:
        return 0
    return sum(data.record(name)[0] * KIB for name in packages if name in data)


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


def closure_bytes(packages: Iterable[str], release: str, recommends: bool = False, base: Iterable[str] | None = None) -> int | None:
    """Installed bytes of `closure(...)`; None when the release or a named package is unknown."""
    packages = list(packages)
    if _release(release) is None or not all(known(p, release) for p in packages):
        return None
    return size_of(closure(packages, release, recommends, base), release)


def recommends_bytes(packages: Iterable[str], release: str, base: Iterable[str] | None = None) -> int | None:
    """What `--no-install-recommends` saves when installing `packages` on `base`: the
    closure with recommends minus the closure without. Pass every package a stage installs
    at once (and what earlier installs added as part of `base`), so a package recommended
    twice counts once."""
    packages = list(packages)
    with_recommends = closure_bytes(packages, release, True, base)
    without = closure_bytes(packages, release, False, base)
    if with_recommends is None or without is None:
        return None
    return with_recommends - without
