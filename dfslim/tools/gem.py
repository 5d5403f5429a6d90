"""RubyGems and Bundler: `gem install`, `bundle install`."""

from __future__ import annotations

from dfslim.tools.spec import Tool

GEM = Tool(
    name="gem",
    family="ruby",
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
    programs=frozenset({"bundle", "bundler"}),
    value_options=frozenset({"--without", "--with", "--path", "--gemfile", "--jobs", "-j", "--retry"}),
    actions={"install": "install", "update": "upgrade", "config": "config", "exec": "run", "clean": "clean"},
    fills=frozenset({"install", "upgrade"}),
)
TOOLS = (GEM, BUNDLE)
