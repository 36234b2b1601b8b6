"""``python -m tools.mutation [PIECE ...]``: mutate the core pieces, report what the tests miss."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from ._mutants import KINDS, Mutant, mutants
from ._pieces import PIECES, ROOT, Piece
from ._runner import Outcome, Pool, select_tests, timeout_for
from .equivalents import EQUIVALENT

_KILLED = ("killed", "timeout")
_SURVIVED = ("survived", "uncovered")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.mutation",
        description="Mutation testing of cw_logging's core pieces: each mutant is run against "
        "the tests that execute its line; survivors are printed with their diff.",
    )
    parser.add_argument(
        "pieces", nargs="*", help=f"pieces to run (default all: {', '.join(PIECES)})"
    )
    parser.add_argument("--module", help="only mutants of this file (e.g. cw_logging/_limits.py)")
    parser.add_argument("--kind", action="append", choices=KINDS, help="only mutants of this kind")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--sample", type=int, metavar="N", help="run only N mutants per piece, drawn at random"
    )
    parser.add_argument("--seed", type=int, default=19, help="seed of --sample (default 19)")
    parser.add_argument(
        "--since",
        metavar="FILE",
        help="a --json file of an earlier run: mutants killed there are not run again (for "
        "re-checking the survivors after adding tests, while the mutated code is unchanged)",
    )
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--json", metavar="FILE", help="also write every outcome to FILE")
    return parser


def _piece_mutants(piece: Piece, args: argparse.Namespace) -> list[Mutant]:
    found: list[Mutant] = []
    for target in piece.targets:
        if args.module and target.path != args.module:
            continue
        source = (ROOT / target.path).read_text(encoding="utf-8")
        for mutant in mutants(target.path, source, target.scopes):
            if not args.kind or mutant.kind in args.kind:
                found.append(mutant)
    if args.sample is not None and args.sample < len(found):
        chosen = set(random.Random(args.seed).sample(range(len(found)), args.sample))
        found = [mutant for index, mutant in enumerate(found) if index in chosen]
    return found


def _killed_earlier(path: str | None) -> dict[str, str]:
    if path is None:
        return {}
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return {row["key"]: row["status"] for row in rows if row["status"] in _KILLED}


def _progress(outcome: Outcome, done: int, total: int) -> None:
    mark = {"killed": ".", "timeout": "T", "survived": "S", "uncovered": "U"}
    print(mark.get(outcome.status, "E"), end="\n" if done % 80 == 0 or done == total else "")
    sys.stdout.flush()


def _run_piece(piece: Piece, args: argparse.Namespace) -> list[Outcome]:
    found = _piece_mutants(piece, args)
    outcomes = [Outcome(m, "equivalent") for m in found if m.key in EQUIVALENT]
    earlier = _killed_earlier(args.since)
    outcomes += [Outcome(m, earlier[m.key]) for m in found if m.key in earlier]
    todo = [m for m in found if m.key not in EQUIVALENT and m.key not in earlier]
    if not todo:
        return outcomes
    tests = piece.test_files(ROOT)
    started = time.monotonic()
    with Pool(max(1, args.jobs)) as pool:
        coverage = pool.coverage(sorted({m.path for m in todo}), tests)
        print(
            f"{piece.name}: {len(found)} mutants ({len(outcomes)} equivalent or killed before), "
            f"{len(coverage['seconds'])} tests; "
            f"unmutated traced run {coverage['seconds_total']:.1f} s"
        )
        if coverage["left_out"]:
            print(
                f"  left out: {len(coverage['left_out'])} tests that fail only when traced "
                f"(time budgets): {', '.join(coverage['left_out'])}"
            )
        work = []
        for mutant in todo:
            chosen = select_tests(mutant, coverage, tests)
            if chosen:
                work.append((mutant, chosen, timeout_for(chosen, coverage)))
            else:
                outcomes.append(Outcome(mutant, "uncovered"))

        def report(outcome: Outcome) -> None:
            outcomes.append(outcome)
            _progress(outcome, len(outcomes), len(found))

        pool.run(work, report)
    print(f"{piece.name}: done in {time.monotonic() - started:.0f} s")
    return outcomes


def _summary(piece: Piece, outcomes: list[Outcome]) -> list[str]:
    lines = []
    by_module: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        by_module.setdefault(outcome.mutant.path, Counter())[outcome.status] += 1
    total: Counter[str] = Counter()
    for path, counts in sorted(by_module.items()):
        total.update(counts)
        lines.append(_row(path, counts))
    lines.append(_row(f"{piece.name} (all)", total))
    return lines


def _row(label: str, counts: Counter[str]) -> str:
    killed = sum(counts[s] for s in _KILLED)
    survived = sum(counts[s] for s in _SURVIVED)
    judged = killed + survived
    score = f"{100 * killed / judged:5.1f} %" if judged else "    -  "
    return (
        f"  {label:<46} {killed:>4} killed / {judged:>4}  {score}   "
        f"survived {survived:>3}  equivalent {counts['equivalent']:>3}  errors {counts['error']:>2}"
    )


def _survivors(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for outcome in sorted(outcomes, key=lambda o: (o.mutant.path, o.mutant.line)):
        if outcome.status in (*_SURVIVED, "error"):
            mutant = outcome.mutant
            lines.append(f"\n[{outcome.status}] {mutant.path}:{mutant.line} {mutant.kind}")
            lines.append(f"  key: {mutant.key}")
            lines.append(mutant.diff())
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the chosen pieces; exit 1 when a mutant survived."""
    args = _parser().parse_args(argv)
    unknown = [p for p in args.pieces if p not in PIECES]
    if unknown:
        print(f"unknown piece {unknown[0]!r}: choose from {', '.join(PIECES)}", file=sys.stderr)
        return 2
    pieces = [PIECES[p] for p in args.pieces] or list(PIECES.values())
    if args.list:
        for piece in pieces:
            for mutant in _piece_mutants(piece, args):
                print(f"{mutant.path}:{mutant.line}  {mutant.kind:<11} {mutant.key}")
        return 0
    started = time.monotonic()
    results = {piece.name: _run_piece(piece, args) for piece in pieces}
    report = []
    for piece in pieces:
        report += _survivors(results[piece.name])
    report.append("\nkilled / (killed + survived) per module; equivalents are not counted")
    for piece in pieces:
        report += _summary(piece, results[piece.name])
    report.append(f"total time {time.monotonic() - started:.0f} s")
    print("\n".join(report))
    stale = set(EQUIVALENT) - {o.mutant.key for r in results.values() for o in r}
    if stale and not args.module and not args.kind and len(pieces) == len(PIECES):
        print(
            f"\n{len(stale)} listed equivalents match no mutant any more:",
            *sorted(stale),
            sep="\n  ",
        )
    if args.json:
        rows = [
            {"piece": name, "status": o.status, "key": o.mutant.key, "line": o.mutant.line,
             "kind": o.mutant.kind, "seconds": o.seconds, "tests": o.tests}
            for name, outcomes in results.items() for o in outcomes
        ]  # fmt: skip
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    survived = any(o.status in _SURVIVED for r in results.values() for o in r)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
