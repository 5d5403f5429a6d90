"""Byte counts as people read and write them (`docker images` units: MB = 10^6 bytes)."""

from __future__ import annotations

# decimal as docker prints sizes; the binary ones too, for whoever writes MiB
UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def megabytes(size: int) -> str:
    """Rounded for display: ~880 MB, ~1.2 GB, <0.1 MB."""
    if size >= 10**9:
        return f"~{size / 10**9:.1f} GB"
    if size >= 10**7:
        return f"~{round(size / 10**6)} MB"
    return f"~{size / 10**6:.1f} MB" if size >= 10**5 else "<0.1 MB"


def exact(size: int) -> str:
    """A size without rounding, in the largest decimal unit it is a whole or tenths
    number of (`50 MB`, `1.2 GB`, `500 kB`, `1234 B`): a limit as the user wrote it."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale and (size * 10) % scale == 0:
            return f"{size / scale:g} {unit}"
    return f"{size:,} B"


def parse_size(text) -> int:
    """Bytes of a size as written: `50MB`, `1.2 GB`, `500kB`, `2GiB`, `1000000` (bytes);
    units are decimal as docker prints them (1 MB = 10^6 bytes), case aside. A ValueError
    says what is wrong."""
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        return text
    if not isinstance(text, str):
        raise ValueError(f"not a size: {text!r} (write it like 50MB or 1.2GB)")
    cleaned = text.strip()
    number = cleaned.rstrip("BbKkMmGgTtIi ")
    unit = cleaned[len(number):].strip().lower()
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if unit not in UNITS or not number or value < 0 or value != value or value == float("inf"):
        raise ValueError(f"not a size: {text!r} (write it like 50MB or 1.2GB; units B, kB, MB, GB, TB)")
    return round(value * UNITS[unit])
