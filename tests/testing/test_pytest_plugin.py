"""The pytest plugin, loaded the ways users load it, in separate pytest processes."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.testing.helpers import run_python

ENTRY_POINT_LINE = 'cw_logging = "cw_logging.testing.pytest_plugin"'  # the pyproject.toml line

USES_EVERY_FIXTURE = textwrap.dedent(
    """
    import logging

    import boto3


    def test_mock_stream_collects_handler_output(cw_mock_stream):
        log = logging.getLogger("plugin.demo")
        log.propagate = False
        log.setLevel(logging.INFO)
        cw_mock_stream.attach(log)
        log.error("boom", extra={"orderId": 7})
        assert [r["orderId"] for r in cw_mock_stream.records] == [7]
        assert len(cw_mock_stream.filter('{ $.orderId = 7 }')) == 1


    def test_factory_server_and_client_share_one_engine(
        cw_mock_stream_factory, cw_local_server, cw_local_client
    ):
        cw_mock_stream_factory("/plugin/other")
        client = boto3.client(
            "logs", endpoint_url=cw_local_server.url, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
        )
        over_http = [g["logGroupName"] for g in client.describe_log_groups()["logGroups"]]
        in_process = cw_local_client.describe_log_groups()["logGroups"]
        assert over_http == [g["logGroupName"] for g in in_process] == ["/plugin/other"]
    """
)


def write_tests(directory: Path, source: str) -> Path:
    path = directory / "test_user_suite.py"
    path.write_text(source, encoding="utf-8")
    return path


def run_pytest(
    directory: Path,
    *args: str,
    pythonpath: list[Path] | None = None,
    extra_env: dict[str, str] | None = None,
) -> str:
    completed = run_python(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory,
        pythonpath=pythonpath or [],
        timeout=120,
        extra_env=extra_env,
    )
    return completed.stdout + completed.stderr + f"\n[exit {completed.returncode}]"


def fake_distribution(site: Path) -> Path:
    """A dist-info declaring the plugin's entry point, as installing cw-logging does."""
    dist = site / "cw_logging_entry_point_check-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cw-logging-entry-point-check\nVersion: 0.0\n",
        encoding="utf-8",
    )
    name, value = ENTRY_POINT_LINE.split(" = ")
    (dist / "entry_points.txt").write_text(
        f"[pytest11]\n{name} = {value.strip(chr(34))}\n", encoding="utf-8"
    )
    return site


def test_fixtures_work_when_the_plugin_is_named_with_dash_p(tmp_path: Path) -> None:
    # -p is how a suite that turns off plugin autoloading gets the fixtures.
    write_tests(tmp_path, USES_EVERY_FIXTURE)
    output = run_pytest(
        tmp_path,
        "-p",
        "cw_logging.testing.pytest_plugin",
        extra_env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert "2 passed" in output and "[exit 0]" in output, output


def test_the_entry_point_loads_it_and_no_colon_name_disables_it(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    write_tests(suite, USES_EVERY_FIXTURE)
    site = fake_distribution(tmp_path / "site")

    output = run_pytest(suite, pythonpath=[site])
    assert "2 passed" in output and "[exit 0]" in output, output

    disabled = run_pytest(suite, "-p", "no:cw_logging", pythonpath=[site])
    assert "fixture 'cw_mock_stream' not found" in disabled, disabled


def test_a_broken_dependency_fails_only_the_tests_using_a_fixture(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    write_tests(
        suite,
        textwrap.dedent(
            """
            def test_unrelated():
                assert 1 + 1 == 2


            def test_wants_a_client(cw_local_client):
                pass
            """
        ),
    )
    broken = tmp_path / "broken"
    (broken / "boto3").mkdir(parents=True)
    (broken / "boto3" / "__init__.py").write_text(
        'raise ImportError("boto3 is broken in this environment")\n', encoding="utf-8"
    )
    site = fake_distribution(tmp_path / "site")
    output = run_pytest(suite, "-rE", pythonpath=[broken, site])
    assert "1 passed" in output and "1 error" in output, output
    assert "boto3 is broken in this environment" in output, output


def test_importing_the_plugin_loads_neither_boto3_nor_the_engine(tmp_path: Path) -> None:
    probe = (
        "import sys, cw_logging.testing.pytest_plugin\n"
        "heavy = ['boto3', 'botocore', 'cw_logging.local', 'cw_logging.handler']\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    completed = run_python(["-c", probe], cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
