"""Sizes as people read and write them (`dfslim.units`)."""

from __future__ import annotations

import pytest

from dfslim.units import exact, megabytes, parse_size


@pytest.mark.parametrize(("text", "size"), [
    ("50MB", 50_000_000), ("50mb", 50_000_000), ("1.2 GB", 1_200_000_000), ("500kB", 500_000),
    ("2GiB", 2 * 2**30), ("3 MiB", 3 * 2**20), ("1000000", 1_000_000), ("7B", 7), (" 1TB ", 10**12),
    (4096, 4096),
])
def test_parse_size_reads_docker_style_units(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "fifty", "-1MB", "5 XB", "1.2.3MB", "nan MB", "inf", True, 1.5, None, -3])
def test_parse_size_refuses_what_is_not_a_size(text):
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


@pytest.mark.parametrize(("size", "shown"), [
    (50_000_000, "50 MB"), (1_200_000_000, "1.2 GB"), (500_000, "500 kB"), (1_050_000, "1050 kB"), (1234, "1,234 B"),
])
def test_exact_shows_a_limit_as_written(size, shown):
    assert exact(size) == shown
    assert parse_size(shown.replace(",", "").replace(" ", "")) == size


def test_megabytes_rounds_for_display():
    assert [megabytes(n) for n in (880_400_000, 1_234_000_000, 12_600_000, 4_210_000, 99_999)] == ["~880 MB", "~1.2 GB", "~13 MB", "~4.2 MB", "<0.1 MB"]
