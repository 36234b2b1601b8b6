"""Failures are one line with what to do, a non-zero exit status, and no traceback unless
``--debug``; ``--json`` makes the line a JSON object."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from cw_logging.cli import _env, build_parser, main, one_line
from cw_logging.local import LocalServer
from tests.cli.conftest import Run

Cli = Callable[..., Run]


def test_usage_errors_exit_2_with_one_line(cli: Cli) -> None:
    for argv in (("tail",), ("query", "fields @message"), ("tail", "/g", "--since", "soon")):
        ran = cli(*argv)
        assert ran.code == 2, argv
        assert ran.err.count("\n") == 1 and ran.err.startswith("cw-logging: error: UsageError")
        assert "--help" in ran.err


def test_unknown_command_and_no_command(cli: Cli) -> None:
    assert cli("frobnicate").code == 2
    ran = cli()
    assert ran.code == 2 and "demo" in ran.err  # the help lists the commands


def test_global_options_work_after_the_command(cli: Cli, logs: object) -> None:
    ran = cli("groups", "--json")
    assert (ran.code, json.loads(ran.out)) == (0, [])


def test_no_region_says_to_pass_region(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    assert main(["groups"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "cw-logging: error: NoRegionError: no AWS region configured; pass --region or set "
        "AWS_REGION, AWS_DEFAULT_REGION or a region in the AWS profile (looked up in that order)\n"
    )


def test_aws_region_alone_is_enough(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """boto3 reads only AWS_DEFAULT_REGION; the CLI reads AWS_REGION first, as it says."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    env = _env(build_parser().parse_args(["groups"]))
    assert env.client().meta.region_name == "eu-west-3"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert _env(build_parser().parse_args(["groups"])).client().meta.region_name == "eu-west-3"
    flagged = _env(build_parser().parse_args(["groups", "--region", "sa-east-1"]))
    assert flagged.client().meta.region_name == "sa-east-1"


def test_region_help_names_the_lookup_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "else AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region" in " ".join(
        capsys.readouterr().out.split()
    )


def test_serve_help_shows_the_default_port(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    assert "port (default: 4588; 0 picks a free one)" in " ".join(capsys.readouterr().out.split())


def test_plain_http_to_a_remote_host_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--endpoint-url", "http://logs.example.com", "groups"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "InsecureEndpoint" in err and "https" in err


def test_unreachable_endpoint_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    assert main(["--endpoint-url", f"http://127.0.0.1:{port}", "groups"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "check endpoint_url" in err or "Connect" in err


def test_debug_shows_the_traceback(cli: Cli) -> None:
    ran = cli("retention", "/nope", "--debug")
    assert ran.code == 1
    assert "Traceback (most recent call last)" in ran.err
    assert ran.err.rstrip().splitlines()[-1].startswith("cw-logging: error: ResourceNotFound")


def test_json_errors_are_a_json_line(cli: Cli) -> None:
    ran = cli("retention", "/nope", "--json")
    error = json.loads(ran.err)
    assert ran.code == 1
    assert error["error"] == "ResourceNotFoundException"
    assert error["hint"].endswith(" groups") and "cw-logging --endpoint-url http" in error["hint"]


def test_one_line_drops_caret_lines() -> None:
    text = (
        "Unknown command 'x' at line 1, column 13:\n    fields @m | x\n                ^\nFix it."
    )
    assert one_line(text) == "Unknown command 'x' at line 1, column 13: fields @m | x Fix it."


def test_help_and_version_return_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("cw-logging ")
    assert main(["query", "--help"]) == 0
    assert "--format" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "code", "message", "hint"),
    [
        (
            ("tail",),
            "UsageError",
            "name at least one GROUP or --prefix P",
            "see cw-logging tail --help",
        ),
        (
            ("retention", "/g", "8"),
            "InvalidRetention",
            "invalid retention 8 days",
            "choose one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, "
            "1827, 2192, 2557, 2922, 3288, 3653",
        ),
        (
            ("replay", "missing.jsonl", "/g"),
            "InvalidSource",
            "cannot read the replay source 'missing.jsonl': No such file or directory",
            "SRC is a log group, or an existing file ending in .jsonl, .ndjson or .json "
            "(see cw-logging replay --help)",
        ),
        (
            ("tail", "/nope"),
            "ResourceNotFoundException",
            "The specified log group does not exist.",
            "check the name (and the --region / --profile) with: "
            "cw-logging --endpoint-url {url} groups",
        ),
    ],
)
def test_json_errors_put_what_to_do_in_hint_and_the_line_joins_them(
    cli: Cli, server: LocalServer, argv: tuple[str, ...], code: str, message: str, hint: str
) -> None:
    hint = hint.replace("{url}", server.url)
    as_json = cli(*argv, "--json")
    error = json.loads(as_json.err)
    assert error["error"] == code
    assert error["message"].split(" (request id ")[0] == message
    assert error["hint"] == hint
    human = cli(*argv)
    assert human.code == as_json.code != 0
    assert human.err == f"cw-logging: error: {code}: {error['message']}; {hint}\n" or (
        code == "ResourceNotFoundException"  # a new request id each time
        and human.err.startswith(f"cw-logging: error: {code}: {message} (request id ")
        and human.err.endswith(f"; {hint}\n")
    )
