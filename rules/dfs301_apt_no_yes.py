"""A package install that waits for a "Do you want to continue?" answer.

## What it does
Flags a `RUN` with `apt-get install` (also `apt install`, `aptitude install`) without
`-y`/`--yes`/`--assume-yes`/`-qq`, and `yum`/`dnf install` (also `groupinstall`,
`localinstall`, `reinstall`, `group install`) without `-y`/`--assumeyes`.

## Why is this bad?
When an install pulls in more packages than those named, apt, yum and dnf ask for
confirmation. A build has no terminal: the question is answered with end-of-file, the tool
prints `Abort.` and the build fails, or breaks later when another package or dependency
appears. `DEBIAN_FRONTEND=noninteractive` does not answer this question: it only silences
debconf's package configuration dialogs.

## Example
    RUN apt-get update && apt-get install --no-install-recommends curl
    RUN dnf install python3

## Use instead
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    RUN dnf install -y python3

## Fix
Safe: inserts ` -y` right after the word `install`.

## What counts as an answer
- `-y`, `--yes`, `--assume-yes`, `-qq` (quiet level 2 implies yes; `-q -q`, `-q=2` and
  `--quiet=2` too) and combined short flags containing `y` (`-yq`, `-qy`), before or after
  the subcommand; `-q` alone does not. `--force-yes` does not answer the question either.
- `-o APT::Get::Assume-Yes=true` (apt) and `--setopt=assumeyes=1` (yum/dnf).
- An apt configuration written earlier in the same `RUN` or in an earlier `RUN` of the
  stage (or of a stage it is built `FROM`) that sets `APT::Get::Assume-Yes`; likewise
  `assumeyes=1` written to the yum/dnf configuration.
- Input piped into the install (`yes | apt-get install ...`).
- `apt-get install -s`/`--simulate`/`--dry-run` installs nothing and asks nothing.

## Not covered
`microdnf install`: microdnf answers yes by default on RHEL/UBI 8 and later keeps that
default for compatibility (`assumeyes=0` in `dnf.conf` turns the question on), so it is
not flagged. Some distributions configure it differently (Oracle Linux 9's microdnf asks),
so adding `-y` to `microdnf install` is still good practice. `zypper` uses `-n`, which
this rule does not check.
"""

import re

from dfslim.api import Edit, Fix, Meta, Severity, Violation, spell, tool_call
from dfslim.regex import lazy_compile
from dfslim.tools import rpm

META = Meta(
    id="DFS301",
    name="apt-no-yes",
    category="correctness",
    severity=Severity.ERROR,
    scope="all",
    fix="safe",
    others=("hadolint DL3014/DL3030/DL3038",),
)

RPM = frozenset({"yum", "dnf", "dnf5", "dnf-3"})  # the rpm programs this rule checks
APT_SIMULATE = ("-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act")
TRUE_VALUES = ("1", "true", "yes", "on")
APT_YES_CONFIG = lazy_compile(r"APT::Get::Assume-?Yes\b[\s\"'=]*(?:\"|')?(?:true|1|yes|on)", re.IGNORECASE)
RPM_YES_CONFIG = lazy_compile(r"(?<![\w.])assumeyes\s*=\s*(?:1|true|yes|on)\b", re.IGNORECASE)


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        script = instruction.script
        edits, shown = [], []
        for number, command in enumerate(script.commands):
            call = tool_call(command)
            if call is None or (command.piped_from and command.name != "xargs"):
                continue  # `yes | apt-get install x`: the input answers
            words = call.words
            if call.name == "apt":
                if call.verb != "install" or _apt_answers(words):
                    continue
                if _configured(dockerfile, instruction, number, APT_YES_CONFIG, "apt.conf"):
                    continue
            elif call.program in RPM:
                if call.action != "install" or _rpm_answers(words):
                    continue
                if _configured(dockerfile, instruction, number, RPM_YES_CONFIG, ".conf"):
                    continue
            else:
                continue
            index = call.index + (1 if call.second else 0)  # after `install` in `dnf group install`
            word = words[index]
            edits.append(Edit(word.end, word.end, " -y"))
            if len(edits) == 1:
                focus = instruction.script.span(command)
            shown.append(spell(dockerfile.text, script, words, after=index, option="-y"))
        if not edits:
            continue
        fix = None
        if script.shell_form and instruction.exec_form is None:
            fix = Fix("Insert `-y` after `install`", tuple(edits))
        yield Violation(
            instruction,
            "install without `-y`: the build aborts at the confirmation prompt as soon as "
            "the install pulls in a package you did not name"
            if len(edits) == 1
            else f"{len(edits)} installs without `-y`: the build aborts at the confirmation prompt as soon as "
            "one pulls in a package you did not name",
            f"add `-y` after `install`: `{shown[0]}`",
            fix=fix,
            focus=focus,
        )


