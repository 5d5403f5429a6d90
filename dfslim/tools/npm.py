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

TOOL = Tool(
    name="npm",
    family="npm",
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
)
