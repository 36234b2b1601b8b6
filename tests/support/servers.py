"""Real application servers (gunicorn, uvicorn) started as their users start them, in a process
group of their own so that a test can always end every process it started.

:class:`ServerProcess` runs a command with its output in a file, waits for a line with a
deadline, stops the server with SIGTERM as a supervisor would (to the master only) and kills the
whole group in :meth:`ServerProcess.close` whatever happened. :func:`drive` sends requests from a
few client threads and returns their answers.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType


class ServerProcess:
    """``argv`` started in a new session (its own process group); stdout and stderr go to
    ``output`` (a file: nothing can block on a full pipe)."""

    def __init__(
        self, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, output: Path
    ) -> None:
        self.output = output
        self._out = output.open("wb")
        self.process = subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pgid = self.process.pid  # a session leader's group id is its pid

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def text(self) -> str:
        """What the server wrote so far."""
        return self.output.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float, count: int = 1) -> re.Match[str]:
        """Wait until ``count`` lines of the output match ``pattern`` (a linear-time regular
        expression); return the first match. Fails after ``timeout`` seconds."""
        compiled = re.compile(pattern)
        end = time.monotonic() + timeout
        pause = threading.Event()
        while True:
            found = list(compiled.finditer(self.text()))
            if len(found) >= count:
                return found[0]
            if self.process.poll() is not None:
                raise AssertionError(f"server exited ({self.process.returncode}):\n{self.tail()}")
            if time.monotonic() > end:
                raise AssertionError(f"no {pattern!r} within {timeout} s:\n{self.tail()}")
            pause.wait(0.02)

    def terminate(self, timeout: float) -> int:
        """SIGTERM to the master only, as systemd or a container runtime does; wait for it to
        end (it stops its workers); return its exit status. Fails after ``timeout`` s."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"server still running {timeout} s after SIGTERM:\n{self.tail()}"
            ) from None

    def group_alive(self) -> bool:
        """True while any process of the server's group is left (workers included)."""
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def close(self) -> None:
        """Kill whatever is left of the group and reap the master (idempotent)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self._out.close()

    def tail(self, lines: int = 40) -> str:
        """The last lines of the output, for failure messages."""
        return "\n".join(self.text().splitlines()[-lines:])

    def reports(self, limit: int = 20) -> str:
        """The first distinct lines the handler (``cw_logging: ...``) or Python (tracebacks,
        errors) wrote, for failure messages: the server's own routine lines drown them."""
        seen: dict[str, None] = {}
        for line in self.text().splitlines():
            if any(word in line for word in ("cw_logging", "Traceback", "Error")):
                seen.setdefault(line.strip()[:300])
                if len(seen) >= limit:
                    break
        return "\n".join(seen)


def drive(
    host: str, port: int, paths: Iterable[str], *, clients: int = 6, timeout: float = 30
) -> Counter[int]:
    """GET every path (one connection each, as a browser without keep-alive) from ``clients``
    threads; return how many answers had each status (0: no answer)."""

    def get(path: str) -> int:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Connection": "close"})
            response = connection.getresponse()
            response.read()
            return response.status
        except OSError:
            return 0
        finally:
            connection.close()

    with ThreadPoolExecutor(clients) as pool:
        return Counter(pool.map(get, paths))
