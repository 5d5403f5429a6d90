"""Poetry: `poetry install`, `poetry add`."""

from __future__ import annotations

from dfslim.tools.spec import Tool

TOOL = Tool(
    name="poetry",
    family="poetry",
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
    caches=("~/.cache/pypoetry",),
    cache_variables=("POETRY_CACHE_DIR",),
    no_cache_options=("--no-cache",),
    no_cache_flag="--no-cache",
    clean="rm -rf /root/.cache/pypoetry",
    mount="/root/.cache/pypoetry",
)
