"""pnpm: `pnpm install`, `pnpm add`, `pnpm fetch`."""

from __future__ import annotations

from dfslim.tools import npm
from dfslim.tools.spec import Tool

TOOL = Tool(
    name="pnpm",
    family="pnpm",
    programs=frozenset({"pnpm"}),
    value_options=npm.VALUE_OPTIONS | {"--filter", "--dir", "--store-dir"},
    actions={
        "install": "install",
        "i": "install",
        "add": "add",
        "fetch": "fetch",
        "update": "upgrade",
        "up": "upgrade",
        "remove": "remove",
        "rm": "remove",
        "prune": "prune",
        "store": "store",
        "config": "config",
        "c": "config",
        "set": "config",
        "run": "run",
    },
    compound={"store": {"prune": "clean"}},
    cleans=frozenset({("store", "prune")}),
    fills=frozenset({"install", "add", "fetch"}),
    caches=("~/.local/share/pnpm/store", "~/.pnpm-store"),
    cache_variables=("PNPM_STORE_DIR", "npm_config_store_dir"),
    cache_options=("--store-dir",),
    clean="pnpm store prune",
    mount="/root/.local/share/pnpm/store",
)
