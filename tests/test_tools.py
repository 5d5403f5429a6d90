"""The package-tool declarations and the reader."""

from __future__ import annotations

import importlib

import pytest

from dfslim import tools
from dfslim.model import Command, Word
from dfslim.tools import tool_call


def command(*argv: str) -> Command:
    words, at = [], 0
    for text in argv:
        words.append(Word(text, at, at + len(text)))
        at += len(text) + 1
    return Command(tuple(words), (), (), None, None, 0, 0, at)


def test_the_program_routes_match_the_declarations():
    declared, patterns, python_modules = {}, set(), {}
    for module_name in tools._MODULES:
        module = importlib.import_module(f"dfslim.tools.{module_name}")
        for tool in getattr(module, "TOOLS", None) or (module.TOOL,):
            for program in tool.programs:
                declared[program] = module_name
            if tool.program_pattern:
                patterns.add((tool.program_pattern, module_name))
            if tool.python_module:
                python_modules[tool.python_module] = module_name
    assert tools.MODULE_OF_PROGRAM == declared
    assert {(pattern.pattern, module) for pattern, module in tools.MODULE_OF_PATTERN} == patterns
    assert tools.MODULE_OF_PYTHON_MODULE == python_modules


def test_the_family_routes_match_the_declarations():
    for tool in tools.declared_tools():
        module = tools.MODULE_OF_FAMILY[tool.family]
        assert tool in tools.family_tools(tool.family), (tool, module)


@pytest.mark.parametrize(
    "argv, name, verb, action, packages",
    [
        (("sudo", "apt-get", "-q", "-o", "Dpkg::Options=x", "install", "-y", "curl"), "apt", "install", "install", ["curl"]),
        (("apt", "purge", "--auto-remove", "gcc"), "apt", "purge", "remove", ["gcc"]),
        (("/opt/venv/bin/pip3.11", "install", "-r", "req.txt", "flask"), "pip", "install", "install", ["flask"]),
        (("python3", "-m", "pip", "install", "--no-cache-dir", "x"), "pip", "install", "install", ["x"]),
        (("uv", "pip", "install", "--system", "x"), "uv pip", "install", "install", ["x"]),
        (("dnf", "group", "install", "-y", "Development Tools"), "dnf", "group", "install", ["Development Tools"]),
        (("yarn",), "yarn", "", "install", []),
        (("yarn", "--version"), "yarn", "", "", []),
        (("yarn", "global", "add", "typescript"), "yarn", "global", "add", ["typescript"]),
        (("npm", "isntall", "left-pad"), "npm", "isntall", "install", ["left-pad"]),
        (("apk", "add", "--virtual", ".deps", "gcc", "make"), "apk", "add", "install", ["gcc", "make"]),
        (("conda", "run", "-n", "env", "pip", "install", "x"), "pip", "install", "install", ["x"]),
        (("apt-get", "frobnicate"), "apt", "frobnicate", "frobnicate", []),
    ],
)
def test_the_reader(argv, name, verb, action, packages):
    call = tool_call(command(*argv))
    assert (call.name, call.verb, call.action, [w.text for w in call.packages]) == (name, verb, action, packages)


def test_cleans_and_values():
    assert tool_call(command("yum", "clean", "all")).cleans_cache
    assert not tool_call(command("yum", "clean", "metadata")).cleans_cache
    assert tool_call(command("zypper", "cc")).cleans_cache
    assert tool_call(command("pip", "cache", "purge")).cleans_cache
    call = tool_call(command("pip", "install", "-r", "a.txt", "-rb.txt", "--requirement=c.txt"))
    assert call.values("-r", "--requirement") == ["a.txt", "b.txt", "c.txt"]
    assert tool_call(command("pip", "install", "--no-cache", "x")).keeps_cache_out  # pip reads it abbreviated


def test_not_a_tool():
    assert tool_call(command("echo", "apt-get", "install")) is None
    assert tool_call(command("python3", "-m", "venv", "/v")) is None
    assert tool_call(command("python3", "app.py")) is None


