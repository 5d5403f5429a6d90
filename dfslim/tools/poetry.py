"""Poetry: `poetry install`, `poetry add`."""

from __future__ import annotations

from dfslim.tools import pip
from dfslim.tools.spec import Tool

TOOL = Tool(
    name="poetry",
    family="poetry",
    ecosystem="python",
    programs=frozenset({"poetry"}),
    value_options=frozenset({
        "--only", "--with", "--without", "-E", "--extras", "-C", "--directory", "-P", "--project",
        "-G", "--group", "--source", "--python",
    }),
    actions={
        "install": "install",
        "add": "add",
        "update": "upgrade",
        "remove": "remove",
        "lock": "lock",
        "export": "export",
        "run": "run",
        "build": "build",
        "config": "config",
        "cache": "cache",
        "sync": "sync",
    },
    compound={"cache": {"clear": "clean"}},
    cleans=frozenset({("cache", "clear")}),
    fills=frozenset({"install", "add", "upgrade", "sync"}),
    caches=("~/.cache/pypoetry/cache", "~/.cache/pypoetry/artifacts"),  # its two caches; virtualenvs/ is no cache
    cache_variables=("POETRY_CACHE_DIR",),
    no_cache_options=("--no-cache",),
    no_cache_flag="--no-cache",
    clean="rm -rf /root/.cache/pypoetry",
    mount="/root/.cache/pypoetry",
    # every non-optional group, `dev` included, is installed unless left out
    # (https://python-poetry.org/docs/managing-dependencies/#installing-group-dependencies, read 2025);
    # `--no-dev` is Poetry 1's spelling
    project_installs=frozenset({"install", "sync"}),
    production_options=("--only=main", "--without=dev", "--no-dev", "--only-root"),
    dev_options=("--with={dev}", "--only={dev}", "-E={dev}", "--extras={dev}", "--all-groups"),
    production_flag="--only main",
    build_programs=pip.BUILD_PROGRAMS,
)
