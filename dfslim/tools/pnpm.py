"""pnpm: `pnpm install`, `pnpm add`, `pnpm fetch`."""

from __future__ import annotations

from dfslim.tools import npm
from dfslim.tools.spec import Tool

TOOL = Tool(
    name="pnpm",
    family="pnpm",
    ecosystem="node",
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
        "exec": "run",
        "dlx": "run",
        "test": "run",
        "t": "run",
        "start": "run",
    },
    compound={"store": {"prune": "clean"}},
    cleans=frozenset({("store", "prune")}),
    fills=frozenset({"install", "add", "fetch"}),
    caches=("~/.local/share/pnpm/store", "~/.pnpm-store"),
    cache_variables=("PNPM_STORE_DIR", "npm_config_store_dir"),
    cache_options=("--store-dir",),
    clean="pnpm store prune",
    mount="/root/.local/share/pnpm/store",
    # devDependencies: left out with `--prod`/`-P`, the default when NODE_ENV is
    # `production` (https://pnpm.io/cli/install#--prod--p, read 2025)
    project_installs=frozenset({"install"}),
    named_installs=frozenset({"install"}),
    production_options=("--prod", "-P", "--production"),
    production_variables=("NODE_ENV=production",),
    production_config=("production",),
    dev_options=("--prod=false", "--production=false", "--dev", "-D"),
    production_flag="--prod",
    prunes=frozenset({"prune"}),
    dependency_folders=npm.NODE_MODULES,
    script_verbs=True,  # `pnpm build` runs the `build` script
    build_programs=npm.BUILD_PROGRAMS,
)
