"""Checks of dfslim/data/savings.json and its loader dfslim.savings."""

import json
import re
from pathlib import Path

import pytest

from dfslim import savings

DATA = Path(savings.__file__).parent / "data" / "savings.json"
MB = 1_000_000

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]*(:[a-z0-9][a-z0-9.+-]*)*$")


@pytest.fixture(scope="module")
def data():
    return json.loads(DATA.read_text(encoding="utf-8"))


def test_file_is_valid_json_with_expected_sections(data):
    assert set(data) >= {"_about", "sources", "figures"}
    assert data["figures"], "no figures"
    for field in ("what", "units", "how_to_update"):
        assert data["_about"].get(field)


def test_keys_follow_family_detail(data):
    for key in data["figures"]:
        assert KEY_RE.match(key), key
    # family:detail, except the single-word family zypper-cache
    assert all(":" in key or key == "zypper-cache" for key in data["figures"])


def test_sources_are_complete(data):
    for sid, src in data["sources"].items():
        for field in ("title", "url", "date", "measured"):
            assert isinstance(src.get(field), str) and src[field].strip(), (sid, field)


def test_every_figure_has_the_fields_and_a_known_source(data):
    for key, fig in data["figures"].items():
        assert set(fig) >= {"bytes", "source", "note"}, key
        assert isinstance(fig["note"], str) and fig["note"].strip(), key
        b = fig["bytes"]
        assert b is None or (isinstance(b, int) and not isinstance(b, bool) and b >= 0), key
        if b is not None or "ratio" in fig:
            assert fig["source"] in data["sources"], key
        elif fig["source"] is not None:
            assert fig["source"] in data["sources"], key
        if "ratio" in fig:
            assert b is None, f"{key}: ratio figures carry no bytes"
            assert isinstance(fig["ratio"], (int, float)) and fig["ratio"] > 0, key


def test_unknown_figures_say_what_the_size_depends_on(data):
    for key, fig in data["figures"].items():
        if fig["bytes"] is None and "ratio" not in fig:
            assert "depend" in fig["note"].lower(), key


def test_requested_keys_are_present(data):
    wanted = {
        "apt-lists:debian:bullseye", "apt-lists:debian:bookworm", "apt-lists:debian:trixie",
        "apt-lists:ubuntu:20.04", "apt-lists:ubuntu:22.04", "apt-lists:ubuntu:24.04",
        "apt-lists:default", "apt-recommends:curl", "apt-recommends:default",
        "apk-cache:default", "rpm-cache:dnf", "rpm-cache:yum", "rpm-cache:microdnf",
        "zypper-cache", "pip-cache:per-installed-byte", "pip-cache:default",
        "npm-cache:default", "yarn-cache:default", "build-tools:build-essential",
        "build-tools:gcc", "build-tools:python3-dev", "build-tools:alpine-build-base",
        "lastlog:large-uid",
    }
    assert wanted <= set(data["figures"])


def test_figure_of_unknown_key_is_none():
    assert savings.figure("no-such-family:nothing") is None
    assert savings.source_of("no-such-family:nothing") is None
    assert savings.note_of("no-such-family:nothing") is None
    assert savings.ratio("no-such-family:nothing") is None


def test_loader_matches_file(data):
    for key, fig in data["figures"].items():
        assert savings.figure(key) == fig["bytes"]
        assert savings.note_of(key) == fig["note"]
        src = savings.source_of(key)
        if fig["source"] is None:
            assert src is None
        else:
            assert src["id"] == fig["source"]
            assert src["url"] == data["sources"][fig["source"]]["url"]
    assert savings.keys() == sorted(data["figures"])


def test_source_of_returns_a_copy():
    src = savings.source_of("apt-lists:ubuntu:22.04")
    src["title"] = "changed"
    assert savings.source_of("apt-lists:ubuntu:22.04")["title"] != "changed"


def test_ratios():
    assert savings.ratio("lastlog:per-uid") == 292
    assert savings.figure("lastlog:per-uid") is None
    r = savings.ratio("pip-cache:per-installed-byte")
    assert r is not None and 0 < r < 1
    assert savings.ratio("apt-lists:default") is None


# Sanity ranges, only for figures that were found.

def _between(key, low_mb, high_mb):
    b = savings.figure(key)
    assert b is not None, key
    assert low_mb * MB <= b <= high_mb * MB, (key, b)


@pytest.mark.parametrize("release", ["bullseye", "bookworm", "trixie"])
def test_debian_apt_lists_range(release):
    _between(f"apt-lists:debian:{release}", 5, 100)


@pytest.mark.parametrize("release", ["20.04", "22.04"])
def test_ubuntu_apt_lists_range(release):
    _between(f"apt-lists:ubuntu:{release}", 5, 150)


def test_apt_lists_default_is_not_above_any_release_figure(data):
    default = savings.figure("apt-lists:default")
    found = [f["bytes"] for k, f in data["figures"].items()
             if k.startswith("apt-lists:") and k != "apt-lists:default" and f["bytes"] is not None]
    assert default is not None and default <= min(found)


def test_other_ranges():
    _between("apk-cache:default", 0.1, 10)
    _between("rpm-cache:dnf", 10, 500)
    _between("rpm-cache:yum", 10, 500)
    _between("zypper-cache", 10, 500)
    _between("pip-cache:default", 0.1, 5000)
    _between("npm-cache:default", 0.1, 5000)
    _between("yarn-cache:default", 0.1, 5000)
    _between("build-tools:build-essential", 100, 1000)
    _between("build-tools:gcc", 50, 1000)
    _between("build-tools:python3-dev", 20, 500)
    assert savings.figure("build-tools:gcc") <= savings.figure("build-tools:build-essential")


def test_recommends_savings_are_per_package_facts():
    assert savings.figure("apt-recommends:make") == 0
    assert savings.figure("apt-recommends:default") is None
    # skipping recommends saves less than the package set it trims
    assert savings.figure("apt-recommends:build-essential") < savings.figure("build-tools:build-essential")
