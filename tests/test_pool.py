"""pool.Forked: a call made in a forked child while the caller goes on, or here when no child can be made."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from arshif.pool import Forked

ROOT = Path(__file__).resolve().parent.parent


def test_the_call_runs_in_a_child_and_its_result_comes_back() -> None:
    # In a process of its own: threads other tests leave running here would keep the call from forking.
    script = ("import os; from arshif.pool import Forked; "
              "pid, value = Forked(lambda: (os.getpid(), {'a': [1, 2]})).result(); "
              "print(pid != os.getpid(), value)")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split(maxsplit=1) == ["True", "{'a': [1, 2]}\n"]


def test_with_threads_running_the_call_is_made_here() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        forked = Forked(os.getpid)
    finally:
        stop.set()
        thread.join()
    assert not forked.running and forked.ready()  # no child: result() makes the call without waiting
    assert forked.result() == os.getpid()


def test_a_child_that_fails_leaves_the_call_to_be_made_here() -> None:
    parent = os.getpid()

    def fails_in_a_child() -> int:
        if os.getpid() != parent:
            raise RuntimeError("only in the child")
        return 7

    assert Forked(fails_in_a_child).result() == 7


def test_closing_stops_a_child_whose_result_fills_the_pipe() -> None:
    forked = Forked(lambda: os.urandom(1 << 20))  # more than a pipe holds: the child blocks writing
    forked.close()  # returns: the child ended on the broken pipe and was waited for


def test_ready_says_when_the_result_would_not_wait(tmp_path: Path) -> None:
    # In a process of its own, as above. The child waits for a file this process writes: not ready until then.
    script = """
import sys, time
from pathlib import Path
from arshif.pool import Forked

go = Path(sys.argv[1])

def after_go():
    while not go.exists():
        time.sleep(0.005)
    return 42

forked = Forked(after_go)
time.sleep(0.05)
before = forked.ready()
go.write_text("go")
for _ in range(1000):
    if forked.ready():
        break
    time.sleep(0.005)
print(forked.running, before, forked.ready(), forked.result())
"""
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "go")], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.split() == ["True", "False", "True", "42"]
