"""``serve``: the local engine in the foreground (``cw_logging.local.main`` underneath)."""

from __future__ import annotations

import argparse
from typing import Any

from ..local import main as serve_main
from ..local._server import DEFAULT_PORT
from ._env import CliEnv

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``serve``; its options (``--port``, ``--host``, ``--db``, ``--region``,
    ``--account-id``, ``--verbose``) are the local engine's own, see
    ``cw-logging serve --help``."""
    serve = commands.add_parser(
        "serve",
        help=f"run the local CloudWatch Logs engine on 127.0.0.1:{DEFAULT_PORT} (Ctrl-C stops)",
        add_help=False,
        prefix_chars="\0",  # every option goes to the local engine's own parser
    )
    serve.add_argument("options", nargs=argparse.REMAINDER)
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace, env: CliEnv) -> int:
    """Serve until Ctrl-C; ``--port 0`` picks a free port (printed on the first line). A host
    that is not loopback or a port in use is one line on stderr and status 2."""
    try:
        return serve_main(args.options)
    except SystemExit as exc:  # the engine's parser after --help or a bad option
        return exc.code if isinstance(exc.code, int) else 2
