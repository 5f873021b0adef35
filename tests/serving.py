"""A waitress server run in a thread for a test, and stopped from that same thread.

Closing a waitress server from another thread while its loop runs (``server.close()`` from the
test) leaves the loop and its task threads running on closed descriptors: a task finishing later
writes to the server's trigger pipe, whose number may by then belong to another test's server
or file (seen as ``OSError: [Errno 9] Bad file descriptor`` in a later teardown). Here the loop
runs in short rounds and, asked to stop, closes everything itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from waitress import wasyncore


@contextmanager
def running(server) -> Iterator[int]:
    """Serve ``server`` (a waitress server, not yet running) until the block ends; yields its port."""
    sockets = getattr(server, "map", None) or server._map
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.is_set() and sockets:
                wasyncore.loop(timeout=0.05, map=sockets, use_poll=True, count=1)
        finally:
            server.task_dispatcher.shutdown()
            wasyncore.close_all(sockets)

    thread = threading.Thread(target=loop, name="waitress", daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        stop.set()
        thread.join(10)
