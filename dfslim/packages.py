"""Installed sizes and dependency closures of Debian packages, from the package index.

The table `dfslim/data/debian_packages.json.gz` is generated from Debian's Packages files
by `bench/measure/gen_debian_packages.py` (the packages named in apt installs across a
corpus of real Dockerfiles, the packages of common base images, and all they depend on or
recommend). It is read on first use only.

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

__all__ = ["releases", "known", "installed_size", "base_packages", "closure", "closure_bytes", "recommends_bytes"]

_DATA_FILE = "debian_packages.json.gz"
KIB = 1024


@lru_cache(maxsize=1)
def _table() -> dict:
    import gzip
    import json

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", _DATA_FILE)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _release(release: str) -> dict | None:
    return _table()["releases"].get(release)


def releases() -> tuple[str, ...]:
    """The Debian releases the table covers (`bookworm`, `bullseye`, ...)."""
    return tuple(sorted(_table()["releases"]))


def known(package: str, release: str) -> bool:
    """Whether the table has the package (a real one, or a virtual name some package provides)."""
    data = _release(release)
    return bool(data) and (package in data["packages"] or package in data["provides"])


def installed_size(package: str, release: str) -> int | None:
    """The package's Installed-Size in bytes on `release`, or None when not in the table."""
    data = _release(release)
    record = data["packages"].get(package) if data else None
    return record[0] * KIB if record else None


def base_packages(family: str, release: str) -> frozenset[str] | None:
    """The packages a base image family has on a release (`debian`, `python-slim`,
    `node-slim`), or None when the table has no list for it."""
    names = _table()["bases"].get(f"{family}:{release}")
    return frozenset(names) if names is not None else None


@lru_cache(maxsize=4096)
def _relations(field: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group.split("|")) for group in field.split(",")) if field else ()


def _choose(group: tuple[str, ...], present: set[str], data: dict) -> str | None:
    """The package that meets a dependency group, None when it is already met or nothing in
    the table can meet it."""
    packages, provides = data["packages"], data["provides"]
    for name in group:
        if name in present or any(p in present for p in provides.get(name, ())):
            return None
    for name in group:
        if name in packages:
            return name
    for name in group:
        candidates = provides.get(name)
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
        record = data["packages"].get(name)
        if record is None:  # a virtual name: its first provider, unless one is present
            name = _choose((name,), present, data)
        if name is not None:
            _mark(name, data, recommends, present, added)
    return added


def _mark(name: str, data: dict, recommends: bool, present: set[str], added: set[str]) -> None:
    """Install `name` and, depth first as apt's MarkInstall does, what it needs, so that a
    choice made for one dependency already meets the groups that come after it.
    (Debian's dependency chains are a few dozen deep: recursion is safe.)"""
    present.add(name)
    added.add(name)
    record = data["packages"][name]
    groups = _relations(record[1]) + (_relations(record[2]) if recommends else ())
    for group in groups:
        chosen = _choose(group, present, data)
        if chosen is not None:
            _mark(chosen, data, recommends, present, added)


def closure_bytes(packages: Iterable[str], release: str, recommends: bool = False, base: Iterable[str] | None = None) -> int | None:
    """Installed bytes of `closure(...)`; None when the release or a named package is unknown."""
    packages = list(packages)
    if _release(release) is None or not all(known(p, release) for p in packages):
        return None
    return sum(installed_size(name, release) for name in closure(packages, release, recommends, base))


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
