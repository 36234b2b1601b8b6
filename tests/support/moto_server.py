"""moto's HTTP server on 127.0.0.1 (port 0), started and stopped by the tests that use it."""

from __future__ import annotations

import urllib.request

from moto.server import ThreadedMotoServer


class MotoServer:
    """A running moto server; ``url`` is its endpoint, ``reset()`` empties every backend."""

    def __init__(self) -> None:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.host = host
        self.port = port
        self.url = f"http://{host}:{port}"

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        self._server.stop()
