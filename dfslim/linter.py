"""Run rules over a parsed Dockerfile and turn their violations into findings (pure)."""


from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from dfslim.api import Edit, Fix, Severity, Violation
from dfslim.graph import build_graph
from dfslim.model import Dockerfile
from dfslim.registry import Rule, all_rules
from dfslim.suppress import suppressions


class RuleFailure(Exception):
    """A rule's check raised: a bug in that rule (or a plugin), reported as the file's
    one-line error instead of a traceback."""

    def __init__(self, rule_id: str, error: Exception):
        super().__init__(f"internal error in rule {rule_id} ({type(error).__name__}: {error}); please report it")
        self.rule_id = rule_id


class PositionedEdit(NamedTuple):
    edit: Edit
    line: int
    column: int
    end_line: int
    end_column: int


class Finding(NamedTuple):
    rule: str
    name: str
    category: str
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    stage: str | None
    message: str
    suggestion: str
    fix: Fix | None
    edits: tuple[PositionedEdit, ...]
    savings_bytes: int | None
    excerpt: str = ""  # the instruction's first line, for text output
    fingerprint_text: str = ""  # the whole instruction, normalized and masked, for stable fingerprints
    secrets: "tuple[Secret, ...]" = ()  # secrets in the file: outputs show them only through redact()
    targets: tuple[str, ...] = ()  # the build targets whose image holds the finding's stage
    # (line, column, end_line, end_column) of the command or word that triggered it; the
    # instruction itself when it is one line long
    focus: tuple[int, int, int, int] | None = None
    snippet: tuple[int, str] = (0, "")  # the focus's first line: its number and masked text

    def redact(self, text: str) -> str:
        """`text` (a fix's replacement) with the file's secrets masked where it quotes them."""
        return _redact(text, self.secrets)

    @property
    def sort_key(self):
        return (self.path, self.line, self.column, self.rule)


def lint(
    dockerfile: Dockerfile,
    rules: Iterable[Rule],
    severities: Mapping[str, Severity] | None = None,
) -> list[Finding]:
    """Findings of `rules` on `dockerfile`, suppressions applied, sorted."""
    severities = severities or {}
    rule_keys, hadolint, buildkit = _rule_keys()
    suppressed = suppressions(dockerfile, rule_keys, hadolint, buildkit)
    masking = _masking(dockerfile.text, _secret_spans(dockerfile))
    graph = build_graph(dockerfile)
    last = dockerfile.final_stage
    findings: list[Finding] = []
    for rule in rules:
        seen: set[int] = set()
        for violation in _violations(rule, dockerfile):
            instruction = violation.instruction
            if instruction.index in seen:
                continue  # two hits of one rule in one instruction are one finding
            stage = dockerfile.stage_of(instruction)
            if rule.meta.scope == "final" and stage is not None and not graph.ships(stage):
                continue
            if suppressed.silences(rule.id, instruction.line):
                continue
            seen.add(instruction.index)
            finding = _finding(dockerfile, rule, violation, severities, masking)
            findings.append(_placed(dockerfile, graph, last, finding, violation, masking))
    findings.sort(key=lambda finding: finding.sort_key)
    return findings


def _violations(rule: Rule, dockerfile: Dockerfile) -> list[Violation]:
    try:
        return list(rule.check(dockerfile) or ())
    except Exception as error:
        raise RuleFailure(rule.id, error) from error


def _secret_spans(dockerfile: Dockerfile) -> tuple[tuple[int, int], ...]:
    """Where the file holds secrets, by every rule that knows how to find them (a rule
    module's `secret_spans`), selected or not: no output may show a secret."""
    spans: set[tuple[int, int]] = set()
    for rule in all_rules():
        if rule.secret_spans is not None:
            spans.update(rule.secret_spans(dockerfile))
    return tuple(sorted(spans))


