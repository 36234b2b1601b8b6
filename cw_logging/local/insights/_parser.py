"""Recursive-descent parser: query text -> :class:`~.nodes.Query`, or MalformedQueryError."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from . import _nodes as n
from ._catalogue import REFUSED_COMMANDS
from ._diagnostics import malformed, unsupported
from ._expressions import ExpressionParser
from ._lexer import Kind

MAX_LIMIT = 100_000
"""The largest ``limit`` the service accepts."""

UNSUPPORTED_COMMANDS = {
    **{key: f"the '{name}' command" for key, name in REFUSED_COMMANDS.items()},
    "head": "the deprecated 'head' command (use 'limit')",
    "tail": "the deprecated 'tail' command (use 'sort @timestamp desc | limit')",
    "select": "SQL (queryLanguage SQL); this engine evaluates Logs Insights QL (CWLI)",
    "search": "the PPL 'search' command (queryLanguage PPL); this engine evaluates CWLI",
}
"""Commands the engine refuses, by lower-cased name -> how the error names them."""
_T = TypeVar("_T")


def parse_query(text: str) -> n.Query:
    """Parse ``text`` into a query; raises MalformedQueryError pointing at the first problem."""
    return _Parser(text).query()


class _Parser(ExpressionParser):
    # -- pipeline -------------------------------------------------------------------------
    def query(self) -> n.Query:
        if self.tok.kind is Kind.END:
            raise self.error("The query is empty; write at least one command such as 'fields'")
        commands: list[n.Command] = [self.command()]
        while self.tok.is_op("|"):
            self.advance()
            commands.append(self.command())
        if not self.at_end():
            raise self.expected("'|' or the end of the query")
        self._check_dedup_is_last(commands)
        return n.Query(self.text, tuple(commands))

    def _check_dedup_is_last(self, commands: list[n.Command]) -> None:
        seen_dedup = False
        for command in commands:
            if seen_dedup and not isinstance(command, n.LimitCommand):
                raise malformed(
                    self.text, command.start, "Only 'limit' may follow 'dedup' in a query"
                )
            seen_dedup = seen_dedup or isinstance(command, n.DedupCommand)

    def command(self) -> n.Command:
        token = self.tok
        if token.kind is not Kind.NAME:
            raise self.expected("a command (fields, filter, stats, sort, limit, parse, ...)")
        word = token.text.lower()
        handler = self._COMMANDS.get(word)
        if handler is not None:
            self.advance()
            return handler(self, token.start)
        if word in UNSUPPORTED_COMMANDS:
            raise unsupported(self.text, token.start, UNSUPPORTED_COMMANDS[word])
        raise self.error(f"Unknown command '{token.text}'")

    def fields_command(self, start: int) -> n.Command:
        return n.FieldsCommand(start, self.projections())

    def display_command(self, start: int) -> n.Command:
        return n.DisplayCommand(start, self.projections())

    def filter_command(self, start: int) -> n.Command:
        return n.FilterCommand(start, self.expression())

    def filter_index_command(self, start: int) -> n.Command:
        return n.FilterCommand(start, self.expression(), indexed=True)

    def stats_command(self, start: int) -> n.Command:
        items = self.projections()
        by: tuple[n.Projection, ...] = ()
        if self.take_word("by"):
            by = self.projections()
        if self.tok.is_word("offset"):
            raise unsupported(self.text, self.tok.start, "'offset' after 'stats ... by bin()'")
        return n.StatsCommand(start, items, by)

    def sort_command(self, start: int) -> n.Command:
        return n.SortCommand(start, self.comma_list(self.sort_key))

    def sort_key(self) -> n.SortKey:
        expr = self.expression()
        direction = self.take_word("asc", "desc")
        return n.SortKey(expr, direction is not None and direction.text.lower() == "desc")

    def limit_command(self, start: int) -> n.Command:
        self.take_word("any")
        token = self.tok
        if token.kind is not Kind.NUMBER or not isinstance(token.value, int):
            raise self.expected("a whole number of results after 'limit'")
        if not 1 <= token.value <= MAX_LIMIT:
            raise self.error(f"The limit must be between 1 and {MAX_LIMIT:,}")
        self.advance()
        return n.LimitCommand(start, token.value)

    def unnest_command(self, start: int) -> n.Command:
        source = self.expression()
        if not self.take_word("into"):
            raise self.expected("'into' and the name of the field each element goes to")
        return n.UnnestCommand(start, source, self.name())

    def dedup_command(self, start: int) -> n.Command:
        return n.DedupCommand(start, self.comma_list(self.field_name))

    def parse_command(self, start: int) -> n.Command:
        if self.tok.kind is Kind.STRING or self.tok.is_op("/"):
            source: n.Node = n.FieldRef(start, start, "@message")
        else:
            source = self.field_name()
        if self.tok.kind is Kind.STRING:
            pattern = self.advance()
            if not self.take_word("as"):
                raise self.expected("'as' and the names of the fields the '*'s extract")
            names = self.comma_list(self.name)
            text = str(pattern.value)
            if text.count("*") != len(names):
                raise self.error(
                    f"The pattern has {text.count('*')} '*' but {len(names)} field names follow "
                    "'as'; give one name per '*'",
                    pattern,
                )
            return n.ParseCommand(start, source, text, False, names, pattern.start)
        if self.tok.is_op("/"):
            regex = self.regex_token()
            return n.ParseCommand(start, source, str(regex.value), True, (), regex.start)
        raise self.expected('a "glob*pattern" or a /regular expression/ to parse')

    _COMMANDS: ClassVar[dict[str, Callable[[_Parser, int], n.Command]]] = {
        "fields": fields_command,
        "display": display_command,
        "filter": filter_command,
        "where": filter_command,
        "filterindex": filter_index_command,
        "stats": stats_command,
        "sort": sort_command,
        "limit": limit_command,
        "dedup": dedup_command,
        "parse": parse_command,
        "unnest": unnest_command,
    }
