"""PDM: `pdm install`, `pdm sync`."""

from __future__ import annotations

from dfslim.tools.spec import Tool

TOOL = Tool(
    name="pdm",
    family="pdm",
    programs=frozenset({"pdm"}),
    value_options=frozenset({"-G", "--group", "-p", "--project", "-L", "--lockfile", "--venv"}),
    actions={
        "install": "install",
        "sync": "sync",
        "add": "add",
        "update": "upgrade",
        "remove": "remove",
        "lock": "lock",
        "export": "export",
        "run": "run",
        "cache": "cache",
    },
    compound={"cache": {"clear": "clean"}},
    cleans=frozenset({("cache", "clear")}),
    fills=frozenset({"install", "sync", "add", "upgrade"}),
    caches=("~/.cache/pdm",),
    cache_variables=("PDM_CACHE_DIR",),
    clean="pdm cache clear",
    mount="/root/.cache/pdm",
)
