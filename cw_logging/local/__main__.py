"""``python -m cw_logging.local``: serve the local engine in the foreground."""

from __future__ import annotations

from ._server import main

raise SystemExit(main())
