"""What the size rules estimate (`dfslim.sizes`), checked against the tables they read.

Each expectation is worked out from the committed tables (`dfslim.packages`,
`dfslim.pipcache`, `savings.json`) by the test itself, or from the bytes of files the test
writes into a build context in tmp_path: a rule that prices the wrong packages, misses the
base image's own or counts a package twice fails here.
"""

from __future__ import annotations

import pytest

from dfslim import packages, pipcache, savings
from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse
from dfslim.sizes import base_image_packages, debian_release

BLOCK = 512
SLIM = packages.base_packages("debian", "bookworm")
PYTHON_SLIM = packages.base_packages("python-slim", "bookworm")
# how a -slim base shapes a layer: no documentation, and its debconf database
ON_SLIM = {"slim": True, "debconf_bytes": packages.base_debconf_bytes("debian", "bookworm")}
ON_PYTHON_SLIM = {"slim": True, "debconf_bytes": packages.base_debconf_bytes("python-slim", "bookworm")}


def savings_of(text, rule, context=None, path="Dockerfile"):
    """The savings of `rule`'s findings on `text`, in file order."""
    dockerfile = parse(text, path)
    if context is not None:
        dockerfile = dockerfile._replace(context_dir=str(context))
    return [f.savings_bytes for f in lint(dockerfile, Settings(select=(rule,)).rules()) if f.rule == rule]


def first_run(text):
    dockerfile = parse(text, "Dockerfile")
    return dockerfile, next(dockerfile.of("RUN"))


def write(root, files: dict[str, str]):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


# ---------------------------------------------------------------------------- the base


@pytest.mark.parametrize(("image", "release"), [
    ("debian:bookworm-slim", "bookworm"),
    ("debian:12", "bookworm"),
    ("buildpack-deps:bookworm-scm", "bookworm"),  # a family versioned by release
    ("python:3.11-slim-bullseye", "bullseye"),
    ("python:3.12-slim", "trixie"),  # the tag resolved to 3.12.13-slim-trixie in the image table
    ("python:3.12.3-slim", None),  # no figure for that tag: its release cannot be told
    ("debian:stable-slim", None),  # a suite moves
    ("ubuntu:22.04", None),
    ("alpine:3.20", None),
])
def test_the_release_of_the_base(image, release):
    assert debian_release(*first_run(f"FROM {image}\nRUN true\n")) == release


def test_the_base_of_a_stage_built_from_another_and_through_an_arg():
    text = "ARG PY=3.11-slim-bookworm\nFROM python:${PY} AS base\nFROM base\nRUN true\n"
    assert base_image_packages(*first_run(text)) == ("bookworm", PYTHON_SLIM)


@pytest.mark.parametrize(("image", "family"), [
    ("debian:bookworm", "debian"), ("debian:bookworm-slim", "debian"),
    ("python:3.11-slim-bookworm", "python-slim"), ("node:18-bookworm-slim", "node-slim"),
    ("python:3.12-bookworm", None), ("node:20-bookworm", None),  # built on buildpack-deps: no list
])
def test_which_bases_have_a_package_list(image, family):
    found = base_image_packages(*first_run(f"FROM {image}\nRUN true\n"))
    assert found == (None if family is None else ("bookworm", packages.base_packages(family, "bookworm")))


# ---------------------------------------------------------------------------- DFS104


def test_recommends_depend_on_what_the_base_has():
    install = "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    on_debian = savings_of("FROM debian:bookworm-slim\n" + install, "DFS104")
    on_python = savings_of("FROM python:3.11-slim-bookworm\n" + install, "DFS104")
    assert on_debian == [packages.recommends_bytes(["curl"], "bookworm", SLIM, **ON_SLIM)]
    assert on_python == [packages.recommends_bytes(["curl"], "bookworm", PYTHON_SLIM, **ON_PYTHON_SLIM)]
    assert 0 < on_python[0] < on_debian[0]  # python:*-slim has ca-certificates already


