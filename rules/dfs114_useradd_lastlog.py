"""`useradd` with a large uid and without `-l` writes a huge sparse `/var/log/lastlog`.

## What it does
Flags a `RUN` whose `useradd` gives a uid above 65535 (`-u 100000`, `-u100000`,
`--uid 100000`, `--uid=100000`, or a variable whose `ARG`/`ENV` value is such a uid) and
does not pass `-l`/`--no-log-init`.

## Why is this bad?
`useradd` records the new user in `/var/log/lastlog` (and `faillog`), files indexed by
uid: a user with uid 1000000 makes them about 300 MB of zeros. On the build host the file
is sparse, but layer tarballs do not keep holes, so the image grows by that much. `-l`
(`--no-log-init`) skips the entries; a container never needs them.

## Example
    RUN useradd -u 1000001 -m app

## Use instead
    RUN useradd -l -u 1000001 -m app

## Fix
Safe: inserts `-l` right after `useradd`.

## Scope
Every stage: the file also slows down builder stages. A uid given by a variable whose
value is not known (a build argument without default, `$(id -u)`) is not flagged.

## Savings
It depends on the base image's release. Since shadow 4.13 (shadow-maint/shadow#558,
2022), `useradd` writes no record for a user who has none, so no file grows: on Debian
bookworm and trixie (shadow 4.13 and 4.17, from the `passwd` version of the package
index) the build harness measured the same layer with and without `-l`. There the
finding still fires, as the catalog has it (the line is the same on any base, and
hadolint's DL3046 fires too), but as `info` with a saving of 0 and a message saying so:
severity `warning` is for real waste. On an older release (Debian bullseye, shadow 4.8)
the saving is the measured bytes per uid (lastlog and faillog: 324 B per uid on
bullseye) times the largest uid plus one: about 32 MB for uid 100000. Unknown (null)
for other bases (Ubuntu, Red Hat, an image dfslim has no release for).
"""

from dfslim.api import Edit, Fix, Meta, Severity, Violation, debian_release, expand, lastlog_writes, spell, unwrap
from dfslim.savings import ratio
from dfslim.units import megabytes

META = Meta(
    id="DFS114",
    name="useradd-lastlog",
    category="size",
    severity=Severity.WARNING,
    scope="all",
    fix="safe",
    others=("hadolint DL3046",),
)

LIMIT = 65535
# short options of useradd that take a value (the value may be glued: `-u1000`)
VALUE_SHORT = set("bcdefgGkKpsuRPZ")
VALUE_LONG = {
    "--base-dir", "--comment", "--home-dir", "--expiredate", "--inactive", "--gid", "--groups",
    "--skel", "--key", "--password", "--shell", "--uid", "--root", "--prefix", "--selinux-user",
    "--btrfs-subvolume-home",
}


def _options(words):
    """(has -l, uid text or None) of a useradd argv."""
    no_log = False
    uid = None
    index = 1
    while index < len(words):
        text = words[index].text
        index += 1
        if text == "--":
            break
        if text.startswith("--"):
            name, equals, value = text.partition("=")
            if name == "--no-log-init":
                no_log = True
            elif name in VALUE_LONG:
                if not equals and index < len(words):
                    value = words[index].text
                    index += 1
                if name == "--uid":
                    uid = value
        elif text.startswith("-") and len(text) > 1:
            for position in range(1, len(text)):
                char = text[position]
                if char == "l":
                    no_log = True
                elif char in VALUE_SHORT:
                    value = text[position + 1 :]
                    if not value and index < len(words):
                        value = words[index].text
                        index += 1
                    if char == "u":
                        uid = value
                    break
    return no_log, uid


def _uid(text, scope):
    value = expand(text, scope).strip()
    return int(value) if value.isdigit() else None


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        script = instruction.script
        edits, spelled, focus, largest = [], [], None, 0
        for command in script.commands:
            words = unwrap(command)
            if not words or words[0].text.rsplit("/", 1)[-1] != "useradd":
                continue
            no_log, uid = _options(words)
            if no_log or uid is None:
                continue
            number = _uid(uid, instruction.scope)
            if number is None or number <= LIMIT:
                continue
            largest = max(largest, number)
            spelled.append(spell(dockerfile.text, script, words, after=0, option="-l"))
            focus = focus or script.span(command)
            if script.shell_form:
                edits.append(Edit(words[0].end, words[0].end, " -l"))
        if not spelled:
            continue
        fix = Fix("Add `-l` (`--no-log-init`) to `useradd`", tuple(edits)) if edits else None
        suggestion = "add `-l` so no lastlog entry is written: `" + "` / `".join(spelled) + "`"
        writes = lastlog_writes(dockerfile, instruction)
        if writes is False:
            elsewhere = ratio("lastlog:per-uid:debian:bullseye")
            older = f" fills `/var/log/lastlog` with {megabytes(round(elsewhere * (largest + 1)))} of zeros" if elsewhere else " writes a huge `/var/log/lastlog`"
            yield Violation(
                instruction,
                "`useradd` with a uid above 65535 and without `-l`: this base's useradd (shadow 4.13 or later) "
                f"writes no lastlog entry, so nothing is wasted here, but on an older base (Debian bullseye) the same line{older}",
                suggestion,
                fix=fix,
                savings_bytes=0,
                severity=Severity.INFO,
                focus=focus,
            )
            continue
        yield Violation(
            instruction,
            "`useradd` with a uid above 65535 and without `-l` fills `/var/log/lastlog` with zeros",
            suggestion,
            fix=fix,
            savings_bytes=_saving(dockerfile, instruction, largest) if writes else None,
            focus=focus,
        )


def _saving(dockerfile, instruction, uid):
    """The measured bytes per uid of the release (lastlog and faillog), else glibc's
    lastlog record alone (292 bytes), times the records up to `uid`."""
    per_uid = ratio(f"lastlog:per-uid:debian:{debian_release(dockerfile, instruction)}") or ratio("lastlog:per-uid")
    return round(per_uid * (uid + 1)) if per_uid else None
