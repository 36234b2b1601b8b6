"""``cw-logging``: the command line of cw_logging (demo, tail, query, trace, admin, traffic).

Every command is a thin front end over the library; :func:`main` parses the arguments, runs the
command and turns failures into one line on stderr and an exit status:

- ``0`` success; ``1`` the service or the library refused (a :class:`CloudWatchLogsError`) or
  nothing was found (``trace``); ``2`` a bad argument; ``130`` interrupted with Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from .. import __version__
from ..errors import CloudWatchLogsError, ConfigurationError, hint_for, region_hint
from . import (
    _admin_commands,
    _demo_command,
    _read_commands,
    _serve_command,
    _tail_command,
    _traffic_commands,
)
from ._env import CliEnv
from ._output import write_json_line
from ._usage import Parser, UsageError

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
    "one_line",
]

EXIT_OK = 0
"""The command did what was asked."""
EXIT_ERROR = 1
"""The service or the library refused, or nothing was found."""
EXIT_USAGE = 2
"""An argument was missing or invalid."""
EXIT_INTERRUPTED = 130
"""Stopped with Ctrl-C (a running query is stopped first)."""

_CLI_MESSAGES: dict[str, tuple[str | None, str | Callable[[CliEnv], str]]] = {
    "NoRegionError": ("no AWS region configured", region_hint("--region")),
    "NoCredentialsError": (
        "no AWS credentials found",
        "configure them (aws configure, AWS_PROFILE or --profile), or use --endpoint-url "
        "http://127.0.0.1:4588 with 'cw-logging serve'",
    ),
    "PartialCredentialsError": (
        "incomplete AWS credentials",
        "set both the access key id and the secret (or use --profile)",
    ),
    "ProfileNotFound": (None, "check ~/.aws/config, or drop --profile / AWS_PROFILE"),
    "ResourceNotFoundException": (
        None,
        lambda env: f"check the name (and the --region / --profile) with: {env.command('groups')}",
    ),
    "InvalidSource": (
        None,
        "SRC is a log group, or an existing file ending in .jsonl, .ndjson or .json "
        "(see cw-logging replay --help)",
    ),
}
"""Message and hint overrides for errors whose library wording names Python options (None:
the library's message)."""


def _message_and_hint(exc: CloudWatchLogsError, env: CliEnv) -> tuple[str, str | None]:
    """Split an error into what went wrong and what to do, in the CLI's words.

    Local checks (``ConfigurationError``) write ``problem; what to do`` (or ``problem: what to
    do``), so their advice is moved to the hint; service messages are kept whole.
    """
    message, hint = exc.message, hint_for(exc)
    if isinstance(exc, ConfigurationError):
        for separator in ("; ", ": "):
            problem, found, advice = message.rpartition(separator)
            if found and problem:
                message, hint = problem, advice
                break
    override, cli_hint = _CLI_MESSAGES.get(exc.code, (None, None))
    if callable(cli_hint):  # a command to paste, with the options of this run
        cli_hint = cli_hint(env)
    return one_line(override or message), cli_hint or hint


def _global_options() -> argparse.ArgumentParser:
    # default=SUPPRESS lets the options appear before or after the command name
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("global options")
    group.add_argument(
        "--region",
        default=argparse.SUPPRESS,
        help="AWS region (else AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region)",
    )
    group.add_argument("--profile", default=argparse.SUPPRESS, help="AWS profile name")
    group.add_argument(
        "--endpoint-url",
        default=argparse.SUPPRESS,
        help="service endpoint (https, or http on loopback such as the local engine)",
    )
    group.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks and the library's debug logging",
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    """Return the full argument parser (every command registered)."""
    common = _global_options()
    parser = Parser(
        prog="cw-logging",
        description="Ship Python logs to CloudWatch Logs and read them back. "
        "Run 'cw-logging demo' to see the whole loop offline.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"cw-logging {__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for module in (
        _demo_command,
        _tail_command,
        _read_commands,
        _admin_commands,
        _traffic_commands,
        _serve_command,
    ):
        module.register(commands, common)
    return parser


def _env(args: argparse.Namespace) -> CliEnv:
    return CliEnv(
        region=getattr(args, "region", None),
        profile=getattr(args, "profile", None),
        endpoint_url=getattr(args, "endpoint_url", None),
        json=getattr(args, "json", False),
        debug=getattr(args, "debug", False),
    )


def one_line(text: str) -> str:
    """Return a multi-line service message on one line (caret markers under a query dropped)."""
    lines = (line.strip() for line in text.splitlines())
    return " ".join(line for line in lines if line and set(line) != {"^"})


def _report(env: CliEnv, exc: BaseException) -> None:
    """Write the one-line error (JSON with ``--json``) and, with ``--debug``, the traceback."""
    if env.debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=env.stderr)
    if isinstance(exc, CloudWatchLogsError):
        code = exc.code
        message, hint = _message_and_hint(exc, env)
        if exc.request_id:
            message += f" (request id {exc.request_id})"
    elif isinstance(exc, UsageError):
        code, message, hint = "UsageError", exc.message, exc.hint
    else:
        code, message = type(exc).__name__, one_line(str(exc) or type(exc).__name__)
        hint = None if env.debug else "rerun with --debug for the traceback"
    if env.json:
        write_json_line(env.stderr, {"error": code, "message": message, "hint": hint})
        return
    line = f"cw-logging: error: {code}: {message}"
    env.stderr.write(f"{line}; {hint}\n" if hint else line + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cw-logging`` with ``argv`` (default: the process arguments); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    env = CliEnv(json="--json" in argv, debug="--debug" in argv)
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:  # --help and --version print, then exit 0
            return done.code if isinstance(done.code, int) else EXIT_OK
        env = _env(args)
        if env.debug:
            import logging

            logging.basicConfig(level=logging.DEBUG, stream=env.stderr)
        if getattr(args, "run", None) is None:
            build_parser().print_help(env.stderr)
            return EXIT_USAGE
        return int(args.run(args, env))
    except UsageError as exc:
        _report(env, exc)
        return EXIT_USAGE
    except KeyboardInterrupt:
        env.stderr.write("\ncw-logging: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader (head, less) went away: stop quietly, and keep Python from complaining
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except CloudWatchLogsError as exc:
        _report(env, exc)
        return EXIT_ERROR
    except Exception as exc:
        _report(env, exc)
        return EXIT_ERROR