class _Masking(NamedTuple):
    """What every finding of a file needs of its secrets, computed once per file (20,000
    RUNs gave 80,000 findings): the sorted spans, the same as a set, the secrets they
    hold, the largest end of each prefix of the spans (to find the few that reach an
    instruction), and each instruction's excerpt and fingerprint text under them."""

    spans: tuple[tuple[int, int], ...]
    span_set: frozenset[tuple[int, int]]
    secrets: "tuple[Secret, ...]"
    reach: list[int]
    shown: dict[int, tuple[str, str]]


def _masking(text: str, spans: tuple[tuple[int, int], ...]) -> _Masking:
    reach, far = [], -1
    for _start, end in spans:
        far = max(far, end)
        reach.append(far)
    return _Masking(spans, frozenset(spans), _secrets(text, spans), reach, {})


class Secret(NamedTuple):
    """A secret as the file holds it: its text and the characters it is glued to there,
    before and after (quotes skipped; "" where a word ends), and for a secret that is a
    word of its own, the word before it. An output quotes the secret where it holds the
    text glued the same way: `app:pass` quotes the secret `pass` of `echo 'app:pass' |
    chpasswd`, "password" does not; `-p gitpod` quotes the secret of `useradd -p gitpod
    gitpod`, `USER gitpod` does not."""

    text: str
    before: str
    after: str
    word_before: str = ""


# looked through to find the glue: quotes and the backslash that may escape one
_SKIPPED = "\"'\\"
# what may follow or precede a quote of a secret that stood alone in the file
_EDGES = frozenset(["", "`", ",", ";", "|", "&", "(", ")", "<", ">", ".", "[", "]"])


def _secrets(text: str, mask) -> tuple[Secret, ...]:
    found = {Secret(text[s:e], _glue(text, s - 1, -1), _glue(text, e, 1), _word_before(text, s)) for s, e in mask if e > s}
    return tuple(sorted(found, key=lambda secret: len(secret.text), reverse=True))


def _word_before(text: str, start: int) -> str:
    """The word before the one that starts at `start` (past its quotes), when whitespace
    separates them; "" when none does."""
    index = _skip_quotes(text, start - 1)
    if index < 0 or not text[index].isspace():
        return ""
    return _previous_word(text, index)


def _skip_quotes(text: str, index: int) -> int:
    for _ in range(3):
        if index < 0 or text[index] not in _SKIPPED:
            break
        index -= 1
    return index


def _previous_word(text: str, index: int) -> str:
    """The word that ends before the whitespace at `index`, quotes dropped; a line
    continuation's escape is passed over (a quote of the instruction joins its lines).
    Looks at most 1,000 characters back and keeps a word's last 200."""
    stop = max(index - 1000, 0)
    while True:
        while index >= stop and text[index].isspace():
            index -= 1
        end = index + 1
        while index >= stop and not text[index].isspace() and end - index <= 200:
            index -= 1
        word = text[index + 1 : end]
        if word not in ("\\", "`") or index < stop:
            return word.strip("\"'")


def _glue(text: str, index: int, step: int) -> str:
    """The character at `index`, or past up to three quotes from it in direction `step`:
    "" at whitespace or the end of `text`."""
    for _ in range(3):
        if not 0 <= index < len(text):
            return ""
        char = text[index]
        if char not in _SKIPPED:
            return "" if char.isspace() else char
        index += step
    return ""


def _near(mask, reach, low: int, high: int):
    """The spans of the sorted `mask` that may touch `[low, high)`, in order: those starting
    before `high` whose prefix reaches past `low` (all that do, and few others)."""
    before = bisect_left(mask, (high,))
    after = bisect_right(reach, low, 0, before)
    return mask[after:before]


