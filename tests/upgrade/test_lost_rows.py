"""The upgrade test's "nothing lost" check itself, on made-up snapshots: it sees a row gone, a
value changed, a column or table dropped, and lets by only the scan's next date, a table or
column a migration added, and an access code digest re-hashed."""

from __future__ import annotations

from tests.upgrade.rows import _row, lost


def snap(**tables: tuple[list[str], list[dict]]) -> dict:
    return {name: {"columns": cols, "rows": [_row(r) for r in rows]} for name, (cols, rows) in tables.items()}


BEFORE = snap(
    tracker_commitments=(["id", "status", "next_action_on"], [{"id": "c1", "status": "open", "next_action_on": "d1"},
                                                              {"id": "c2", "status": "done", "next_action_on": None}]),
    tracker_panels=(["slug", "access_code_sha256"], [{"slug": "p", "access_code_sha256": "aa"}]),
)


def test_an_upgrade_that_keeps_everything_passes_with_what_may_change():
    after = snap(
        tracker_commitments=(["id", "status", "next_action_on", "track"],
                             [{"id": "c2", "status": "done", "next_action_on": "d9", "track": None},
                              {"id": "c1", "status": "open", "next_action_on": "d2", "track": "on_track"},
                              {"id": "c3", "status": "open", "next_action_on": None, "track": None}]),
        tracker_panels=(["slug", "access_code_hash"], [{"slug": "p", "access_code_hash": "slow"}]),
        tracker_replies=(["id"], []),
    )
    assert lost(BEFORE, after) == []


def test_a_row_lost_or_changed_a_column_or_table_dropped_is_named():
    after = snap(tracker_commitments=(["id", "next_action_on"], [{"id": "c1", "next_action_on": "d1"}]))
    assert lost(BEFORE, after) == ["tracker_commitments.status: the column is gone",
                                   'tracker_commitments: lost or changed {"id": "c2"}',
                                   "tracker_panels: the table is gone"]
    changed = snap(tracker_commitments=(["id", "status", "next_action_on"],
                                        [{"id": "c1", "status": "open", "next_action_on": "d1"},
                                         {"id": "c2", "status": "open", "next_action_on": None}]),
                   tracker_panels=(["slug"], [{"slug": "p"}]))
    assert lost(BEFORE, changed) == ['tracker_commitments: lost or changed {"id": "c2", "status": "done"}']
