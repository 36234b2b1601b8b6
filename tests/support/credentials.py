"""A container credentials endpoint (what ECS and EKS give a task) on 127.0.0.1 that a test can
take down and bring back on the same port.

botocore reads it from ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (plain HTTP is allowed for a
loopback address). :meth:`ContainerCredentials.environment` is what to set, besides removing
every other credential source, so that the handler's boto3 client depends on this endpoint.
"""

from __future__ import annotations

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ContainerCredentials:
    """Serves short-lived credentials (``lifetime`` seconds; under botocore's 10-minute mandatory
    refresh window by default, so that every call fetches them anew, as while they rotate).
    ``fetches`` counts the answers given."""

    def __init__(self, lifetime: float = 300.0) -> None:
        self.lifetime = lifetime
        self.fetches = 0
        self.port = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2/credentials/task"

    def environment(self) -> dict[str, str]:
        """Variables that make botocore take credentials from this endpoint and nowhere else
        (no instance metadata: its address is not loopback)."""
        return {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": self.url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def up(self) -> None:
        """Listen (again, on the same port after :meth:`down`)."""
        owner = self

        class Answer(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
                    seconds=owner.lifetime
                )
                with owner._lock:
                    owner.fetches += 1
                    serial = owner.fetches
                body = json.dumps(
                    {
                        "AccessKeyId": f"ASIATESTING{serial:08d}",
                        "SecretAccessKey": "testing-secret",
                        "Token": "testing-token",
                        "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Answer)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def down(self) -> None:
        """Stop listening: connections are refused until :meth:`up`."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def stop(self) -> None:
        self.down()
