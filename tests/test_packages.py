"""dfslim.packages: installed sizes and apt-like closures from the Debian package table."""

import subprocess
import sys

import pytest

from dfslim import packages

KIB = 1024


@pytest.fixture
def fake_table(monkeypatch):
    """A small table whose resolutions can be worked out by hand."""
    releases = {
            "rel": {
                "packages": {
                    "libc": [1000, "", "", "1"],
                    "app": [10, "libc,libfoo|libbar,mail-agent", "docs,extra", "1"],
                    "libfoo": [20, "libc", "", "1"],
                    "libbar": [30, "libc", "", "1"],
                    "postfix": [40, "libc", "", "1"],
                    "exim": [50, "libc", "", "1"],
                    "docs": [5, "", "extra", "1"],
                    "extra": [7, "libfoo", "", "1"],
                    "other": [3, "libbar", "docs", "1"],
                    # [KiB, depends, recommends, version, KiB -slim leaves out, KiB configuring writes]
                    "fetcher": [60, "libc", "certs,manual", "1", 20, 0],
                    "certs": [40, "libc,debconf|debconf-2.0", "", "1", 2, 30],
                    "manual": [25, "", "", "1", 25, 0],
                    "debconf": [500, "", "", "1", 100, 0],
                },
                "provides": {"mail-agent": ["postfix", "exim"]},
            }
    }
    rest = {"rel": ["other"]}  # one package whose record is in the second file
    files = {}
    for name, release in releases.items():
        files[packages._RELEASE_FILE.format(release=name)], files[packages._REST_FILE.format(release=name)] = _table_texts(release, rest[name])
    monkeypatch.setattr(packages, "_read", files.__getitem__)
    parsed = {name: packages._Release.parse(files[packages._RELEASE_FILE.format(release=name)], name) for name in releases}
    table = {"_about": {}, "bases": {"tiny:rel": ["libc", "debconf"]}, "debconf_bytes": {"tiny:rel": 300 * KIB},
             "releases": sorted(releases)}
    monkeypatch.setattr(packages, "_table", lambda: table)
    monkeypatch.setattr(packages, "_release", parsed.get)
    return table


def _table_texts(release, rest) -> tuple[str, str]:
    """A release's two files as the generator writes them, the packages `rest` in the second."""
    record = lambda name: "\t".join(map(str, release["packages"][name]))  # noqa: E731
    core = [name for name in release["packages"] if name not in rest]
    blocks = [
        core,
        [record(name) for name in core],
        list(rest),
        list(release["provides"]),
        [" ".join(names) for names in release["provides"].values()],
    ]
    return "\n\n".join("\n".join(block) for block in blocks), "\n".join(record(name) for name in rest)


def test_the_second_file_is_read_only_for_a_package_outside_the_core(fake_table):
    data = packages._release("rel")
    assert "other" in data and data.rest  # known by name, its record not read yet
    assert packages.closure(["app"], "rel", base=["libc"]) == {"app", "libfoo", "postfix"}
    assert data.rest
    assert packages.installed_size("other", "rel") == 3 * KIB
    assert not data.rest and packages.installed_size("app", "rel") == 10 * KIB


def test_installed_size_is_the_index_kib(fake_table):
    assert packages.installed_size("app", "rel") == 10 * KIB
    assert packages.installed_size("nothing", "rel") is None
    assert packages.installed_size("app", "no-release") is None


def test_closure_takes_first_alternative_and_first_provider(fake_table):
    assert packages.closure(["app"], "rel", base=["libc"]) == {"app", "libfoo", "postfix"}


def test_closure_skips_what_the_base_or_an_earlier_choice_meets(fake_table):
    # libbar already there: the `libfoo | libbar` group is met; exim meets mail-agent
    assert packages.closure(["app"], "rel", base=["libc", "libbar", "exim"]) == {"app"}
    # `other` brings libbar first, so app's alternative group is already met
    assert packages.closure(["other", "app"], "rel", base=["libc"]) == {"other", "libbar", "app", "postfix"}


def test_a_package_the_base_has_adds_nothing(fake_table):
    # apt installs neither it again nor its recommends
    assert packages.closure(["app"], "rel", recommends=True, base=["libc", "app"]) == set()
    assert packages.closure_bytes(["libc"], "rel", base=["libc"]) == 0
    assert packages.recommends_bytes(["app"], "rel", base=["libc", "app"]) == 0


def test_a_line_is_split_on_first_use(fake_table):
    data = packages._release("rel")
    assert data.lines["app"] == "10\tlibc,libfoo|libbar,mail-agent\tdocs,extra\t1" and "app" not in data._records
    assert data.record("app") == (10, "libc,libfoo|libbar,mail-agent", "docs,extra", "1", 0, 0)
    assert data.providers("mail-agent") == ("postfix", "exim") and data.providers("app") == ()


def test_version_and_size_of(fake_table):
    assert packages.version("app", "rel") == "1" and packages.version("nosuch", "rel") is None
    assert packages.size_of(["app", "libfoo", "nosuch"], "rel") == 30 * KIB


