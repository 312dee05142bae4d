"""Which tests `make test` keeps together on one pytest-xdist worker (`--dist loadscope`, with the
scheduler below): each file's tests, so its module fixtures are made once, and three groups of
files. pytest-xdist's own `loadgroup` marks cannot be used: on pytest 9 the group it appends to
each test's id is lost, and the tests of one group land on both workers."""

from __future__ import annotations

# The rest of the fault suite, the cluster scenario, the time machine and the upgrade test load the
# machine for minutes each: one after another on one worker, first, while the other worker takes
# everything else.
HEAVY = ("tests/faults/", "tests/upgrade/", "tests/integration/tracker/test_time_machine.py")
# The browser tests share one Chromium; the e2e tests run the demo and `followthrough up` on their
# fixed ports, so two of them must never run at once (a new test on fixed ports belongs there).
SHARED = ("tests/browser/", "tests/e2e/")


def group_of(nodeid: str) -> str:
    """The worker group of a test: "heavy", a shared directory, or the test's file."""
    path = nodeid.split("::", 1)[0]
    if path.startswith(HEAVY):
        return "heavy"
    return next((d for d in SHARED if path.startswith(d)), path)


def scheduler(config, log):
    """pytest-xdist's loadscope scheduling, with `group_of` as the scope."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return GroupScheduling(config, log)