def test_a_package_recommended_twice_in_a_stage_counts_once():
    text = "FROM debian:bookworm-slim\nRUN apt-get install -y curl\nRUN apt-get install -y wget\n"
    first, second = savings_of(text, "DFS104")
    after_curl = SLIM | packages.closure(["curl"], "bookworm", True, SLIM)
    assert first == packages.recommends_bytes(["curl"], "bookworm", SLIM, **ON_SLIM)
    assert second == packages.recommends_bytes(["wget"], "bookworm", after_curl, **ON_SLIM)
    # together they are what one install of both would bring: nothing is counted twice
    assert first + second == packages.recommends_bytes(["curl", "wget"], "bookworm", SLIM, **ON_SLIM)
    assert second < packages.recommends_bytes(["wget"], "bookworm", SLIM, **ON_SLIM)


def test_what_a_parent_stage_and_earlier_installs_added_is_present():
    text = (
        "FROM debian:bookworm-slim AS base\nRUN apt-get install -y --no-install-recommends ca-certificates\n"
        "FROM base\nRUN apt-get install -y wget\n"
    )
    present = SLIM | packages.closure(["ca-certificates"], "bookworm", False, SLIM)
    assert savings_of(text, "DFS104") == [packages.recommends_bytes(["wget"], "bookworm", present, **ON_SLIM)]


def test_recommends_fall_back_to_the_figures_where_the_table_cannot_answer():
    text = "FROM ubuntu:22.04\nRUN apt-get install -y curl git\n"
    expected = savings.figure("apt-recommends:curl") + savings.figure("apt-recommends:git")
    assert savings_of(text, "DFS104") == [expected]
    # a package neither the index nor the figures know: unknown, not a guess
    assert savings_of("FROM debian:bookworm-slim\nRUN apt-get install -y google-chrome-stable\n", "DFS104") == [None]
    assert savings_of("FROM debian:bookworm-slim\nRUN apt-get install -y $PACKAGES\n", "DFS104") == [None]


def test_recommends_of_packages_purged_with_their_dependencies_save_nothing():
    text = "FROM debian:bookworm-slim\nRUN apt-get install -y make wget && make && apt-get purge -y --auto-remove wget\n"
    assert savings_of(text, "DFS104") == [packages.recommends_bytes(["make"], "bookworm", SLIM, **ON_SLIM)] == [0]


# ---------------------------------------------------------------------------- DFS112, DFS119

APP = 'CMD ["python3", "app.py"]\n'


def test_build_tools_are_their_closure_minus_the_base():
    text = "FROM debian:bookworm-slim\nRUN apt-get install -y --no-install-recommends build-essential curl\n" + APP
    with_them = packages.closure(["build-essential", "curl"], "bookworm", False, SLIM)
    without = packages.closure(["curl"], "bookworm", False, SLIM)
    expected = packages.layer_bytes(with_them, "bookworm", **ON_SLIM) - packages.layer_bytes(without, "bookworm", **ON_SLIM)
    assert savings_of(text, "DFS112") == [expected]
    with_recommends = savings_of(text.replace("--no-install-recommends ", ""), "DFS112")
    assert with_recommends[0] > expected  # the install takes their recommends too


def test_build_tools_elsewhere():
    ubuntu = "FROM ubuntu:22.04\nRUN apt-get install -y --no-install-recommends gcc make\n" + APP
    assert savings_of(ubuntu, "DFS112") == [savings.figure("build-tools:gcc") + savings.figure("build-tools:make")]
    alpine = "FROM alpine:3.20\nRUN apk add --no-cache gcc musl-dev\n" + APP
    assert savings_of(alpine, "DFS112") == [None]  # no apk package table


def test_debug_tools_from_the_package_index():
    text = "FROM debian:bookworm-slim\nRUN apt-get install -y --no-install-recommends strace libpq5\n" + APP
    expected = packages.layer_bytes(packages.closure(["strace"], "bookworm", False, SLIM | packages.closure(["libpq5"], "bookworm", False, SLIM)), "bookworm", **ON_SLIM)
    assert savings_of(text, "DFS119") == [expected] and expected > 0


# ---------------------------------------------------------------------------- DFS114


