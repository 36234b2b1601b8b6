"""The local engine's record of Logs Insights queries and their progress."""

from __future__ import annotations

from dataclasses import dataclass, field

RUNNING_STATES = ("Scheduled", "Running")
"""States of a query that has not ended."""


@dataclass
class Query:
    """A started query, its progress and (once evaluated) its rows and statistics."""

    query_id: str
    query_string: str
    language: str
    group_names: list[str]
    create_time: int
    status: str = "Scheduled"
    polls: int = 0
    rows: list[list[dict[str, str]]] = field(default_factory=list)
    statistics: dict[str, float] = field(default_factory=dict)


class QueryRegistry:
    """The queries of one engine and how many polls each takes before it completes."""

    def __init__(self, polls_before_complete: int = 0) -> None:
        self.queries: dict[str, Query] = {}
        self.polls_before_complete = polls_before_complete

    def running(self) -> int:
        """How many queries are Scheduled or Running."""
        return sum(1 for q in self.queries.values() if q.status in RUNNING_STATES)
