"""The language server: `dfslim lsp`, on pygls and lsprotocol (the `lsp` extra).

It lints in process: on open and on save at once, on change after a pause in typing
(`debounce_ms` in the client's initialization options, default 150). Each finding is a
diagnostic with the rule id as its code and a link to the rule's documentation; each fix
is a quick fix (safe ones preferred, unsafe ones labelled), and "fix all" applies every
safe fix as `dfslim fix` would. Hovering a diagnostic shows what `dfslim explain` prints.
Configuration files are read again after a save, and after a change the client reports
(the server asks clients that can watch files to watch them).
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dfslim import __version__
from dfslim.api import Severity
from dfslim.config import CONFIG_NAMES
from dfslim.lsp.document import DocumentLint, Positions, Project, finding_span, fix_all, fix_edits, lint_document, path_of

SOURCE = "dfslim"
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.dfslim"
DEFAULT_DEBOUNCE_MS = 150
SEVERITIES = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning, Severity.INFO: types.DiagnosticSeverity.Information}
UNSAFE_LABEL = " (unsafe: may change what the image does)"
FIX_ALL_TITLE = "dfslim: fix all safe problems"


class DfslimServer(LanguageServer):
    def __init__(self):
        super().__init__("dfslim", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.project = Project()
        self.linted: dict[str, DocumentLint] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.debounce = DEFAULT_DEBOUNCE_MS / 1000
        self.shut_down = False  # `shutdown` came before `exit`: the exit status is 0

    # --- linting ---------------------------------------------------------------------------

    def lint(self, uri: str) -> DocumentLint:
        """Lint the document's current text (once per version) and publish its diagnostics."""
        self._cancel(uri)
        document = self.workspace.get_text_document(uri)
        known = self.linted.get(uri)
        if known is not None and known.version == document.version and known.text == document.source:
            return known
        linted = lint_document(self.project, uri, document.version, document.source, path_of(uri))
        self.linted[uri] = linted
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=document.version, diagnostics=self.diagnostics(linted)))
        return linted

    def lint_later(self, uri: str) -> None:
        self._cancel(uri)
        loop = asyncio.get_running_loop()
        self.pending[uri] = loop.call_later(self.debounce, self.lint, uri)

    def _cancel(self, uri: str) -> None:
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()

    def current(self, uri: str) -> DocumentLint:
        """The lint of the document as the client has it now (linted again if it moved on)."""
        return self.lint(uri)

    def positions(self, linted: DocumentLint) -> Positions:
        return Positions(linted.text, str(self.workspace.position_encoding or "utf-16"))

    # --- protocol objects ------------------------------------------------------------------

    def diagnostics(self, linted: DocumentLint) -> list[types.Diagnostic]:
        positions = self.positions(linted)
        if linted.problem is not None:
            line = max(linted.problem.line - 1, 0)
            start = positions.offset(line, 0)
            return [types.Diagnostic(range=self.range(positions, start, positions.line_end(start)), message=linted.problem.message, severity=types.DiagnosticSeverity.Error, source=SOURCE)]
        return [self.diagnostic(finding, positions, linted.bom) for finding in linted.findings]

    def diagnostic(self, finding, positions: Positions, bom: int) -> types.Diagnostic:
        from dfslim.links import rule_url
        from dfslim.registry import by_key
        from dfslim.reporters import headline

        start, end = finding_span(finding, positions, bom)
        rule = by_key().get(finding.rule.lower())
        url = rule_url(rule) if rule is not None else None
        fix = None if finding.fix is None or not finding.edits else ("safe" if finding.fix.safe else "unsafe")
        return types.Diagnostic(
            range=self.range(positions, start, end),
            message=f"{headline(finding)}\nhelp: {finding.suggestion}",
            severity=SEVERITIES[finding.severity],
            code=finding.rule,
            code_description=types.CodeDescription(href=url) if url else None,
            source=SOURCE,
            data={"rule": finding.rule, "name": finding.name, "fix": fix},
        )

    @staticmethod
    def range(positions: Positions, start: int, end: int) -> types.Range:
        (line, character), (end_line, end_character) = positions.position(start), positions.position(end)
        return types.Range(start=types.Position(line=line, character=character), end=types.Position(line=end_line, character=end_character))

    def text_edit(self, positions: Positions, start: int, end: int, text: str) -> types.TextEdit:
        return types.TextEdit(range=self.range(positions, start, end), new_text=text)


server = DfslimServer()


@server.feature(types.INITIALIZE)
def initialize(ls: DfslimServer, params: types.InitializeParams) -> None:
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    debounce = options.get("debounce_ms", DEFAULT_DEBOUNCE_MS)
    if isinstance(debounce, (int, float)) and debounce >= 0:
        ls.debounce = debounce / 1000


