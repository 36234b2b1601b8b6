"""A core install of the package, as the README's first command makes it: a new virtual
environment with ``pip install -e .`` and nothing else (no test or lint extras), built once per
test run and shared by the xdist workers, and the environment of a machine with no AWS set-up."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 600.0


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def core_python(shared_dir: Path) -> Path:
    """Return the interpreter of a venv holding only ``pip install -e .`` of this repository.

    ``shared_dir`` is a directory every worker of the run sees; the first worker builds the venv
    under a file lock, the others wait for it and reuse it. The venv is keyed by this
    interpreter's version and ``pyproject.toml``, so a change of dependencies builds a new one.
    """
    key = hashlib.sha256(sys.version.encode() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()[
        :12
    ]
    venv = shared_dir / f"core-venv-{key}"
    ready = venv / "READY"
    shared_dir.mkdir(parents=True, exist_ok=True)
    with open(shared_dir / f"core-venv-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not ready.exists():
            _build(venv)
            ready.write_text("ok\n")
    return _bin(venv, "python")


def _build(venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_REQUIRE_VIRTUALENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    completed = subprocess.run(
        [str(_bin(venv, "python")), "-m", "pip", "install", "--quiet", "-e", str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            "could not make the core install (pip install -e .) for the example and README "
            f"tests; pip said:\n{completed.stderr[-3000:]}"
        )


def installed_distributions(python: Path) -> set[str]:
    """Return the names of the distributions installed in ``python``'s environment."""
    listing = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; "
            "print('\\n'.join(sorted({d.metadata['Name'].lower() for d in m.distributions()})))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(listing.stdout.split())


def no_aws_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a machine with nothing of AWS: no credentials, region, profile,
    config files, instance metadata, and nothing of this test run (``PYTHONPATH``, pytest)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "PYTEST", "PYTHON")) and k != "_X_AMZN_TRACE_ID"
    }
    env["HOME"] = str(home)
    env["AWS_CONFIG_FILE"] = str(home / "no-aws-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(home / "no-aws-credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # no instance role to find (and no 1 s probe)
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env