def _finding(dockerfile: Dockerfile, rule: Rule, violation: Violation, severities, masking: _Masking) -> Finding:
    instruction = violation.instruction
    if not masking.span_set.issuperset(violation.mask):  # spans of its own: nothing of the file's to reuse
        masking = _masking(dockerfile.text, tuple(sorted(masking.span_set.union(violation.mask))))
    secrets = masking.secrets
    # a rule that finds secrets words its messages without them (`AKIA****`); others may quote them
    quoted = () if rule.secret_spans is not None else secrets
    texts = masking.shown.get(instruction.index)
    if texts is None:
        texts = masking.shown[instruction.index] = _shown(dockerfile, instruction, masking.spans, masking.reach)
    stage = dockerfile.stage_of(instruction)
    severity = severities.get(rule.id) or violation.severity or rule.meta.severity
    edits = ()
    if violation.fix is not None:
        edits = tuple(_positioned(dockerfile, edit) for edit in violation.fix.edits)
    return Finding(
        rule=rule.id,
        name=rule.name,
        category=rule.meta.category,
        severity=severity,
        path=dockerfile.path,
        line=instruction.line,
        column=instruction.column,
        end_line=instruction.end_line,
        end_column=instruction.end_column,
        stage=stage.label if stage else None,
        message=_redact(violation.message, quoted),
        suggestion=_redact(violation.suggestion, quoted),
        fix=violation.fix,
        edits=edits,
        savings_bytes=violation.savings_bytes,
        excerpt=texts[0],
        fingerprint_text=texts[1],
        secrets=secrets,
    )


def _placed(dockerfile: Dockerfile, graph, last, finding: Finding, violation: Violation, masking: _Masking) -> Finding:
    """`finding` with its targets (named in the message when the image is not the one a
    plain `docker build` makes), its focus and the focus line as its snippet."""
    instruction = violation.instruction
    targets = violation.targets if violation.targets is not None else graph.targets_of(dockerfile.stage_of(instruction))
    message = finding.message
    if targets and last not in targets:
        labels = ", ".join(target.label for target in targets)
        message += f" (in target{'s' if len(targets) > 1 else ''} {labels})"
    focus = (instruction.line, instruction.column, instruction.end_line, instruction.end_column)
    snippet = (instruction.line, finding.excerpt)
    if instruction.end_line > instruction.line and violation.focus is not None:
        start, end = violation.focus
        if instruction.start <= start < end <= instruction.end:
            focus = (*dockerfile.position(start), *dockerfile.position(end))
            line_start = dockerfile.line_starts[focus[0] - 1]
            line_end = dockerfile.text.find("\n", line_start)
            line_end = len(dockerfile.text) if line_end < 0 else line_end
            near = _near(masking.spans, masking.reach, line_start, line_end + 1)
            snippet = (focus[0], _excerpt(dockerfile.text, line_start, near))
    return finding._replace(message=message, targets=tuple(t.label for t in targets), focus=focus, snippet=snippet)


def _shown(dockerfile: Dockerfile, instruction, mask, reach) -> tuple[str, str]:
    """The excerpt and fingerprint text of `instruction` under the sorted `mask`."""
    line_end = dockerfile.text.find("\n", instruction.start)
    high = max(instruction.end, len(dockerfile.text) if line_end < 0 else line_end) + 1
    near = _near(mask, reach, instruction.start, high)
    return _excerpt(dockerfile.text, instruction.start, near), _fingerprint_text(dockerfile, instruction, near)


def _redact(text: str, secrets: tuple[Secret, ...]) -> str:
    """`text` (a message, suggestion or fix) with each secret masked where it quotes the
    file, not wherever its letters occur. Rules build their own words without secrets;
    this catches the source they quote (a command, a URL)."""
    for secret in secrets:
        if secret.text in text:
            text = _redact_quotes(text, secret)
    return text


