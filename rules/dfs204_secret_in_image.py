"""A secret is written into the Dockerfile, and so into the image.

## What it does
Flags two things:

- an `ENV` or `ARG` whose name says it holds a secret (it contains `PASSWORD`, `PASSWD`,
  `SECRET`, `TOKEN`, `API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY` or `CREDENTIALS`, in any
  case) and that is given a literal value;
- any literal in any instruction (`ENV`, `ARG`, `LABEL`, `RUN`, `CMD`, `ADD`, ...,
  heredoc bodies included) that has the shape of a real credential: an AWS access key id
  (`AKIA...`/`ASIA...`), a GitHub token (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`,
  `github_pat_`), a PEM private key (`-----BEGIN ... PRIVATE KEY-----`), a Slack token
  (`xoxa-`, `xoxb-`, `xoxp-`, `xoxr-`, `xoxs-`), or a URL with a password in it
  (`https://user:password@host`, `postgres://app:secret@db/app`).

An `ARG` with a secret name and no default (or an empty or `$VAR`-only default) is a
finding of severity `info`: it holds no secret itself, but whatever is passed with
`--build-arg` is recorded in the image history.

## Why is this bad?
Everything in a Dockerfile ends up where anyone who can pull the image can read it: `ENV`
values in the image config (`docker inspect`), `ARG` values and `RUN` command lines in the
image history (`docker history`), files in the layers. Deleting the value in a later
instruction does not remove it from the earlier layer. The secret is also in your source
repository. A leaked key must be revoked, not just removed.

## Example
    ARG NPM_TOKEN=npm_0123456789abcdef
    ENV POSTGRES_PASSWORD=postgres
    RUN git clone https://deploy:hunter2@git.example.com/app.git

## Use instead
Pass secrets at build time with a secret mount, which never lands in a layer or the
history:

    # docker build --secret id=npm_token,env=NPM_TOKEN .
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci

and secrets the container needs at run time with `docker run -e POSTGRES_PASSWORD`, an
`--env-file`, or your orchestrator's secrets (Compose/Swarm/Kubernetes secrets).

## What is not a secret
- names ending in `_FILE`, `_PATH`, `_DIR`, `_URL` (and `_URI`, `_LOCATION`, `_FOLDER`):
  they hold where a secret is, not the secret (`POSTGRES_PASSWORD_FILE=/run/secrets/db`).
  A URL with a password is still a finding, whatever the name;
- names where the secret word is followed by a qualifier that makes the value a
  setting: `_LENGTH`, `_TTL`, `_TIMEOUT`, `_EXPIRY`, `_LIFETIME`, `_ENABLED`, `_HOST`,
  `_PORT`, `_USER`, `_NAME`, `_HEADER`, `_TYPE`, `_ALGORITHM`... (`PASSWORD_MIN_LENGTH=8`);
- NLP tokenizer settings (`TOKENIZERS_PARALLELISM`, `TIKTOKEN_CACHE_DIR`);
- values that are empty, only `$VAR`/`${VAR}` references, or have no letter or digit
  (`"_"`, a common "unset" marker);
- values that are booleans (`true`, `no`, `off`, ...), numbers (unless the name ends in
  the secret word: `PASSWORD=1234` is flagged, `SECRET_KEY_BASE_DUMMY=1` is not), paths
  (`/run/secrets/key.json`, `./creds`) or plain file names (`reset-password.sh`);
- template placeholders `<token>` and `{{ token }}`;
- AWS's documented example credentials (`AKIAIOSFODNN7EXAMPLE` and its secret key; any
  key id ending in `EXAMPLE` found by its format): they are valid nowhere.

Placeholders such as `changeme`, `password` or `dummy` *are* flagged: the image runs with
them whenever nobody overrides them.

Outputs never show the secret: messages name only the variable or the kind of credential
(`AKIA****`), and the excerpt of the line is masked.
"""

from __future__ import annotations

import bisect
import re

from dfslim.api import Meta, Severity, Violation, expand, unquote
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS204",
    name="secret-in-image",
    category="security",
    severity=Severity.ERROR,
    scope="all",
    fix=None,
    others=("hadolint DL3064", "BuildKit SecretsUsedInArgOrEnv", "trivy DS-0031"),
)

