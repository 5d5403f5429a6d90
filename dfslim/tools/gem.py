"""RubyGems and Bundler: `gem install`, `bundle install`."""

from __future__ import annotations

from dfslim.tools.spec import Tool

GEM = Tool(
    name="gem",
    family="ruby",
    ecosystem="ruby",
    programs=frozenset({"gem"}),
    value_options=frozenset({
        "-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-P", "--trust-policy", "--platform",
        "-g", "--file", "--build-root", "--document", "--bulk-threshold", "-p", "--http-proxy", "--config-file",
        "-v", "--version",
    }),
    actions={"install": "install", "i": "install", "uninstall": "remove", "update": "upgrade", "cleanup": "clean"},
    fills=frozenset({"install", "upgrade"}),
)

BUNDLE = Tool(
    name="bundle",
    family="ruby",
    ecosystem="ruby",
    programs=frozenset({"bundle", "bundler"}),
    value_options=frozenset({"--without", "--with", "--path", "--gemfile", "--jobs", "-j", "--retry"}),
    actions={"install": "install", "update": "upgrade", "config": "config", "exec": "run", "clean": "clean"},
    bare="install",  # `bundle` alone installs
    info_options=("--version", "-v", "--help", "-h"),
    fills=frozenset({"install", "upgrade"}),
    list_options=frozenset({"--without", "--with"}),
    # every group is installed unless left out by the `without` setting
    # (https://bundler.io/man/bundle-config.1.html, read 2025)
    project_installs=frozenset({"install"}),
    production_options=("--without=development test",),
    production_variables=("BUNDLE_WITHOUT=development test",),
    production_config=("without=development test",),
    production_assignment="BUNDLE_WITHOUT=development:test",
    build_programs=frozenset({"rake", "rails"}),
)
TOOLS = (GEM, BUNDLE)
