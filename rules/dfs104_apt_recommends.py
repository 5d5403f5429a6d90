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
What the recommended packages add on top of what the stage already has, from the Debian
package index (`dfslim.packages`: Installed-Size, Depends, Recommends): the recommends
closure of every package the `RUN`'s apt installs ask for, less the packages of the base
image (`debian:*`, `python:*-slim`, `node:*-slim`, on the release its tag names or
resolves to) and what earlier installs of the stage added, so a package recommended by
two installs of one stage counts once (in the first). The layer is priced as the build
writes it: on a `-slim` image without the documentation its dpkg leaves out, with the
certificate bundle that configuring `ca-certificates` writes, and with the debconf
database that a package asking debconf has rewritten (about 1.5 MB on Debian 12). `curl`
recommends about 0.7 MB on `python:3.11-slim-bookworm`, which has `ca-certificates`,
4.2 MB on `debian:bookworm-slim` and 5.8 MB on `debian:bookworm` (builds measured by
`bench/measure/`). Where the table cannot answer (another base image, a package
from another repository), the figures per package of `dfslim/data/savings.json`
(`apt-recommends:<package>`, measured or computed on `debian:bookworm-slim`); unknown
(null) when one is missing.

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
    apt_recommends,
    insert_option,
    package_name,
    recommends_saving,
    spell_call,
    tool_call,
)
from dfslim.regex import lazy_compile

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
IMPORTANT_RE = lazy_compile(r"^(?:-o|--option=)?APT::AutoRemove::RecommendsImportant\s*=\s*(?:0|false|no|off)$", re.IGNORECASE)


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        brings = [index for index, recommends in apt_recommends(dockerfile, instruction).items() if recommends]
        if not brings:
            continue
        commands = instruction.script.commands
        removed_later = _removed_later(commands)
        offenders = [index for index in brings if not removed_later[index]]
        if not offenders:
            continue
        script = instruction.script
        calls = [tool_call(commands[index]) for index in offenders]
        edits = [insert_option(script, call.word, FLAG) for call in calls]
        fix = Fix(f"Insert `{FLAG}` after `install`", tuple(edits), safe=False) if all(edits) else None
        first = calls[0]
        yield Violation(
            instruction,
            "apt also installs the recommended packages",
            f"write `{spell_call(dockerfile.text, script, commands[offenders[0]], first, FLAG)}`",
            fix=fix,
            savings_bytes=recommends_saving(dockerfile, instruction, offenders),
            focus=script.span(commands[offenders[0]]),
        )


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
