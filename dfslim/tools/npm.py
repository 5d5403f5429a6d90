"""npm: `npm install`, `npm ci` and their aliases."""

from __future__ import annotations

from dfslim.tools.spec import Tool

VALUE_OPTIONS = frozenset({
    "--prefix", "-C", "--cache", "--registry", "--userconfig", "--globalconfig", "--loglevel", "-w",
    "--workspace", "--tag", "--omit", "--include", "--only", "--install-strategy",
})
# npm accepts these spellings (its own typo aliases included)
INSTALL = "install i in ins inst insta instal isnt isnta isntal isntall add install-test it".split()
CI = "ci clean-install ic install-clean isntall-clean install-ci-test cit".split()
# programs of a project's development dependencies that build or check it, run from
# `node_modules/.bin` or through `npx`: after an install, they need the devDependencies
BUILD_PROGRAMS = frozenset(
    "npx pnpx bunx tsc vite next nuxt ng webpack rollup esbuild parcel gulp grunt babel svelte-kit astro "
    "remix tailwindcss vue-cli-service react-scripts nest ember eslint jest vitest mocha".split()
)
NODE_MODULES = ("node_modules",)

TOOL = Tool(
    name="npm",
    family="npm",
    ecosystem="node",
    programs=frozenset({"npm"}),
    value_options=VALUE_OPTIONS,
    actions={
        **{verb: "install" for verb in INSTALL},
        **{verb: "ci" for verb in CI},
        "update": "upgrade",
        "up": "upgrade",
        "uninstall": "remove",
        "remove": "remove",
        "rm": "remove",
        "prune": "prune",
        "cache": "cache",
        "config": "config",
        "c": "config",
        "set": "config",
        "run": "run",
        "run-script": "run",
        "rum": "run",
        "urn": "run",
        "test": "run",
        "t": "run",
        "tst": "run",
        "start": "run",
        "exec": "run",
        "x": "run",
    },
    compound={"cache": {"clean": "clean", "clear": "clean", "rm": "clean"}},
    cleans=frozenset({("cache", "clean"), ("cache", "clear"), ("cache", "rm")}),
    fills=frozenset({"install", "ci", "upgrade"}),
    caches=("~/.npm", "~/.npm/_cacache"),
    cache_variables=("npm_config_cache", "NPM_CONFIG_CACHE"),
    cache_options=("--cache",),
    clean="npm cache clean --force",
    cache_query="npm config get cache",
    mount="/root/.npm",
    # devDependencies: npm leaves them out with `--omit=dev` (npm 7+), `--production`
    # and `--only=prod` (older), or when NODE_ENV is `production`
    # (https://docs.npmjs.com/cli/v10/commands/npm-install, read 2025)
    project_installs=frozenset({"install", "ci"}),
    named_installs=frozenset({"install"}),
    production_options=("--omit=dev", "--production", "--prod", "--only=prod", "--only=production"),
    production_variables=(
        "NODE_ENV=production", "npm_config_production", "NPM_CONFIG_PRODUCTION", "npm_config_omit=dev", "NPM_CONFIG_OMIT=dev",
    ),
    production_config=("production", "omit=dev"),
    dev_options=("--include=dev", "--production=false", "--prod=false", "--dev", "--only=dev", "--only=development"),
    dev_variables=("npm_config_include=dev", "NPM_CONFIG_INCLUDE=dev", "npm_config_production=false", "NPM_CONFIG_PRODUCTION=false"),
    production_flag="--omit=dev",
    # `--omit` came with npm 7, first bundled with Node.js 15; npm 6 ignores it silently
    # (https://docs.npmjs.com/cli/v7/commands/npm-install, https://nodejs.org/en/about/previous-releases)
    older_production_flag=("node", 15, "--production"),
    prunes=frozenset({"prune"}),
    dependency_folders=NODE_MODULES,
    build_programs=BUILD_PROGRAMS,
)