def test_recommends_are_followed_transitively(fake_table):
    with_recommends = packages.closure(["app"], "rel", recommends=True, base=["libc"])
    assert with_recommends == {"app", "libfoo", "postfix", "docs", "extra"}


def test_each_package_counts_once(fake_table):
    once = packages.closure_bytes(["app"], "rel", base=["libc"])
    assert once == (10 + 20 + 40) * KIB
    assert packages.closure_bytes(["app", "app", "libfoo"], "rel", base=["libc"]) == once
    # docs is recommended by app and by other: counted once
    both = packages.recommends_bytes(["app", "other"], "rel", base=["libc"])
    assert both == (5 + 7) * KIB


def test_a_slim_image_leaves_the_documentation_out(fake_table):
    assert packages.size_of(["fetcher", "manual"], "rel") == 85 * KIB
    assert packages.size_of(["fetcher", "manual"], "rel", slim=True) == 40 * KIB
    assert packages.layer_bytes(["manual"], "rel", slim=True) == 0


def test_configuring_writes_into_the_layer(fake_table):
    # certs' configuration writes 30 KiB besides its files; it asks debconf, so the
    # database (300 KiB) is rewritten with its -old copy
    assert packages.asks_debconf(["certs"], "rel") and not packages.asks_debconf(["fetcher", "manual"], "rel")
    assert packages.layer_bytes(["certs"], "rel") == 70 * KIB
    assert packages.layer_bytes(["certs", "fetcher"], "rel", debconf_bytes=300 * KIB) == (130 + 600) * KIB
    assert packages.base_debconf_bytes("tiny", "rel") == 300 * KIB and packages.base_debconf_bytes("tiny", "x") == 0


def test_recommends_price_the_whole_layer(fake_table):
    base = ["libc", "debconf"]
    assert packages.recommends_bytes(["fetcher"], "rel", base) == (40 + 30 + 25) * KIB
    on_slim = packages.recommends_bytes(["fetcher"], "rel", base, slim=True, debconf_bytes=300 * KIB)
    assert on_slim == (38 + 30 + 0 + 600) * KIB
    # certs already installed: no configuration, no debconf rewrite to save
    assert packages.recommends_bytes(["fetcher"], "rel", base + ["certs"], slim=True, debconf_bytes=300 * KIB) == 0


def test_unknown_package_or_release_gives_no_figure(fake_table):
    assert packages.closure_bytes(["app", "nosuch"], "rel") is None
    assert packages.recommends_bytes(["app"], "nosuch-release") is None
    assert packages.closure(["app"], "nosuch-release") is None
    assert packages.known("mail-agent", "rel") and not packages.known("nosuch", "rel")


def test_base_packages(fake_table):
    assert packages.base_packages("tiny", "rel") == frozenset({"libc", "debconf"})
    assert packages.base_packages("tiny", "other") is None


# The committed table.

def test_table_covers_bookworm_and_bullseye():
    assert {"bookworm", "bullseye"} <= set(packages.releases())
    for family in ("debian", "node-slim"):
        for release in ("bookworm", "bullseye"):
            assert packages.base_packages(family, release), (family, release)
    assert packages.base_packages("python-slim", "bookworm") > packages.base_packages("debian", "bookworm")


def test_curl_on_debian_and_python_slim():
    debian = packages.base_packages("debian", "bookworm")
    python = packages.base_packages("python-slim", "bookworm")
    plain = packages.closure(["curl"], "bookworm", base=debian)
    assert "libcurl4" in plain and "libc6" not in plain and "ca-certificates" not in plain
    assert "ca-certificates" in packages.closure(["curl"], "bookworm", recommends=True, base=debian)
    # python:*-slim already has ca-certificates and openssl: skipping recommends saves less there
    assert 0 < packages.recommends_bytes(["curl"], "bookworm", python) < packages.recommends_bytes(["curl"], "bookworm", debian)


def test_a_package_recommended_by_two_installs_counts_once():
    debian = packages.base_packages("debian", "bookworm")
    apart = sum(packages.recommends_bytes([name], "bookworm", debian) for name in ("curl", "wget"))
    assert packages.recommends_bytes(["curl", "wget"], "bookworm", debian) < apart


def test_import_reads_no_table():
    probe = "import dfslim.packages as p, sys; print(p._table.cache_info().currsize, 'gzip' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "0"


def test_a_release_is_read_alone():
    probe = (
        "import dfslim.packages as p; p.closure(['curl'], 'bookworm');"
        "print(p._release.cache_info().currsize, p.releases())"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.startswith("1 ") and "'trixie'" in out


def test_python_slim_lists_are_closed_under_depends():
    # a cited image listing typed wrong would miss a dependency dpkg had to install
    for release in ("bookworm", "trixie"):
        listed = packages.base_packages("python-slim", release)
        assert listed > packages.base_packages("debian", release) - {"usr-is-merged"}
        assert all(packages.known(name, release) for name in listed)
        assert packages.unmet_depends(listed, release) == []
    assert packages.unmet_depends(["app"], "bookworm") == []  # not a package: nothing to check
    assert ("curl", "libcurl4") in packages.unmet_depends(["curl", "libc6"], "bookworm")
