"""Byte counts as people read them (`docker images` units: MB = 10^6 bytes)."""

from __future__ import annotations


def megabytes(size: int) -> str:
    """Rounded for display: ~880 MB, ~1.2 GB, <0.1 MB."""
    if size >= 10**9:
        return f"~{size / 10**9:.1f} GB"
    if size >= 10**7:
        return f"~{round(size / 10**6)} MB"
    return f"~{size / 10**6:.1f} MB" if size >= 10**5 else "<0.1 MB"
