"""Sourced figures for the bytes each size rule's fix removes from an image.

The figures live in ``dfslim/data/savings.json``; every figure names its
source there.  The file is read once, on first use.
"""

from __future__ import annotations

import json
from functools import lru_cache
import os
from typing import Any

__all__ = ["figure", "ratio", "source_of", "note_of", "keys"]

_DATA_FILE = "savings.json"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", _DATA_FILE)
    with open(path, encoding="utf-8") as handle:
        return json.loads(handle.read())


def _entry(key: str) -> dict[str, Any] | None:
    entry = _data().get("figures", {}).get(key)
    return entry if isinstance(entry, dict) else None


def figure(key: str) -> int | None:
    """Bytes the fix saves, or None when unknown or the key is absent."""
    entry = _entry(key)
    if entry is None:
        return None
    value = entry.get("bytes")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def ratio(key: str) -> float | None:
    """The multiplier recorded for ratio figures (e.g. ``lastlog:per-uid``), else None."""
    entry = _entry(key)
    if entry is None:
        return None
    value = entry.get("ratio")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def source_of(key: str) -> dict | None:
    """The source record (title, url, date, measured) of a figure, for display or citation."""
    entry = _entry(key)
    if entry is None or not entry.get("source"):
        return None
    record = _data().get("sources", {}).get(entry["source"])
    if not isinstance(record, dict):
        return None
    return {"id": entry["source"], **record}


def note_of(key: str) -> str | None:
    """The note explaining a figure, or why it is unknown."""
    entry = _entry(key)
    if entry is None:
        return None
    note = entry.get("note")
    return note if isinstance(note, str) else None


def keys() -> list[str]:
    """All figure keys, sorted."""
    return sorted(_data().get("figures", {}))


def stage_base(dockerfile, instruction) -> str | None:
    """The image a stage of `instruction` is ultimately built on (through parent stages)."""
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return None
    root = dockerfile.lineage(stage)[0]
    return None if "$" in root.base_resolved else root.base_resolved


def distribution(image: str | None) -> tuple[str, str | None] | None:
    """(`debian`|`ubuntu`|`alpine`..., release or None) of an image, from the image table:
    the release its tag names, else the one the table saw that tag resolve to
    (`python:3.12-slim` -> `3.12.13-slim-trixie`)."""
    if not image:
        return None
    from dfslim.images import lookup, resolved_tag

    info = lookup(image)
    if info is None:
        return None
    found = _distribution(info)
    resolved = resolved_tag(image) if found is None or found[1] is None else None
    if resolved is not None:
        return _distribution(lookup(f"{info.family}:{resolved}")) or found
    return found


def _distribution(info) -> tuple[str, str | None] | None:
    from dfslim.images import releases

    if info is None:
        return None
    for distro in ("debian", "ubuntu"):
        codenames = releases().get(distro, {}).get("codenames", {})
        numbers = {number: name for name, number in codenames.items() if number}
        if info.family == distro and info.version:
            if distro == "debian":
                return distro, info.version if info.version in codenames else numbers.get(info.version.split(".")[0])
            return distro, codenames.get(info.version, info.version)
        if info.version in codenames:  # a family versioned by release: `buildpack-deps:bookworm`
            return distro, info.version if distro == "debian" else codenames[info.version]
        for token in info.variant.split("-"):
            if token in codenames:
                return distro, token if distro == "debian" else codenames[token]
    if info.family == "alpine" or "alpine" in info.variant:
        return "alpine", None
    return None


def apt_lists_bytes(image: str | None) -> int | None:
    """What the apt package lists of the image's release weigh, or a conservative default."""
    found = distribution(image)
    if found and found[1]:
        exact = figure(f"apt-lists:{found[0]}:{found[1]}")
        if exact:
            return exact
    if found and found[0] not in ("debian", "ubuntu"):
        return None
    return figure("apt-lists:default")
