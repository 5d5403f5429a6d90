"""The `dfslim measure` report: text for people, JSON for scripts (no I/O).

Sizes are SI (MB = 10^6 bytes), as `docker images` shows them, with a decimal: a
measurement is compared to an estimate here, so "~20 MB" would hide what matters.
"""

from __future__ import annotations

import json

from dfslim import __version__
from dfslim.measure.results import Measurement, WasteLine
from dfslim.measure.matching import Row
from dfslim.measure.progress import elapsed

WASTE_SHOWN = 8  # (writer, hider) pairs listed; the rest are summed


def size(value: int | None) -> str:
    """`19.9 MB`, `512.0 kB`, `1.25 GB`, `0 B`, `-` for none; negative when a fix grew the image."""
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 10**9:
        text = f"{magnitude / 10**9:.2f} GB"
    elif magnitude >= 10**6:
        text = f"{magnitude / 10**6:.1f} MB"
    elif magnitude >= 10**3:
        text = f"{magnitude / 10**3:.1f} kB"
    else:
        text = f"{magnitude} B"
    return f"-{text}" if value < 0 else text


def shown_rows(measurement: Measurement) -> list[Row]:
    """The rows about size: findings of size rules, with an estimate, or whose fix was
    measured; security and correctness findings without either say nothing here."""
    return [
        row for row in measurement.rows
        if row.status in ("measured", "other") or any(f.category == "size" or f.savings_bytes is not None for f in row.findings)
    ]


def _problem(measurement: Measurement) -> str | None:
    for built in (measurement.before, measurement.after):
        if built is not None and built.alignment.problem:
            return built.alignment.problem
    return None


def _explained(lines: list[WasteLine]) -> int:
    return sum(line.waste.bytes for line in lines if line.explained_by)


# ------------------------------------------------------------------ text


def render_text(measurement: Measurement) -> str:
    out = [_heading(measurement), ""]
    before = measurement.before.image.bytes
    if measurement.after is None:
        out.append(f"image: {size(before)} (no fix applies, so it was built once)")
    else:
        after = measurement.after.image.bytes
        out.append(f"image: {size(before)} as it is, {size(after)} with the fixes: {size(before - after)} saved")
    problem = _problem(measurement)
    if problem:
        out.append(f"layers not matched to instructions: {problem}")
    rows = shown_rows(measurement)
    out.append("")
    if rows:
        out += _finding_table(rows, measurement.rebuilt if measurement.after else 0)
    else:
        out.append("no size finding")
    out.append("")
    out += _waste_text(measurement)
    return "\n".join(out) + "\n"


def _heading(measurement: Measurement) -> str:
    fixes = sum(measurement.applied.values())
    if fixes:
        rules = ", ".join(sorted(measurement.applied)) + ("; unsafe fixes included" if measurement.unsafe else "")
        built = f"as it is and with {fixes} fix{'es' if fixes != 1 else ''} ({rules})"
    else:
        built = f"as it is (no {'' if measurement.unsafe else 'safe '}fix applies)"
    return f"{measurement.path}: built {built} by {measurement.builder_version}, context {_shown_path(measurement.context)}, in {elapsed(measurement.seconds)}"


def _shown_path(path: str) -> str:
    """A folder as the user would type it: relative when it is under the current one."""
    import os

    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _finding_table(rows: list[Row], rebuilt: int) -> list[str]:
    table = [("line", "finding", "estimated", "measured", "its layer", "")]
    for row in rows:
        if not row.findings:
            table.append(("", "other changes", "", size(row.measured), size(row.layer_bytes), row.note))
            continue
        note = row.note if row.status == "measured" else f"not measured: {row.note}"
        if len(row.findings) == 1:
            [finding] = row.findings
            table.append((str(finding.line), f"{finding.rule} {finding.name}", size(row.estimate), size(row.measured), size(row.layer_bytes), note))
            continue
        for finding in row.findings:  # measured together: the figures go on a line of their own
            table.append((str(finding.line), f"{finding.rule} {finding.name}", size(finding.savings_bytes), "", "", ""))
        table.append(("", "  together", size(row.estimate), size(row.measured), size(row.layer_bytes), note))
    if rebuilt:
        table.append(("", "unchanged instructions", "", size(rebuilt), "", "their layers, rebuilt on changed ones, differ"))
    widths = [max(len(line[column]) for line in table) for column in range(5)]
    aligned = []
    for line in table:
        cells = [line[0].rjust(widths[0]), line[1].ljust(widths[1])] + [cell.rjust(width) for cell, width in zip(line[2:5], widths[2:5])]
        aligned.append(("  ".join(cells) + ("  " + line[5] if line[5] else "")).rstrip())
    return aligned