def test_lastlog_depends_on_the_release():
    line = "RUN useradd -u 100000 -m app && useradd -u 200000 -m other\n"
    per_uid = savings.ratio("lastlog:per-uid:debian:bullseye")
    assert savings_of("FROM debian:bullseye-slim\n" + line, "DFS114") == [round(per_uid * 200001)]  # the largest uid
    assert savings_of("FROM ubuntu:22.04\n" + line, "DFS114") == [None]
    found = lint(parse("FROM debian:bookworm-slim\n" + line), Settings(select=("DFS114",)).rules())
    # shadow 4.13 writes no record: the finding stays, as advice, with no saving
    assert [(f.savings_bytes, f.severity.label) for f in found] == [(0, "info")]
    assert "writes no lastlog entry" in found[0].message and "~65 MB" in found[0].message


# ---------------------------------------------------------------------------- DFS105


def test_pip_cache_from_the_named_packages():
    assert savings_of("FROM python:3.12-slim\nRUN pip install numpy pandas\n", "DFS105") == [pipcache.estimate(["numpy", "pandas"]).bytes]
    # an earlier install of the stage put numpy there: pandas does not download it again
    text = "FROM python:3.12-slim\nRUN pip install --no-cache-dir numpy\nRUN pip install pandas\n"
    assert savings_of(text, "DFS105") == [pipcache.estimate(["pandas"], installed=pipcache.estimate(["numpy"]).packages).bytes]


def test_pip_cache_from_requirements_files_the_context_holds(tmp_path):
    write(tmp_path, {"requirements.txt": "Flask==3.0.3  # web\n-r extra/more.txt\n--hash=sha256:00\n", "extra/more.txt": "requests>=2\n"})
    text = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\nCOPY extra /app/extra\nRUN pip install -r requirements.txt gunicorn\n"
    assert savings_of(text, "DFS105", tmp_path) == [pipcache.estimate(["flask", "requests", "gunicorn"]).bytes]


def test_pip_cache_of_requirements_out_of_reach(tmp_path):
    default = savings.figure("pip-cache:default")
    install = "FROM python:3.12-slim\nCOPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt flask\n"
    flask = pipcache.estimate(["flask"]).bytes
    assert savings_of(install, "DFS105") == [flask + default]  # no build context
    write(tmp_path, {"requirements.txt": "numpy\n", ".dockerignore": "requirements.txt\n"})
    assert savings_of(install, "DFS105", tmp_path) == [flask + default]  # kept out of the context
    assert savings_of("FROM python:3.12-slim\nRUN pip install --no-index --find-links /wheels app\n", "DFS105") == [0]


def test_pip_cache_of_a_local_project(tmp_path):
    write(tmp_path, {"pyproject.toml": '[project]\nname = "app"\ndependencies = ["requests"]\n[project.optional-dependencies]\nserver = ["gunicorn"]\n'})
    text = "FROM python:3.12-slim\nWORKDIR /src\nCOPY . .\nRUN pip install .[server]\n"
    assert savings_of(text, "DFS105", tmp_path) == [pipcache.estimate(["requests", "gunicorn"]).bytes]


def test_other_installers_have_no_pip_figure():
    assert savings_of("FROM python:3.12-slim\nRUN uv pip install --system flask\n", "DFS105") == [None]


# ---------------------------------------------------------------------------- DFS110


def test_chown_after_copy_weighs_what_the_copy_brought_in(tmp_path):
    write(tmp_path, {"app/a.py": "x" * 1000, "app/lib/b.py": "y" * 513, "app/skip.log": "z" * 9000, ".dockerignore": "**/*.log\n"})
    text = "FROM debian:bookworm-slim\nCOPY app /app\nRUN chown -R 1000:1000 /app\n"
    # headers of app/, app/lib/ and the two files, and their data in 512-byte blocks
    layer = 4 * BLOCK + 2 * BLOCK + 2 * BLOCK
    assert savings_of(text, "DFS110", tmp_path) == [round(layer * savings.ratio("chown-after-copy:per-copied-byte"))]
    excluded = text.replace("COPY app", "COPY --exclude=lib app")
    assert savings_of(excluded, "DFS110", tmp_path) == [2 * BLOCK + 2 * BLOCK]
    part = "FROM debian:bookworm-slim\nWORKDIR /srv\nCOPY . .\nRUN chmod -R 755 /srv/app/lib\n"
    assert savings_of(part, "DFS110", tmp_path) == [BLOCK + BLOCK + 2 * BLOCK]  # app/lib and b.py only


