"""PDM: `pdm install`, `pdm sync`."""

from __future__ import annotations

from dfslim.tools import pip
from dfslim.tools.spec import Tool

TOOL = Tool(
    name="pdm",
    family="pdm",
    ecosystem="python",
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
    # the dev dependency groups are installed unless `--prod`
    # (https://pdm-project.org/en/latest/usage/dependency/#select-a-subset-of-dependency-groups-to-be-installed, read 2025)
    project_installs=frozenset({"install", "sync"}),
    production_options=("--prod", "--production"),
    dev_options=("--dev", "-d"),
    production_flag="--prod",
    build_programs=pip.BUILD_PROGRAMS,
)
