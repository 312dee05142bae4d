"""CSV import: one row per recommendation, columns named as the JSON fields
(dotted for nested ones, `themes` separated by `;`). All or nothing: every
bad row is reported with its row number, and then nothing is written."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from pydantic import ValidationError

from schemas.policy import PolicyFile
from services.common.problems import describe
from services.common.tokens import Principal
from services.intake.domain.submissions import RecommendationIn
from services.intake.usecases.errors import CsvRejected
from services.intake.usecases.ports import Storage, Store
from services.intake.usecases.record import outside_panel, record_recommendation

COLUMNS = (
    "panel", "raised_on", "title", "detail", "themes", "decision", "decline_reason", "respond_within_days",
    "commitment.action", "commitment.done_means", "commitment.owner.role", "commitment.owner.email",
    "commitment.owner.name", "commitment.due", "commitment.agreed_on", "commitment.update_every_days",
    "commitment.escalation.supervisor", "commitment.escalation.senior_lead", "commitment.escalation.board",
    "decline_code", "who_can",  # after the others, so files made from the older template still line up
    "title_en", "title_cy", "owner_language", "supervisor_language", "senior_lead_language", "board_language",
    "reason", "decide_by",  # decision in_principle: its plain reason and the day it must be agreed or declined by
)
# Plain names for the language columns (contract §8.4), and the JSON field each fills.
ALIASES = {
    "title_en": "titles.en", "title_cy": "titles.cy", "owner_language": "commitment.owner.language",
    "supervisor_language": "commitment.escalation.languages.supervisor",
    "senior_lead_language": "commitment.escalation.languages.senior_lead",
    "board_language": "commitment.escalation.languages.board",
}
COLUMN_OF = {path: column for column, path in ALIASES.items()}
LEADS = ("supervisor", "senior_lead", "board")
REQUIRED = ("panel", "raised_on", "title", "decision")


def parse(text: str, themes: tuple[str, ...], today: dt.date | None = None) -> list[tuple[int, RecommendationIn]]:
    """Rows as requests, numbered as a spreadsheet shows them (the header is row 1); with `today`, a
    decide_by in the past is refused too."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        return _parse(reader, themes, today)
    except csv.Error as exc:
        raise CsvRejected([{"row": reader.line_num, "field": "(file)", "message": f"not readable as CSV: {exc}",
                            "fix": "Save the spreadsheet as CSV (UTF-8) and send that file."}]) from None


def _parse(reader: csv.DictReader, themes: tuple[str, ...],
           today: dt.date | None) -> list[tuple[int, RecommendationIn]]:
    header = reader.fieldnames or []
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing:
        raise CsvRejected([{"row": 1, "field": ", ".join(unknown or missing),
                            "message": "unknown column" if unknown else "missing column",
                            "fix": f"Use the columns of the template: {', '.join(COLUMNS)}."}])
    rows, errors = [], []
    for number, raw in enumerate(reader, start=2):
        lone = _languages_without_ladder(raw)
        if lone:
            errors += [{"row": number, **e} for e in lone]
            continue
        try:
            req = RecommendationIn.model_validate(_nest(raw))
        except ValidationError as exc:
            errors += [{"row": number, **_column(e)} for e in describe(exc.errors())]
            continue
        problems = req.problems(themes, today)
        if problems:
            errors += [{"row": number, **e} for e in problems]
        else:
            rows.append((number, req))
    if errors:
        raise CsvRejected(errors)
    if not rows:
        raise CsvRejected([{"row": 2, "field": "(file)", "message": "no rows",
                            "fix": "Add one row per recommendation."}])
    return rows


def _nest(raw: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for column, value in raw.items():
        if column is None or value is None or value.strip() == "":
            continue
        value = value.strip()
        if column == "themes":
            value = [t.strip() for t in value.split(";") if t.strip()]
        target = doc
        *parents, leaf = ALIASES.get(column, column).split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return doc


def _languages_without_ladder(raw: dict[str, Any]) -> list[dict]:
    """A lead's language belongs to the row's own ladder: the panel's ladder keeps the languages it
    was registered with."""
    if any((raw.get(f"commitment.escalation.{lead}") or "").strip() for lead in LEADS):
        return []
    return [{"field": f"{lead}_language", "message": "a lead's language was given without this row's ladder",
             "fix": "Fill commitment.escalation.supervisor, senior_lead and board too, or leave the language "
                    "empty: the panel's ladder keeps the languages it was registered with."}
            for lead in LEADS if (raw.get(f"{lead}_language") or "").strip()]


def _column(error: dict) -> dict:
    """An error about a language column names the column, as the file has it."""
    column = COLUMN_OF.get(error["field"])
    return {**error, "field": column} if column else error


def template() -> str:
    return ",".join(COLUMNS) + "\n"


def import_rows(storage: Storage, rows: list[tuple[int, RecommendationIn]], fingerprint: str, now: dt.datetime, *,
                who: Principal, key: str | None, policies: PolicyFile) -> tuple[int, dict]:
    """Record every row in one transaction, once per key, or none (a row for a panel this
    person may not write refuses the whole file)."""
    if any(not who.may_write_panel(req.panel) for _, req in rows):
        raise outside_panel(who)

    def work(store: Store) -> tuple[int, dict]:
        results = []
        for number, req in rows:
            rec_id, commitment_id = record_recommendation(store, req, now, policies.for_panel(req.panel))
            results.append({"row": number, "recommendation_id": rec_id, "commitment_id": commitment_id})
        return 201, {"imported": len(results), "results": results}

    return storage.run_once(key, fingerprint, work, caller=who.token_id, now=now)
