"""``demo``: the whole loop in one command (cw_logging.demo underneath)."""

from __future__ import annotations

import argparse
from typing import Any

from ..local._server import DEFAULT_PORT
from ._demo import ERRORS_BY_SERVICE_QUERY, DemoResult, run_demo
from ._env import CliEnv
from ._output import Progress, render_table, write_json
from ._read_commands import print_timeline

__all__ = ["DEMO_ENDPOINT", "DEMO_KEEP_COMMAND", "DEMO_SERVE_COMMAND", "register", "render_demo"]

DEMO_ENDPOINT = f"http://127.0.0.1:{DEFAULT_PORT}"
"""Where ``cw-logging serve`` listens by default."""
DEMO_SERVE_COMMAND = "cw-logging serve"
"""The command the offline demo suggests to keep a local engine running."""
DEMO_KEEP_COMMAND = f"cw-logging --endpoint-url {DEMO_ENDPOINT} demo --keep"
"""The command the offline demo suggests next: the demo in that engine, its group kept."""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``demo`` to the ``commands`` sub-parsers."""
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="see the whole loop: log, fail, find the trace (offline by default)",
        description="An app logs through CloudWatchHandler (configured with dictConfig), a "
        "request fails, and its trace comes back from the log group. Offline by default (a "
        "local engine on 127.0.0.1); with --endpoint-url, --region or --profile it runs against "
        "that service in a log group of its own, deleted at the end unless --keep.",
    )
    demo.add_argument("--requests", type=int, default=40, help="simulated requests (40)")
    demo.add_argument("--seed", type=int, default=7, help="traffic seed (7)")
    demo.add_argument("--log-group", help="log group to use against a service")
    demo.add_argument("--keep", action="store_true", help="keep the log group afterwards")
    demo.set_defaults(run=run_demo_command)


def run_demo_command(args: argparse.Namespace, env: CliEnv) -> int:
    """Run the demo offline, or against the service the global options name."""
    remote = any(v is not None for v in (env.endpoint_url, env.region, env.profile))
    with Progress("demo running", stream=env.stderr):
        result = run_demo(
            service_options=env.service_options() if remote else None,
            log_group=args.log_group,
            keep_group=args.keep,
            requests=args.requests,
            seed=args.seed,
        )
    if env.json:
        write_json(env.stdout, result.to_dict())
    else:
        render_demo(env, result)
    return 0 if result.timeline else 1


def _command(env: CliEnv, result: DemoResult, *argv: str) -> str:
    """The command that repeats a step, shown only when it works as pasted: the group must
    still exist afterwards (a service, with --keep)."""
    if result.offline or result.group_deleted:
        return ""
    return "\n" + env.style.dim(f"   $ {env.command(*argv)}")


def render_demo(env: CliEnv, result: DemoResult) -> None:
    """Print the demo's story: what was logged, delivered, and found again."""
    style, out = env.style, env.stdout
    where = "offline: local engine at" if result.offline else "service at"
    took = {step: f"{seconds:.2f} s" for step, seconds in result.seconds.items()}
    failing = f" (in {result.failing_service})" if result.failing_service else ""
    trace = ("trace", result.failing_trace_id, "-g", result.log_group)
    query = ("query", ERRORS_BY_SERVICE_QUERY, "-g", result.log_group)
    out.write(style.bold("cw-logging demo") + f"  {where} {result.endpoint}\n\n")
    out.write(
        f"1. logging.config.dictConfig: root logger -> CloudWatchHandler -> {result.log_group}\n"
        f"2. {result.requests} requests, gateway -> orders -> inventory + payments: "
        f"{result.records} records,\n   each with traceId, requestId, spanId; "
        f"one request fails{failing}  [{took.get('traffic')}]\n"
        f"3. flush(): {result.delivered} events delivered in {result.put_calls} PutLogEvents "
        f"call(s)  [{took.get('flush')}]\n"
        f"4. the failing request, found by its trace id  [{took.get('trace')}]"
        + _command(env, result, *trace)
        + "\n\n"
    )
    if result.timeline:
        print_timeline(env, result.timeline, indent="   ")
        stored = next((e for e in result.timeline if "error" in e.fields), None)
        if stored is not None:
            out.write("\n   stored as: " + style.dim(stored.raw) + "\n")
    else:
        out.write("   (not found: the service had not made the events searchable yet)\n")
    out.write(
        f"\n5. errors by service, Logs Insights  [{took.get('insights')}]"
        + _command(env, result, *query)
        + "\n\n"
    )
    rows = [(row["service"], row["errors"]) for row in result.errors_by_service]
    table = render_table(("service", "errors"), rows, numbers=True, style=style)
    out.write("".join(f"   {line}\n" for line in table.splitlines()))
    if result.offline:
        out.write(
            "\nNo AWS account was used, and the local engine stopped with the demo. To look "
            "around yourself,\nkeep one running (in another terminal) and the demo's log group "
            "in it:\n\n"
            f"   $ {DEMO_SERVE_COMMAND}\n   $ {DEMO_KEEP_COMMAND}\n\n"
            "Then the commands it prints work as pasted. Your app logs there with "
            f'endpoint_url="{DEMO_ENDPOINT}";\ndrop --endpoint-url and endpoint_url= for AWS.\n'
        )
    else:
        fate = "deleted (pass --keep to look around afterwards)"
        out.write(f"\nlog group {result.log_group} {fate if result.group_deleted else 'kept'}\n")
