r"""apt installs recommended packages nobody asked for.

## What it does
Flags a `RUN` that runs `apt-get install` (or `apt install`, `aptitude install`) without
`--no-install-recommends` (or `-o APT::Install-Recommends=false`).

## Why is this bad?
By default apt also installs every package the requested ones merely *recommend*:
documentation tools, fonts, compilers, whole desktop libraries. They are rarely needed in
a container and can weigh more than the packages asked for (`python3-pip` pulls in about
380 MB of recommendations on Debian 12), with more code to patch and scan.

## Example
    RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*

## Use instead
    RUN apt-get update && apt-get install -y --no-install-recommends curl \
        && rm -rf /var/lib/apt/lists/*

## Savings
The sum of the measured recommendations of the packages installed (`apt-recommends:<package>`
in `dfslim/data/savings.json`, Debian 12), when every package has a figure; otherwise
unknown.

## Fix
Unsafe: inserts `--no-install-recommends` right after `install`. It changes which packages
the image contains: a program that relied on a recommended package may need it listed
explicitly.

## Exemptions
Not flagged when recommendations are turned off for the command (`--no-install-recommends`,
`-o APT::Install-Recommends=false` or `=0`; `-R`/`--without-recommends` for aptitude), or
by an apt configuration written earlier in the stage or a stage it is built `FROM`
(`echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/...`); when a later
`apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false` in the same
`RUN` removes the recommendations again, or the installed packages are purged again
later in the `RUN` with `--auto-remove` (a tool needed only during the build); for `apt-get install -s` (simulate) or `-d`
(download only), which install nothing.

## Scope
Only stages that ship: what a builder stage installs never reaches the final image.
"""

import re

from dfslim.api import (
    Fix,
    Meta,
    Severity,
    Violation,
    earlier_in_lineage,
    expand,
    insert_option,
    package_name,
    spell,
    tool_call,
)
from dfslim.regex import lazy_compile
from dfslim.savings import figure

META = Meta(
    id="DFS104",
    name="apt-recommends",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="unsafe",
    others=("hadolint DL3015", "trivy DS-0029"),
)

FLAG = "--no-install-recommends"
INSTALLS_NOTHING = ("-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act", "-d", "--download-only")
IMPORTANT_RE = lazy_compile(r"^(?:-o|--option=)?APT::AutoRemove::RecommendsImportant\s*=\s*(?:0|false|no|off)$", re.IGNORECASE)
OFF = r"[\"']?\s*(?:0|false|no|off)\b"
OPTION_RE = lazy_compile(r"APT::Install-Recommends\s*=\s*" + OFF, re.IGNORECASE)
CONFIG_RE = lazy_compile(r"APT::Install-Recommends\s*[\"']?\s*(?:=\s*)?" + OFF, re.IGNORECASE)


def check(dockerfile):
    writers = [run for run in dockerfile.of("RUN") if _writes_config(run)]  # once per file, not per RUN
    for instruction in dockerfile.of("RUN"):
        if earlier_in_lineage(dockerfile, instruction, writers):
            continue
        commands = instruction.script.commands
        offenders = []
        configured = False
        removed_later = None  # by index of an install, computed when first needed
        for index, command in enumerate(commands):
            action = tool_call(command)
            if action is None or action.name != "apt":
                if any("::" in word.text and CONFIG_RE.search(word.text) for word in command.words):
                    configured = True  # `echo 'APT::Install-Recommends "0";' > ...` earlier
                continue
            if action.verb != "install" or configured or _recommends_off(action, instruction.scope):
                continue
            if action.has(*INSTALLS_NOTHING):
                continue
            if removed_later is None:
                removed_later = _removed_later(commands)
            if removed_later[index]:
                continue
            offenders.append(action)
            if len(offenders) == 1:
                focus = instruction.script.span(command)
        if not offenders:
            continue
        script = instruction.script
        edits = [insert_option(script, action.word, FLAG) for action in offenders]
        fix = Fix(f"Insert `{FLAG}` after `install`", tuple(edits), safe=False) if all(edits) else None
        first = offenders[0]
        yield Violation(
            instruction,
            "apt also installs the recommended packages",
            f"write `{spell(dockerfile.text, script, first.words, first.index, FLAG)}`",
            fix=fix,
            savings_bytes=_saving(offenders),
            focus=focus,
        )


def _saving(offenders) -> int | None:
    """The measured recommendations of the packages installed (Debian 12), when every one of
    them has a figure; None otherwise (the size depends on the packages)."""
    total = 0
    for action in offenders:
        for word in action.packages:
            bytes_ = figure("apt-recommends:" + package_name(word.text))
            if bytes_ is None:
                return None
            total += bytes_
    return total


def _purges_recommends(command) -> bool:
    """`apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false`: the
    recommended packages installed earlier in the RUN are removed in the same layer."""
    action = tool_call(command)
    if action is None or action.name != "apt":
        return False
    if action.action != "autoremove" and not (action.action == "remove" and action.has("--auto-remove", "--autoremove")):
        return False
    return any(IMPORTANT_RE.search(word.text) for word in action.words[1:])


def _removed_later(commands) -> dict[int, bool]:
    """For each apt install of the RUN, by index: whether a later command removes its
    recommendations: one that `_purges_recommends`, or every package of the install is
    purged again later with its unneeded dependencies (`apt-get purge -y --auto-remove
    curl`, or a purge then `apt-get autoremove`). One pass from the last command back:
    asking the rest of the RUN for every install was quadratic in the installs of a RUN."""
    found: dict[int, bool] = {}
    purges, autoremoved, purged = False, False, set()
    for index in range(len(commands) - 1, -1, -1):
        action = tool_call(commands[index])
        if action is None or action.name != "apt":
            continue
        if action.verb == "install":
            found[index] = purges or (autoremoved and _all_purged(action, purged))
        purges = purges or _purges_recommends(commands[index])
        if action.action == "autoremove":
            autoremoved = True
        elif action.action == "remove":
            purged |= {package_name(word.text) for word in action.packages}
            autoremoved |= action.has("--auto-remove", "--autoremove")
    return found


def _all_purged(action, purged: set[str]) -> bool:
    installed = {package_name(word.text) for word in action.packages}
    return bool(installed) and installed <= purged


def _recommends_off(action, scope) -> bool:
    words = action.words[1:]
    if action.has(FLAG):
        return True
    if any("$" in w.text and FLAG in expand(w.text, scope).split() for w in words):
        return True  # `apt-get install $APT_OPTIONS curl` with `ARG APT_OPTIONS=--no-install-recommends`
    if action.program == "aptitude" and action.has("-R", "--without-recommends"):
        return True
    return any(OPTION_RE.search(value) for value in action.values("-o", "--option"))


def _writes_config(instruction) -> bool:
    """Whether a RUN writes `APT::Install-Recommends "0";` somewhere (an `echo`, a heredoc
    file), as opposed to passing it to one apt command with `-o`."""
    # (every match holds `::`: a substring test first spares a regex search per word)
    for command in instruction.script.commands:
        if tool_call(command) is None and any("::" in word.text and CONFIG_RE.search(word.text) for word in command.words):
            return True
    for heredoc in instruction.heredocs:
        for line in heredoc.body.splitlines():
            if "::" in line and CONFIG_RE.search(line) and "apt" not in line.split("APT::", 1)[0]:
                return True
    return False