def _redact_quotes(text: str, secret: Secret) -> str:
    parts, at = [], 0
    index = text.find(secret.text)
    while index >= 0:
        end = index + len(secret.text)
        if (
            _glued(text, index - 1, -1, secret.before)
            and _glued(text, end, 1, secret.after)
            and (not secret.word_before or _word_before(text, index) in ("", secret.word_before))
        ):
            parts += [text[at:index], mask_secret(secret.text)]
            at = end
            index = text.find(secret.text, end)
        else:
            index = text.find(secret.text, index + 1)
    parts.append(text[at:])
    return "".join(parts)


def _glued(text: str, index: int, step: int, glue: str) -> bool:
    """Whether `text` is glued at `index` as the file was: to the same character, or, where
    the secret stood alone, to whitespace, an end or punctuation (`` ` ``, `,`, `)` ...)."""
    found = _glue(text, index, step)
    return found == glue if glue else found in _EDGES


def _excerpt(text: str, start: int, mask) -> str:
    """The first line of the instruction, with masked ranges shown as `****`."""
    end = text.find("\n", start)
    end = end if end >= 0 else len(text)
    line = text[start:end].rstrip("\r")
    return _masked(line, start, end, mask, mask_secret)


def _masked(line: str, start: int, end: int, mask, replace) -> str:
    """`line` (the text from `start`, up to `end` at most) with each range of `mask` in
    `[start, end)` replaced by `replace(part)`, from the last range to the first."""
    if not mask:
        return line
    cuts = []
    for mask_start, mask_end in sorted(mask):
        low, high = max(mask_start, start) - start, min(mask_end, end) - start
        if low < high:
            cuts.append((low, high))
    separate = all(high <= low for (_, high), (low, _) in zip(cuts, cuts[1:]))
    if not separate or (cuts and cuts[-1][1] > len(line)):
        # overlapping ranges, or one past the line: each replacement moves the next one
        for low, high in reversed(cuts):
            line = line[:low] + replace(line[low:high]) + line[high:]
        return line
    # one join, not a copy of the whole line per range: an ENV can hold 100,000 secrets
    parts, at = [], 0
    for low, high in cuts:
        parts += [line[at:low], replace(line[low:high])]
        at = high
    parts.append(line[at:])
    return "".join(parts)


def _fingerprint_text(dockerfile: Dockerfile, instruction, mask) -> str:
    """The instruction's source with masked ranges as `****`, comment lines and line
    continuations dropped and whitespace collapsed: what stays the same when lines are
    added elsewhere or the instruction is re-indented."""
    start, end = instruction.start, instruction.end
    text = _masked(dockerfile.text[start:end], start, end, mask, lambda _secret: "****")
    lines = [line.strip() for line in text.splitlines()]
    kept = lines[:1] + [line for line in lines[1:] if not line.startswith("#")]
    return " ".join(" ".join(line.removesuffix(dockerfile.escape) for line in kept).split())


def mask_secret(secret: str) -> str:
    """Keep a hint of a secret without revealing it: `AKIA****`."""
    keep = min(4, len(secret) // 4)
    return secret[:keep] + "****"


def _positioned(dockerfile: Dockerfile, edit: Edit) -> PositionedEdit:
    line, column = dockerfile.position(edit.start)
    end_line, end_column = dockerfile.position(edit.end)
    return PositionedEdit(edit, line, column, end_line, end_column)


_KEYS: tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]] | None = None


def _rule_keys() -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    """Rule ids by lower-case id and name, by hadolint code, by lower-case BuildKit check."""
    global _KEYS
    if _KEYS is None:
        keys: dict[str, str] = {}
        hadolint: dict[str, list[str]] = {}
        buildkit: dict[str, list[str]] = {}
        for rule in all_rules():
            keys[rule.id.lower()] = rule.id
            keys[rule.name] = rule.id
            for code in rule.meta.hadolint_codes:
                hadolint.setdefault(code, []).append(rule.id)
            for check in rule.meta.buildkit_checks:
                buildkit.setdefault(check.lower(), []).append(rule.id)
        _KEYS = (keys, hadolint, buildkit)
    return _KEYS
