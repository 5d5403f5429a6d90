"""Pipenv: `pipenv install`, `pipenv sync`."""

from __future__ import annotations

from dfslim.tools.spec import Tool

TOOL = Tool(
    name="pipenv",
    family="pipenv",
    programs=frozenset({"pipenv"}),
    value_options=frozenset({"--python", "-r", "--requirements", "-i", "--index", "--extra-index-url", "--categories"}),
    actions={"install": "install", "sync": "sync", "uninstall": "remove", "lock": "lock", "update": "upgrade", "run": "run"},
    fills=frozenset({"install", "sync", "upgrade"}),
    caches=("~/.cache/pipenv",),
    cache_variables=("PIPENV_CACHE_DIR",),
    clean="rm -rf /root/.cache/pipenv",
    mount="/root/.cache/pipenv",
)