def _waste_text(measurement: Measurement) -> list[str]:
    lines = measurement.waste_before
    total = sum(line.waste.bytes for line in lines)
    out = ["cross-layer waste, bytes a later layer deletes or overwrites (what dive calls wasted space):"]
    summary = f"  {size(total)} as it is"
    if measurement.waste_after is not None:
        summary += f", {size(sum(line.waste.bytes for line in measurement.waste_after))} with the fixes"
    out.append(summary)
    for line in [line for line in lines if line.waste.bytes][:WASTE_SHOWN]:
        why = f"({', '.join(line.explained_by)})" if line.explained_by else "(no finding)"
        largest = f"; largest /{line.waste.largest[0][0]} {size(line.waste.largest[0][1])}" if line.waste.largest else ""
        out.append(f"  {size(line.waste.bytes):>9}  {line.writer}  ->  {line.hider}  {why}  [{line.waste.files} file{'s' if line.waste.files != 1 else ''}{largest}]")
    rest = [line for line in lines if line.waste.bytes][WASTE_SHOWN:]
    if rest:
        out.append(f"  {size(sum(line.waste.bytes for line in rest)):>9}  in {len(rest)} more pairs of layers")
    if total:
        explained = _explained(lines)
        out.append(f"  at instructions with a finding: {size(explained)}; at none: {size(total - explained)}")
    return out


# ------------------------------------------------------------------ json


def _finding_record(finding) -> dict:
    return {"rule": finding.rule, "name": finding.name, "line": finding.line, "stage": finding.stage, "savings_bytes": finding.savings_bytes}


def _row_record(row: Row) -> dict:
    return {
        "findings": [_finding_record(finding) for finding in row.findings],
        "status": row.status,
        "estimated_bytes": row.estimate,
        "measured_bytes": row.measured,
        "layer_bytes": row.layer_bytes,
        "note": row.note or None,
    }


def _waste_record(lines: list[WasteLine] | None) -> dict | None:
    if lines is None:
        return None
    return {
        "bytes": sum(line.waste.bytes for line in lines),
        "explained_bytes": _explained(lines),
        "items": [
            {
                "bytes": line.waste.bytes,
                "files": line.waste.files,
                "written_by": {"line": line.writer_line, "what": line.writer},
                "hidden_by": {"line": line.hider_line, "what": line.hider},
                "explained_by": list(line.explained_by),
                "largest": [{"path": "/" + path, "bytes": bytes_} for path, bytes_ in line.waste.largest],
            }
            for line in lines
        ],
    }


def render_json(measurement: Measurement) -> str:
    before = measurement.before.image.bytes
    after = measurement.after.image.bytes if measurement.after else None
    document = {
        "tool": {"name": "dfslim", "version": __version__},
        "path": measurement.path,
        "context": measurement.context,
        "builder": {"name": measurement.builder.name, "version": measurement.builder_version},
        "fixes": {"unsafe": measurement.unsafe, "applied": dict(sorted(measurement.applied.items()))},
        "image": {"before_bytes": before, "after_bytes": after, "saved_bytes": None if after is None else before - after},
        "layers_matched": _problem(measurement) is None,
        "problem": _problem(measurement),
        "measurements": [_row_record(row) for row in shown_rows(measurement)],
        "rebuilt_bytes": measurement.rebuilt if measurement.after else 0,
        "waste": {"before": _waste_record(measurement.waste_before), "after": _waste_record(measurement.waste_after)},
        "seconds": round(measurement.seconds, 1),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