def _apt_answers(words) -> bool:
    quiet = 0
    index = 1
    while index < len(words):
        text = words[index].text
        index += 1
        if text == "--":
            break
        if text in ("--yes", "--assume-yes") or text.startswith(("--yes=", "--assume-yes=")):
            if text.partition("=")[2].lower() in ("", *TRUE_VALUES):
                return True
            continue
        if text in APT_SIMULATE:
            return True
        if text in ("-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release"):
            value = words[index].text if index < len(words) else ""
            index += 1
            if text in ("-o", "--option") and _assume_yes(value):
                return True
            continue
        if text.startswith("--option="):
            if _assume_yes(text[len("--option="):]):
                return True
            continue
        if text.startswith("--quiet"):
            quiet += int(text[len("--quiet="):]) if text[len("--quiet="):].isdigit() else 1
            continue
        if text.startswith("-") and not text.startswith("--") and len(text) > 1:
            if text[1] in "oct":  # `-oAPT::Get::Assume-Yes=1`: a value, not flags
                if text[1] == "o" and _assume_yes(text[2:]):
                    return True
                continue
            if text.startswith("-q="):
                quiet += int(text[3:]) if text[3:].isdigit() else 1
                continue
            letters = text[1:]
            if "y" in letters or "s" in letters:
                return True
            quiet += letters.count("q")
    return quiet >= 2


def _assume_yes(option: str) -> bool:
    key, _, value = option.partition("=")
    return key.strip().lower() in ("apt::get::assume-yes", "apt::get::assumeyes") and value.strip().strip("\"'").lower() in TRUE_VALUES


def _rpm_answers(words) -> bool:
    index = 1
    while index < len(words):
        text = words[index].text
        index += 1
        if text == "--":
            break
        if text in ("--assumeyes", "--yes"):
            return True
        if text == "--setopt":
            value = words[index].text if index < len(words) else ""
            index += 1
            if RPM_YES_CONFIG.match(value):
                return True
            continue
        if text.startswith("--setopt="):
            if RPM_YES_CONFIG.match(text[len("--setopt="):]):
                return True
            continue
        if text in rpm.VALUE_OPTIONS:
            index += 1
            continue
        if text.startswith("-") and not text.startswith("--") and "y" in text[1:]:
            return True
    return False


def _configured(dockerfile, instruction, number, pattern, where) -> bool:
    """Whether an earlier RUN of the stage lineage, or an earlier command of this RUN,
    writes a configuration file (its path contains `where`) that answers yes."""
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return False
    for ancestor in dockerfile.lineage(stage):
        for earlier in ancestor.instructions:
            if earlier is instruction:
                break
            if earlier.keyword == "RUN":
                text = dockerfile.text[earlier.start : earlier.end]
                if where in text and pattern.search(text):
                    return True
    commands = instruction.script.commands
    if number > 0:
        before = dockerfile.text[commands[0].start : commands[number].start]
        if where in before and pattern.search(before):
            return True
    return False