def test_chown_after_copy_without_the_files_at_hand(tmp_path):
    text = "FROM debian:bookworm-slim\nCOPY app /app\nRUN chown -R 1000:1000 /app\n"
    assert savings_of(text, "DFS110") == [None]  # no context
    assert savings_of(text, "DFS110", tmp_path) == [None]  # the context has no app/
    other = "FROM debian:bookworm-slim\nCOPY --from=build /out /app\nRUN chown -R 1000:1000 /app\n"
    assert savings_of(other, "DFS110", tmp_path) == [None]


# ---------------------------------------------------------------------------- DFS117

SHIP = 'CMD ["python", "app.py"]\n'


def installed(dev, runtime=()):
    """What the development packages weigh installed, as the rule prices them."""
    base = pipcache.estimate(runtime).packages if runtime else ()
    return round(pipcache.estimate(dev, installed=base).bytes * savings.ratio("pip-install:per-download-byte"))


def test_dev_requirements_less_the_runtime_ones(tmp_path):
    write(tmp_path, {"requirements.txt": "flask\n", "requirements-dev.txt": "-r requirements.txt\nflake8\npytest\n"})
    text = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements-dev.txt\n" + SHIP
    assert savings_of(text, "DFS117", tmp_path) == [installed(["flake8", "pytest"], ["flask"])]


def test_dev_groups_of_pyproject_and_pipenv(tmp_path):
    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["django"]\n[dependency-groups]\ndev = ["flake8", "mypy"]\n'
                          '[tool.poetry.group.test.dependencies]\npytest = "*"\n[tool.poetry.group.docs]\noptional = true\n'
                          '[tool.poetry.group.docs.dependencies]\nmkdocs = "*"\n',
        "Pipfile.lock": '{"default": {"flask": {}}, "develop": {"flask": {}, "flake8": {}, "pyflakes": {}}}',
    })
    head = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
    assert savings_of(head + "RUN uv sync --no-cache\n" + SHIP, "DFS117", tmp_path) == [installed(["flake8", "mypy"], ["django"])]
    assert savings_of(head + "RUN poetry install --no-cache\n" + SHIP, "DFS117", tmp_path) == [installed(["pytest"], ["django"])]
    assert savings_of(head + "RUN pipenv install --dev --system\n" + SHIP, "DFS117", tmp_path) == [installed(["flake8", "pyflakes"], ["flask"])]


def test_dev_dependencies_nobody_names():
    assert savings_of("FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements-dev.txt\n" + SHIP, "DFS117") == [None]
    assert savings_of("FROM node:22-slim\nCOPY package*.json ./\nRUN npm ci && npm cache clean --force\nCMD [\"node\", \"s.js\"]\n", "DFS117") == [None]


# ---------------------------------------------------------------------------- DFS108


def test_npm_cache_of_a_project_install_and_of_named_packages():
    node = "FROM node:20-slim\nWORKDIR /app\n"
    assert savings_of(node + "RUN npm ci\n", "DFS108") == [savings.figure("npm-cache:default")]
    assert savings_of(node + "RUN npm install express\n", "DFS108") == [savings.figure("npm-cache:express")]
    # named packages nobody measured: no figure, rather than a whole project's
    assert savings_of(node + "RUN npm install -g pm2\n", "DFS108") == [None]
    assert savings_of(node + "RUN npm install -g pm2 && npm ci\n", "DFS108") == [savings.figure("npm-cache:default")]


# ---------------------------------------------------------------------------- DFS107


def test_rpm_metadata_counts_once_while_a_layer_keeps_it():
    yum = savings.figure("rpm-cache:yum")
    text = ("FROM centos:7 AS base\nRUN yum install -y httpd\nRUN yum install -y git\nRUN yum clean all\n"
            "RUN yum install -y vim\nFROM base AS app\nRUN yum install -y tree\nCMD [\"httpd\"]\n")
    # the second RUN reuses the first one's metadata; after the clean it is fetched again;
    # a stage built FROM the first inherits what its last layer keeps
    assert savings_of(text, "DFS107") == [yum, 0, yum, 0]