@server.feature(types.INITIALIZED)
def initialized(ls: DfslimServer, params: types.InitializedParams) -> None:
    """Ask the client to report changes of configuration files, where it can."""
    workspace = ls.client_capabilities.workspace
    watching = workspace.did_change_watched_files if workspace else None
    if not (watching and watching.dynamic_registration):
        return  # without it, a save re-reads them
    watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
    options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
    registration = types.Registration(id="dfslim-configuration", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
    ls.client_register_capability(types.RegistrationParams(registrations=[registration]))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: DfslimServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.lint(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: DfslimServer, params: types.DidChangeTextDocumentParams) -> None:
    if ls.debounce == 0:
        ls.lint(params.text_document.uri)
    else:
        ls.lint_later(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: DfslimServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.project.reload()  # a configuration beside it may have changed too
    ls.linted.pop(params.text_document.uri, None)
    ls.lint(params.text_document.uri)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: DfslimServer, params: types.DidChangeWatchedFilesParams) -> None:
    ls.project.reload()
    for uri in list(ls.linted):
        ls.linted.pop(uri, None)
        ls.lint(uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: DfslimServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls._cancel(uri)
    ls.linted.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False),
)
def code_action(ls: DfslimServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    linted = ls.current(uri)
    positions = ls.positions(linted)
    low = positions.offset(params.range.start.line, params.range.start.character)
    high = positions.offset(params.range.end.line, params.range.end.character)
    only = params.context.only
    actions: list[types.CodeAction] = []
    here = []
    for finding in linted.findings:
        start, end = finding_span(finding, positions, linted.bom)
        if start <= high and low <= end:
            here.append((finding, ls.diagnostic(finding, positions, linted.bom)))
    if _wanted(types.CodeActionKind.QuickFix, only):
        for finding, diagnostic in here:
            edits = fix_edits(finding, linted.bom)
            if not edits:
                continue
            title = f"{finding.rule}: {finding.fix.title}" + ("" if finding.fix.safe else UNSAFE_LABEL)
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=finding.fix.safe,
                    edit=types.WorkspaceEdit(changes={uri: [ls.text_edit(positions, *edit) for edit in edits]}),
                )
            )
    offer_in_list = any(f.fix is not None and f.fix.safe and f.edits for f, _ in here) and _wanted(types.CodeActionKind.QuickFix, only)
    if offer_in_list or _wanted(FIX_ALL_KIND, only, explicit=True):
        change = fix_all(linted)
        if change is not None:
            edit = types.WorkspaceEdit(changes={uri: [ls.text_edit(positions, *change)]})
            if offer_in_list:
                actions.append(types.CodeAction(title=FIX_ALL_TITLE, kind=types.CodeActionKind.QuickFix, edit=edit))
            if _wanted(FIX_ALL_KIND, only, explicit=True):
                actions.append(types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, edit=edit))
    return actions


def _wanted(kind: str, only, explicit: bool = False) -> bool:
    """Whether the client asked for actions of `kind` (a kind covers its sub-kinds). With
    `explicit`, a request without `only` does not count: source actions are asked for."""
    if not only:
        return not explicit
    return any(kind == str(wanted) or kind.startswith(f"{wanted}.") for wanted in only)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: DfslimServer, params: types.HoverParams) -> types.Hover | None:
    from dfslim.explain import explanation
    from dfslim.registry import by_key

    linted = ls.current(params.text_document.uri)
    positions = ls.positions(linted)
    offset = positions.offset(params.position.line, params.position.character)
    parts, spans = [], []
    for finding in linted.findings:
        start, end = finding_span(finding, positions, linted.bom)
        rule = by_key().get(finding.rule.lower())
        if start <= offset <= end and rule is not None:
            parts.append(f"**{finding.rule} {finding.name}**: {finding.message}\n\n{explanation(rule)}")
            spans.append((start, end))
    if not parts:
        return None
    low, high = min(start for start, _ in spans), max(end for _, end in spans)
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n---\n\n".join(parts)), range=ls.range(positions, low, high))


@server.feature(types.SHUTDOWN)
def shutdown(ls: DfslimServer, *args) -> None:
    ls.shut_down = True
    for uri in list(ls.pending):
        ls._cancel(uri)


def serve() -> int:
    """Serve until the client says `exit`; the exit status LSP asks for (1 without `shutdown`)."""
    logging.basicConfig(level=logging.WARNING)  # pygls logs to standard error; standard output is the protocol
    server.start_io()
    return 0 if server.shut_down else 1
