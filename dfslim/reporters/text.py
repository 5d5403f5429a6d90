"""The human report: one block per finding, then a summary line."""


from typing import NamedTuple

from dfslim.api import Severity
from dfslim.reporters import Run
from dfslim.units import megabytes

COLORS = {Severity.ERROR: "RED", Severity.WARNING: "YELLOW", Severity.INFO: "CYAN"}


def render(run: Run, *, color: bool = False, quiet: bool = False) -> str:
    paint = _painter(color)
    out: list[str] = []
    for result in run.files:
        if result.error:
            continue  # reported on standard error by the CLI
        for finding in result.findings:
            head = f"{paint(f'{finding.path}:{finding.line}:{finding.column}', 'BRIGHT')}: "
            head += f"{paint(finding.severity.label, COLORS[finding.severity])} "
            head += f"{paint(finding.rule, 'BRIGHT')} {finding.name}: {finding.message}"
            if finding.savings_bytes:
                head += f" ({megabytes(finding.savings_bytes)})"
            out.append(head)
            number, snippet = finding.snippet if finding.snippet[1] else (finding.line, finding.excerpt)
            if snippet:
                out.append(f"  {number:>4} | {snippet.strip()}")
            help_line = "  help: " + finding.suggestion.replace("\n", "\n        ")
            if finding.fix is not None:
                help_line += " [fix]" if finding.fix.safe else " [unsafe fix]"
            out.append(paint(help_line, "GREEN"))
            out.append("")
        file_savings = sum(f.savings_bytes or 0 for f in result.findings)
        if file_savings and len(run.files) > 1 and not quiet:
            out.append(f"{result.path}: estimated savings {megabytes(file_savings)}")
            out.append("")
    if quiet:
        return "".join(line + "\n" for line in out)
    out.append(summary(run))
    return "\n".join(out) + "\n"


def summary(run: Run) -> str:
    failed = sum(1 for result in run.files if result.error)
    files = len(run.files) - failed
    findings = sum(len(result.findings) for result in run.files)
    counts = ", ".join(
        f"{run.count(severity)} {severity.label}{'s' if run.count(severity) != 1 else ''}"
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    )
    line = f"{files} file{'s' if files != 1 else ''} linted, {findings} finding{'s' if findings != 1 else ''} ({counts})"
    if failed:
        line += f", {failed} file{'s' if failed != 1 else ''} could not be linted"
    if run.skipped:
        skipped = len(run.skipped)
        line += f", {skipped} file{'s' if skipped != 1 else ''} skipped (not {'Dockerfiles' if skipped != 1 else 'a Dockerfile'})"
    if run.fixes_applied:
        line += f"; {run.fixes_applied} fix{'es' if run.fixes_applied != 1 else ''} applied"
    if run.savings_bytes:
        line += f"; estimated savings {megabytes(run.savings_bytes)}"
    return line


class RuleStatistics(NamedTuple):
    rule: str
    name: str
    count: int
    fixable: int  # findings with a fix, safe or unsafe
    savings_bytes: int  # 0: no estimate


def statistics(run: Run) -> list[RuleStatistics]:
    """Per rule with findings: how many, how many fixable, the total saving; most frequent first."""
    table: dict[str, RuleStatistics] = {}
    for finding in run.findings:
        known = table.get(finding.rule) or RuleStatistics(finding.rule, finding.name, 0, 0, 0)
        fixable = finding.fix is not None and bool(finding.edits)
        table[finding.rule] = known._replace(
            count=known.count + 1,
            fixable=known.fixable + fixable,
            savings_bytes=known.savings_bytes + (finding.savings_bytes or 0),
        )
    return sorted(table.values(), key=lambda row: (-row.count, row.rule))


def statistics_table(run: Run) -> str:
    """`--statistics`: one aligned line per rule, after a heading."""
    rows = statistics(run)
    if not rows:
        return "Statistics: no findings\n"
    cells = [(str(row.count), row.rule, row.name, f"{row.fixable} fixable", megabytes(row.savings_bytes) if row.savings_bytes else "") for row in rows]
    widths = [max(len(cell[column]) for cell in cells) for column in range(len(cells[0]))]
    lines = ["Statistics (count, rule, fixable, estimated saving):"]
    for cell in cells:
        padded = [cell[0].rjust(widths[0])] + [text.ljust(width) for text, width in zip(cell[1:], widths[1:])]
        lines.append("  " + "  ".join(padded).rstrip())
    return "\n".join(lines) + "\n"


def _painter(color: bool):
    if not color:
        return lambda text, _style: text
    from colorama import Fore, Style

    def paint(text: str, style: str) -> str:
        code = Style.BRIGHT if style == "BRIGHT" else getattr(Fore, style)
        return f"{code}{text}{Style.RESET_ALL}"

    return paint
