"""Several pytest-xdist workers share one test stack: they start it one at a time under a file
lock (so a second `start` finds it running instead of racing the first), and only a run whose
workers used the stack is told, once, that it may stop it. The launcher is faked."""

from __future__ import annotations

import threading
import time

import pytest

from tests.support import stack


class FakeLauncher:
    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.starts = 0

    def start(self) -> stack.Stack:
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        time.sleep(0.05)  # long enough for an unlocked second worker to come in beside the first
        self.starts += 1
        self.inside -= 1
        return stack.Stack(bootstrap="127.0.0.1:1", admin_url="postgresql://u:p@127.0.0.1:2/db")


@pytest.fixture
def fake(monkeypatch, tmp_path):
    launcher = FakeLauncher()
    monkeypatch.setattr(stack, "RUN_DIR", str(tmp_path / "run"))
    monkeypatch.setattr(stack, "_launcher", launcher)
    return launcher


def test_workers_start_the_stack_one_at_a_time(fake):
    workers = [threading.Thread(target=stack.start_shared, args=("run-1",)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert fake.starts == 4
    assert fake.most_inside == 1


def test_only_the_run_that_used_the_stack_may_stop_it_and_only_once(fake):
    assert stack.start_shared("run-1").bootstrap == "127.0.0.1:1"
    assert stack.started_in("run-2") is False
    assert stack.started_in("run-1") is True
    assert stack.started_in("run-1") is False
