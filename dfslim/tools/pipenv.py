"""Pipenv: `pipenv install`, `pipenv sync`."""

from __future__ import annotations

from dfslim.tools import pip
from dfslim.tools.spec import Tool

TOOL = Tool(
    name="pipenv",
    family="pipenv",
    ecosystem="python",
    programs=frozenset({"pipenv"}),
    value_options=frozenset({"--python", "-r", "--requirements", "-i", "--index", "--extra-index-url", "--categories"}),
    actions={"install": "install", "sync": "sync", "uninstall": "remove", "lock": "lock", "update": "upgrade", "run": "run"},
    fills=frozenset({"install", "sync", "upgrade"}),
    caches=("~/.cache/pipenv",),
    cache_variables=("PIPENV_CACHE_DIR",),
    clean="rm -rf /root/.cache/pipenv",
    mount="/root/.cache/pipenv",
    # only the [packages] unless asked for the [dev-packages] too
    project_installs=frozenset({"install", "sync"}),
    dev_by_default=False,
    dev_options=("--dev", "-d", "--categories=dev-packages"),
    dev_variables=("PIPENV_DEV",),
    build_programs=pip.BUILD_PROGRAMS,
)
