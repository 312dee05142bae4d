"""Which tests `make test` keeps together on one pytest-xdist worker (tests/support/worker_groups.py)."""

from __future__ import annotations

import pytest

from tests.support.worker_groups import group_of


@pytest.mark.parametrize(("nodeid", "group"), [
    ("tests/faults/test_faults.py::test_nothing_lost_nothing_duplicated[kill_intake]", "heavy"),
    ("tests/faults/test_cluster.py::test_a_cluster_loses_a_node_and_nothing_else[broker_kill]", "heavy"),
    ("tests/upgrade/test_upgrade.py::test_an_upgrade_keeps_every_promise[0.1.0]", "heavy"),
    ("tests/integration/tracker/test_time_machine.py::test_the_real_tracker[sqlite]", "heavy"),
    ("tests/browser/test_pages.py::test_x", "tests/browser/"),
    ("tests/browser/test_reply.py::test_y", "tests/browser/"),
    ("tests/e2e/test_demo.py::test_z", "tests/e2e/"),
    ("tests/integration/tracker/test_scan.py::test_a[postgresql]", "tests/integration/tracker/test_scan.py"),
    ("tests/integration/tracker/test_scan.py::Tests::test_b", "tests/integration/tracker/test_scan.py"),
    ("tests/unit/test_a.py::test_c[tests/faults/x]", "tests/unit/test_a.py"),
])
def test_a_test_goes_with_its_group_else_with_its_file(nodeid, group):
    assert group_of(nodeid) == group
