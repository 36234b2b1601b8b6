"""``python -m cw_logging.cli``: the same as the ``cw-logging`` command."""

from __future__ import annotations

from . import main

raise SystemExit(main())
