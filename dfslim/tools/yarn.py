"""Yarn: `yarn`, `yarn install`, `yarn add`, `yarn global add` (Yarn 1 and Yarn 2+)."""

from __future__ import annotations

from dfslim.tools import npm
from dfslim.tools.spec import Tool

VALUE_OPTIONS = frozenset({
    "--cwd", "--cache-folder", "--preferred-cache-folder", "--modules-folder", "--mutex", "--network-timeout",
    "--global-folder", "--link-folder", "--registry", "--proxy", "--https-proxy", "--network-concurrency",
    "--use-yarnrc",
})
# options and variables only Yarn 2+ (berry) knows: it keeps its cache per project or
# in a global folder, not where Yarn 1 does
BERRY_OPTIONS = ("--immutable", "--immutable-cache", "--check-cache", "--mode", "--inline-builds", "--refresh-lockfile")
BERRY_VARIABLES = frozenset(
    {"YARN_NODE_LINKER", "YARN_ENABLE_GLOBAL_CACHE", "YARN_ENABLE_IMMUTABLE_INSTALLS", "YARN_GLOBAL_FOLDER", "YARN_ENABLE_MIRROR", "YARN_PNP_MODE"}
)
BERRY_FILES = frozenset({".yarnrc.yml", ".yarn", ".pnp.cjs"})

TOOL = Tool(
    name="yarn",
    family="yarn",
    ecosystem="node",
    programs=frozenset({"yarn"}),
    value_options=VALUE_OPTIONS,
    actions={
        "install": "install",
        "add": "add",
        "upgrade": "upgrade",
        "remove": "remove",
        "global": "global",
        "cache": "cache",
        "config": "config",
        "set": "set",
        "policies": "policies",
        "dlx": "dlx",
        "workspaces": "workspaces",
        "run": "run",
        "build": "run",
    },
    # `yarn workspaces focus --production` (Yarn 2+) drops the devDependencies
    compound={"global": {"add": "add", "remove": "remove"}, "cache": {"clean": "clean"}, "workspaces": {"focus": "prune"}},
    bare="install",  # `yarn` alone installs
    info_options=("--version", "-v", "--help", "-h"),
    cleans=frozenset({("cache", "clean")}),
    fills=frozenset({"install", "add"}),
    # Yarn 1 puts its cache in ~/.cache/yarn ($XDG_CACHE_HOME/yarn when set), and run as
    # root its "home" is /usr/local/share (yarnpkg/yarn src/util/user-home-dir.js and
    # src/util/user-dirs.js); ~/.yarn is its global prefix, not a cache. Yarn 2+ keeps its
    # cache elsewhere, and rules leave it alone.
    caches=("/usr/local/share/.cache/yarn", "~/.cache/yarn"),
    root_caches=("/usr/local/share/.cache/yarn",),
    cache_variables=("YARN_CACHE_FOLDER", "yarn_cache_folder"),
    cache_options=("--cache-folder", "--preferred-cache-folder"),
    clean="yarn cache clean",
    cache_query="yarn cache dir",
    mount="/usr/local/share/.cache/yarn",
    # devDependencies: Yarn 1 leaves them out with `--production` (`--prod`) or when
    # NODE_ENV is `production` (https://classic.yarnpkg.com/en/docs/cli/install, read 2025);
    # Yarn 2+ has no such option (`yarn workspaces focus --production` instead)
    project_installs=frozenset({"install"}),
    production_options=("--production", "--prod"),
    production_variables=("NODE_ENV=production",),
    production_config=("production",),
    dev_options=("--production=false", "--prod=false"),
    production_flag="--production",
    flagless_with=BERRY_OPTIONS,
    prunes=frozenset({"prune"}),
    dependency_folders=npm.NODE_MODULES,
    script_verbs=True,  # `yarn lint` runs the `lint` script
    build_programs=npm.BUILD_PROGRAMS,
)