SECRET_WORDS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIALS")
# `TOKEN` inside these is about text tokenizers, not credentials
NOT_TOKEN_RE = lazy_compile(r"TIKTOKEN|(?:DE)?TOKENI[SZ]")
# a name ending in one of these holds where a secret is, or a setting about it
LOCATION_SUFFIXES = ("FILE", "FILES", "PATH", "DIR", "DIRECTORY", "FOLDER", "URL", "URI", "LOCATION")
SETTING_SUFFIXES = (
    "LENGTH", "LEN", "MIN", "MAX", "TTL", "TIMEOUT", "EXPIRY", "EXPIRE", "EXPIRES", "EXPIRATION",
    "LIFETIME", "AGE", "INTERVAL", "ENABLED", "DISABLED", "ENABLE", "DISABLE", "REQUIRED",
    "HOST", "HOSTNAME", "PORT", "ENDPOINT", "USER", "USERNAME", "NAME", "HEADER", "TYPE",
    "ALGORITHM", "MODE", "POLICY", "PROVIDER", "ISSUER", "AUDIENCE", "SCOPE", "SCOPES",
    "REGION", "VERSION", "FORMAT", "PREFIX", "HASHER", "HASHERS", "COMPLEXITY", "STRENGTH",
)
BOOLEANS = frozenset(
    "true false yes no on off y n enable enabled disable disabled none null nil".split()
)
NUMBER_RE = lazy_compile(r"[+-]?\d+(?:\.\d+)?")
PATH_RE = lazy_compile(r"(?:~|\.{1,2})?/\S*|[A-Za-z]:\\\S*")
FILE_NAME_RE = lazy_compile(
    r"[\w.-]+\.(?:sh|bash|ps1|py|rb|js|json|txt|ya?ml|xml|toml|ini|cfg|conf|env|properties|"
    r"pem|key|crt|cer|der|p12|pfx|jks|keystore|gpg|asc|pub|kdbx)",
    re.IGNORECASE,
)
AWS_SECRET_SHAPE_RE = lazy_compile(r"[A-Za-z0-9/+]{40}")
# AWS's documented example credentials: known to everyone, valid nowhere
AWS_EXAMPLES = frozenset({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
TEMPLATE_RE = lazy_compile(r"<[^<>]+>|\{\{.*\}\}|%[A-Z_]+%")


class _Everything(dict):
    """A scope in which every variable is known and empty (to strip references)."""

    def __contains__(self, key):
        return True

    def get(self, key, default=None):
        return ""


EVERYTHING_EMPTY = _Everything()

# ---------------------------------------------------------------- credential formats

FORMATS = (
    ("AWS access key id", lazy_compile(r"(?<![A-Za-z0-9+/])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])"), 4),
    ("GitHub token", lazy_compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}"), 11),
    ("GitHub token", lazy_compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}(?![A-Za-z0-9])"), 4),
    ("Slack token", lazy_compile(r"(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}"), 5),
)
PEM_RE = lazy_compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
PEM_END_RE = lazy_compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
KEY_MATERIAL_RE = lazy_compile(r"[A-Za-z0-9+/]{32,}")  # a header alone (a grep pattern) is no key
URL_PASSWORD_RE = lazy_compile(
    r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*)://([^\s/?#@:'\"`]*):([^\s/?#@'\"`]+)@(?=[\w\[$.-])"
)


def check(dockerfile):
    yield from dockerfile.memo(_violations)


def _violations(dockerfile) -> tuple:
    """Found once per file: the engine asks `secret_spans` (to mask every output) and
    `check` of the same file."""
    return tuple(_find(dockerfile))


def _find(dockerfile):
    for instruction in dockerfile.instructions:
        found = _formats(instruction)
        keyword, start = _inner(instruction)
        if keyword in ("ENV", "ARG"):
            found += _named(dockerfile, instruction, keyword, start)
        if not found:
            continue
        found = _distinct(found)
        errors = [hit for hit in found if hit[0] == "error"]
        hits = errors or found
        masks = tuple(sorted({span for hit in found for span in hit[3]}))
        yield Violation(
            instruction,
            _message(hits),
            hits[0][2],
            severity=Severity.ERROR if errors else Severity.INFO,
            mask=masks,
        )


def secret_spans(dockerfile) -> list[tuple[int, int]]:
    """Source ranges of every secret this rule finds in `dockerfile`: for an engine that
    masks secrets in all outputs, other rules' excerpts, messages and suggestions too."""
    spans: set[tuple[int, int]] = set()
    for violation in dockerfile.memo(_violations):
        spans.update(violation.mask)
    return sorted(spans)


def _distinct(hits):
    """Drop a hit whose secret overlaps an earlier one (a token that is also a URL's
    password is one secret).

    A hit has at most one span, so the kept spans never overlap one another: sorted,
    their ends ascend too, and the only kept span that can overlap `(a, b)` is the last
    one starting before `b` (one ENV can hold tens of thousands of secrets)."""
    kept, spans = [], []
    for hit in hits:
        if any(_overlaps(spans, a, b) for a, b in hit[3]):
            continue
        kept.append(hit)
        for span in hit[3]:
            bisect.insort(spans, span)
    return kept


def _overlaps(spans, a: int, b: int) -> bool:
    """Whether `(a, b)` overlaps one of the sorted, non-overlapping `spans` (`a < d and c < b`)."""
    before = bisect.bisect_left(spans, (b,))
    return before > 0 and spans[before - 1][1] > a


def _message(hits) -> str:
    first = hits[0][1]
    if len(hits) == 1:
        return first
    return f"{first} (and {len(hits) - 1} more secret{'s' if len(hits) > 2 else ''} in this instruction)"


def _inner(instruction):
    """The keyword and where its arguments start in `value`, looking through ONBUILD."""
    if instruction.keyword != "ONBUILD":
        return instruction.keyword, instruction.args_index
    match = re.match(r"\s*(\S+)\s*", instruction.value[instruction.args_index :])
    if not match:
        return "", 0
    return match.group(1).upper(), instruction.args_index + match.end()


# ---------------------------------------------------------------- named variables


def secret_name(name: str) -> bool:
    """Whether an ENV/ARG name says the variable holds a secret value."""
    upper = name.upper()
    if "TOKEN" in upper:
        upper_for_words = NOT_TOKEN_RE.sub("", upper)
    else:
        upper_for_words = upper
    if not any(word in upper_for_words for word in SECRET_WORDS):
        return False
    if not upper.endswith(LOCATION_SUFFIXES + SETTING_SUFFIXES):
        return True  # what most names are: no suffix to look at one by one
    for suffix in LOCATION_SUFFIXES + SETTING_SUFFIXES:
        if upper.endswith(suffix) and len(upper) > len(suffix):
            head = upper[: -len(suffix)]
            if head.endswith(("_", "-", ".")) or head.endswith(SECRET_WORDS + ("KEY", "PASS")):
                return False
    return True


def _ends_with_secret_word(name: str) -> bool:
    upper = name.upper().rstrip("0123456789_")
    return upper.endswith(SECRET_WORDS + ("KEY", "PASS", "PWD"))


def literal_secret(name: str, value: str) -> bool:
    """Whether `value` (unquoted) is a literal that may be a real secret."""
    literal = expand(value, EVERYTHING_EMPTY).strip()
    if not any(char.isalnum() for char in literal):
        return False  # empty, only references, or an "unset" marker such as "_"
    if literal.lower() in BOOLEANS:
        return False
    if NUMBER_RE.fullmatch(literal):
        return _ends_with_secret_word(name)
    if PATH_RE.fullmatch(literal) and not AWS_SECRET_SHAPE_RE.fullmatch(literal):
        return False
    if FILE_NAME_RE.fullmatch(literal):
        return False
    if TEMPLATE_RE.fullmatch(literal) or literal in AWS_EXAMPLES:
        return False
    return True


def _named(dockerfile, instruction, keyword, start):
    escape = dockerfile.escape
    hits = []
    for name, raw, value_start, value_end in assignment_spans(keyword, instruction.value, start, escape):
        if not secret_name(name):
            continue
        value = None if raw is None else unquote(raw, escape)
        if value is not None and literal_secret(name, value):
            low, high = _strip_quotes(instruction.value, value_start, value_end)
            span = (instruction.source_offset(low), instruction.source_offset(high - 1) + 1)
            suggestion = _named_suggestion(keyword, name, _user_of(dockerfile, instruction, name))
            hits.append(("error", _named_message(keyword, name), suggestion, (span,)))
        elif keyword == "ARG" and (value is None or _only_references(value)):
            message = (
                f"`ARG {name}` takes a secret: a value passed with `--build-arg {name}=...` "
                "is recorded in the image history"
            )
            suggestion = _named_suggestion(keyword, name, _user_of(dockerfile, instruction, name))
            copy = _env_copy(dockerfile, instruction, name)
            if copy is not None:
                message += f", and the `ENV` on line {copy.line} stores it in the image config"
                suggestion = (
                    f"give `{name}` to the container at run time (`docker run -e {name}`, "
                    f"orchestrator secrets) instead of the `ARG` and the `ENV` on line {copy.line}; "
                    f"if a build step needs it, " + suggestion[len("remove this ARG and ") :]
                )
            hits.append(("info", message, suggestion, ()))
    return hits


def _only_references(value: str) -> bool:
    return not any(char.isalnum() for char in expand(value, EVERYTHING_EMPTY))


def _named_message(keyword: str, name: str) -> str:
    if keyword == "ENV":
        return f"`ENV {name}` sets a secret to a literal value: it is stored in the image config"
    return f"`ARG {name}` has a literal secret as its default: it is recorded in the image history"


def _user_of(dockerfile, instruction, name: str):
    """The first later RUN of the same stage (any stage for a global ARG) that uses the
    variable, when it holds no secret of its own to echo."""
    for later in _later_users(dockerfile, instruction, name, "RUN"):
        if not _formats(later):
            return later
    return None


# `$NAME` or `${NAME` as `_uses` finds it, for a name made of these characters only
REFERENCE_RE = lazy_compile(r"\$\{?([A-Za-z0-9_]+)")
IDENTIFIER_RE = lazy_compile(r"[A-Za-z0-9_]+")


def _uses(name: str):
    return re.compile(r"\$\{?" + re.escape(name) + r"(?![A-Za-z0-9_])")


def _later_users(dockerfile, instruction, name: str, keyword: str):
    """The later RUNs (by RUN's whole value) or ENVs (by their arguments) of the same stage
    (any stage for a global ARG) that use the variable, in order."""
    instructions = dockerfile.instructions
    if IDENTIFIER_RE.fullmatch(name):
        positions = dockerfile.memo(_references).get((keyword, name), ())
        start = bisect.bisect_right(positions, instruction.index)
    else:  # not indexed: looked for the slow way
        used = _uses(name)
        positions = [
            position
            for position in range(instruction.index + 1, len(instructions))
            if instructions[position].keyword == keyword and used.search(_searched(instructions[position]))
        ]
        start = 0
    for position in positions[start:]:
        later = instructions[position]
        if instruction.stage < 0 or later.stage == instruction.stage:
            yield later


def _searched(instruction) -> str:
    return instruction.value if instruction.keyword == "RUN" else instruction.args


def _references(dockerfile) -> dict[tuple[str, str], list[int]]:
    """(keyword, name) -> positions of the RUNs and ENVs that use `$name`, in order: built
    in one pass, so that each secret ARG or ENV does not search every later instruction
    (a file of many secret ARGs was quadratic)."""
    table: dict[tuple[str, str], list[int]] = {}
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("RUN", "ENV"):
            continue
        names = dict.fromkeys(REFERENCE_RE.findall(_searched(instruction)))
        for name in names:
            table.setdefault((instruction.keyword, name), []).append(instruction.index)
    return table


MAX_ECHO = 80


def _env_copy(dockerfile, instruction, name: str):
    """A later ENV of the same stage (any stage for a global ARG) that copies the ARG."""
    return next(_later_users(dockerfile, instruction, name, "ENV"), None)


def _named_suggestion(keyword: str, name: str, user=None) -> str:
    secret_id = name.lower()
    command = "<command that needs it>"
    if user is not None and not user.heredocs:
        command = " ".join(user.value.split())
        if len(command) > MAX_ECHO:
            command = command[:MAX_ECHO].rstrip() + " ..."
    mount = (
        f"`RUN --mount=type=secret,id={secret_id},env={name} {command}`, "
        f"built with `docker build --secret id={secret_id},env={name} .`"
    )
    if keyword == "ENV":
        return (
            f"remove `{name}` from the image: give it at run time (`docker run -e {name}`, an "
            f"`--env-file`, or orchestrator secrets); if a build step needs it, use {mount}"
        )
    return f"remove this ARG and use a secret mount: {mount}"


def assignment_spans(keyword: str, value: str, start: int, escape: str = "\\"):
    """`(name, raw value or None, value start, value end)` of ENV/ARG assignments, with
    indices into `value`; mirrors `dfslim.parser.assignments`."""
    words = _words(value, start, escape)
    if not words:
        return []
    first_text, first_start, first_end = words[0]
    if keyword == "ENV" and "=" not in first_text:  # legacy `ENV NAME value with spaces`
        rest_start = first_end
        while rest_start < len(value) and value[rest_start].isspace():
            rest_start += 1
        rest_end = len(value.rstrip())
        raw = value[rest_start:rest_end] if rest_start < rest_end else ""
        return [(first_text, raw, rest_start, max(rest_end, rest_start))]
    spans = []
    for text, word_start, word_end in words:
        name, equals, raw = text.partition("=")
        if not name:
            continue
        if equals:
            spans.append((name, raw, word_start + len(name) + 1, word_end))
        else:
            spans.append((name, None, word_end, word_end))
    return spans


def _words(text: str, start: int, escape: str = "\\"):
    """Words of `text[start:]` split on unquoted whitespace: `(text, start, end)`;
    `escape` is the file's escape character (`\\`, or `` ` `` after `# escape=`)."""
    words = []
    index, length = start, len(text)
    while index < length:
        while index < length and text[index].isspace():
            index += 1
        if index >= length:
            break
        word_start, quote = index, None
        while index < length:
            char = text[index]
            if char == escape and quote != "'" and index + 1 < length:
                index += 2
                continue
            if quote:
                if char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char.isspace():
                break
            index += 1
        words.append((text[word_start:index], word_start, index))
    return words


def _strip_quotes(value: str, low: int, high: int) -> tuple[int, int]:
    if high - low >= 2 and value[low] in "\"'" and value[high - 1] == value[low]:
        return low + 1, high - 1
    return low, high


# ---------------------------------------------------------------- credential formats


def _texts(instruction):
    """`(text, to_source)` pieces to scan: the value, then each heredoc body."""
    yield instruction.value, instruction.source_offset
    for heredoc in instruction.heredocs:
        yield heredoc.body, (lambda index, base=heredoc.body_start: base + index)


def _formats(instruction):
    hits = []
    for text, to_source in _texts(instruction):
        for kind, pattern, keep in FORMATS:
            for match in pattern.finditer(text):
                secret = match.group(0)
                if kind == "AWS access key id" and secret.endswith("EXAMPLE"):
                    continue  # AWS's documented example key
                span = _span(to_source, match.start(), match.end())
                shown = secret[:keep] + "****"
                article = "an" if kind[0] in "AEIOU" else "a"
                hits.append(("error", f"{article} {kind} (`{shown}`) is written into the image", _format_suggestion(kind), (span,)))
        for match in PEM_RE.finditer(text):
            end = PEM_END_RE.search(text, match.end())
            body = text[match.end() : end.start() if end else match.end() + 400]
            if not KEY_MATERIAL_RE.search(body):
                continue
            span = _span(to_source, match.start(), end.end() if end else len(text))
            hits.append((
                "error",
                "a PEM private key is written into the image",
                "revoke this key and mount it at build time instead: "
                "`RUN --mount=type=secret,id=key,target=/run/secrets/key <command>` with "
                "`docker build --secret id=key,src=path/to/key .`; at run time, mount it "
                "as a secret or volume",
                (span,),
            ))
        for match in URL_PASSWORD_RE.finditer(text):
            password = match.group(3)
            user = match.group(2)
            if password.startswith("$") or "{{" in password or "{{" in user:
                continue  # a variable or command substitution, or a template
            if _only_references(password) or TEMPLATE_RE.fullmatch(password):
                continue
            span = _span(to_source, match.start(3), match.end(3))
            scheme = match.group(1).lower()
            hits.append((
                "error",
                f"a `{scheme}://` URL carries a password (`{scheme}://...:****@...`): "
                "it is stored in the image",
                "take the password out of the URL: pass it at run time (`docker run -e`), "
                "or at build time through a secret mount (`RUN --mount=type=secret,"
                "id=url_password,env=URL_PASSWORD <command>`) and build the URL from it",
                (span,),
            ))
    return hits


def _span(to_source, start: int, end: int) -> tuple[int, int]:
    return to_source(start), to_source(max(end - 1, start)) + 1


def _format_suggestion(kind: str) -> str:
    names = {
        "AWS access key id": ("aws", "AWS_ACCESS_KEY_ID"),
        "GitHub token": ("github_token", "GITHUB_TOKEN"),
        "Slack token": ("slack_token", "SLACK_TOKEN"),
    }
    secret_id, env = names[kind]
    return (
        f"revoke this credential (it is in the Dockerfile, its history and the image) and "
        f"pass it with a secret mount: `RUN --mount=type=secret,id={secret_id},env={env} "
        f"<command>`, built with `docker build --secret id={secret_id},env={env} .`"
    )