def test_settings_given_as_options():
    npm = tool_call(command("npm", "ci", "--omit", "dev"))
    assert npm.given("--omit") == ["dev"] and npm.selects(npm.tool.production_options)
    assert tool_call(command("npm", "ci", "--omit=dev")).selects(("--omit=dev",))
    assert not tool_call(command("npm", "ci", "--omit=optional")).selects(("--omit=dev",))
    assert not tool_call(command("npm", "install", "--production=false")).selects(("--production",))
    assert tool_call(command("npm", "install", "--production=false")).selects(("--production=false",))
    poetry = tool_call(command("poetry", "install", "--only", "main"))
    assert poetry.selects(("--only=main",)) and tool_call(command("poetry", "install", "--only=main")).selects(("--only=main",))
    assert tool_call(command("poetry", "install", "--without", "dev,docs")).selects(("--without=dev",))
    assert tool_call(command("poetry", "install", "--with", "docs")).selects(("--with={dev}",))
    assert not tool_call(command("poetry", "install", "--with", "postgres")).selects(("--with={dev}",))
    assert tool_call(command("uv", "sync", "--only-group", "prod")).selects(("--only-group=*",))
    assert tool_call(command("pnpm", "install", "-P")).selects(("-P",))
    pip = tool_call(command("pip", "install", "-rrequirements-dev.txt", "-r", "requirements.txt"))
    assert pip.given("-r") == ["requirements-dev.txt", "requirements.txt"] and pip.selects(("-r={dev}",))


def test_list_options_take_the_words_after_them():
    bundle = tool_call(command("bundle", "install", "--without", "development", "test", "--jobs", "4"))
    assert bundle.given("--without") == ["development test"]
    assert bundle.selects(("--without=development test",)) and bundle.packages == ()
    assert not tool_call(command("bundle", "install", "--without", "development")).selects(("--without=development test",))
    assert tool_call(command("bundle")).action == "install"


def test_config_settings_extras_and_option_words():
    assert tool_call(command("bundle", "config", "set", "--local", "without", "development test")).setting == ("without", "development test")
    assert tool_call(command("npm", "config", "set", "omit=dev")).setting == ("omit", "dev")
    assert tool_call(command("npm", "set", "production", "true")).setting == ("production", "true")
    assert tool_call(command("bundle", "config", "get", "without")).setting is None
    assert tool_call(command("npm", "install")).setting is None
    assert tool_call(command("pip", "install", "-e", ".[dev,test]", "flask[async]")).extras == ("async", "dev", "test")
    found = tool_call(command("pip", "install", "-e", ".", "--editable=./b", "-e./c")).option_words("-e", "--editable")
    assert [(use.name, use.option.text, use.value is not None, use.text) for use in found] == [
        ("-e", "-e", True, "."), ("--editable", "--editable=./b", False, "./b"), ("-e", "-e./c", False, "./c")
    ]


@pytest.mark.parametrize(
    "name, dev",
    [
        ("requirements-dev.txt", True), ("requirements/test.txt", True), ("test_requirements.txt", True),
        ("docs/requirements.txt", True), ("requirements.testing.txt", True), ("requirements.txt", False),
        ("requirements-devops.txt", False), ("/home/dev/app/requirements.txt", False), ("/dev/stdin", False),
    ],
)
def test_development_names(name, dev):
    assert tools.dev_name(name) is dev


def test_setting_values():
    assert tools.setting_matches("UV_NO_DEV", "1") and not tools.setting_matches("UV_NO_DEV", "0")
    assert not tools.setting_matches("UV_NO_DEV", "")
    assert tools.setting_matches("NODE_ENV=production", "production") and not tools.setting_matches("NODE_ENV=production", "staging")
    assert tools.setting_matches("BUNDLE_WITHOUT=development test", "test:development:staging")
    assert not tools.setting_matches("BUNDLE_WITHOUT=development test", "development")
