"""dfslim.pipcache: a pip cache's bytes from the wheel-size table."""

import pytest

from dfslim import pipcache


@pytest.fixture
def fake_table(monkeypatch):
    table = {
        "_about": {"typical_bytes": 1000},
        "packages": {
            "web": ["1.0", 100, ["templates", "utils"], False],
            "templates": ["2.0", 40, ["utils"], False],
            "utils": ["3.0", 5, [], False],
        },
    }
    monkeypatch.setattr(pipcache, "_table", lambda: table)
    return table


def test_closure_counts_each_file_once(fake_table):
    found = pipcache.estimate(["Web"])
    assert found.bytes == 145
    assert set(found.packages) == {"web", "templates", "utils"}
    assert pipcache.estimate(["web", "templates", "WEB"]).bytes == 145


def test_unknown_package_counts_the_typical_file(fake_table):
    found = pipcache.estimate(["web", "mystery_pkg"])
    assert found.unknown == ("mystery-pkg",)
    assert found.bytes == 145 + 1000
    assert pipcache.typical_bytes() == 1000


def test_what_is_installed_is_not_downloaded_again(fake_table):
    # `templates` is there already and not fetched; `utils` is, as `web` needs it too
    found = pipcache.estimate(["web"], installed=["templates"])
    assert found.bytes == 100 + 5 and set(found.packages) == {"web", "utils"}
    assert pipcache.estimate(["templates"], installed=["templates", "utils"]).bytes == 0


def test_requirement_names():
    text = "Flask==3.1\n# comment\n-r base.txt\n--hash=sha256:00\nnumpy>=1 ; python_version > '3'\n" \
           "git+https://example.com/x.git\n./local\nDjango_Rest[x] # trailing\nflask\n"
    assert pipcache.requirement_names(text) == ["flask", "numpy", "django-rest"]


# The committed table.

def test_flask_closure_from_the_committed_table():
    found = pipcache.estimate(["flask"])
    assert {"flask", "werkzeug", "jinja2", "markupsafe"} <= set(found.packages)
    assert 200_000 < found.bytes < 5_000_000


def test_heavy_packages_weigh_what_they_weigh():
    assert pipcache.estimate(["torch"]).bytes > 500_000_000
    assert pipcache.estimate(["numpy", "pandas"]).bytes > 10_000_000
    assert pipcache.estimate(["flask"]).bytes < pipcache.estimate(["numpy"]).bytes


def test_upgrading_pip_itself_caches_its_own_wheel():
    # `pip install --upgrade pip` downloads pip's wheel (about 1.8 MB), not a typical file
    found = pipcache.estimate(["pip"])
    assert found.unknown == () and 1_000_000 < found.bytes < 3_000_000
    assert pipcache.estimate(["pip", "setuptools", "wheel"]).bytes > found.bytes
