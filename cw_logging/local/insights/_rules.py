"""Rules the stats page sets for queries with more than one ``stats`` command.

Page: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Stats.html
(section "Use multiple stats commands in a single query"): at most two ``stats``; ``sort`` and
``limit`` only after the second one; the second may use only fields the first produced (checked
when expressions are compiled), and ``bin()`` only in the first, since ``@timestamp`` does not
exist after it.
"""

from __future__ import annotations

from . import _nodes as n
from ._diagnostics import malformed

MAX_STATS_COMMANDS = 2


def check_stats_rules(query: n.Query) -> None:
    """Raise MalformedQueryException when ``query`` breaks a multiple-stats rule."""
    stats = [i for i, command in enumerate(query.commands) if isinstance(command, n.StatsCommand)]
    if len(stats) > MAX_STATS_COMMANDS:
        third = query.commands[stats[MAX_STATS_COMMANDS]]
        raise malformed(
            query.text, third.start, f"A query may have at most {MAX_STATS_COMMANDS} stats commands"
        )
    if len(stats) < 2:
        return
    second = stats[1]
    for command in query.commands[:second]:
        if isinstance(command, (n.SortCommand, n.LimitCommand)):
            word = "sort" if isinstance(command, n.SortCommand) else "limit"
            raise malformed(
                query.text,
                command.start,
                f"With two stats commands, '{word}' may only come after the second one",
            )
    second_stats = query.commands[second]
    assert isinstance(second_stats, n.StatsCommand)
    for projection in (*second_stats.by, *second_stats.items):
        found = _find_bin(projection.expr)
        if found is not None:
            raise malformed(
                query.text,
                found.start,
                "bin() may only be used in the first stats command (@timestamp does not exist "
                "after it)",
            )


def _find_bin(node: n.Node) -> n.Call | None:
    if isinstance(node, n.Call):
        if node.name == "bin":
            return node
        children: tuple[n.Node, ...] = node.args
    elif isinstance(node, n.Unary):
        children = (node.operand,)
    elif isinstance(node, n.Binary):
        children = (node.left, node.right)
    elif isinstance(node, n.Member):
        children = (node.base,)
    else:
        children = ()
    return next((found for child in children if (found := _find_bin(child))), None)
