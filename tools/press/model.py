"""The press as one object: records read once, decisions derived once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .decisions import Decisions, decide
from .problems import PressError, Problem
from .records import Records, read_records


@dataclass
class Press:
    root: Path
    records: Records
    decisions: Decisions

    @property
    def problems(self) -> list[Problem]:
        """Every problem in the input, in file and line order."""
        return sorted(set(self.records.problems) | set(self.decisions.problems))

    def article_id(self, ref: str) -> str:
        """Resolve an article given as an id (``springfield/rent``) or a path to its file."""
        path = Path(ref)
        candidates = [path if path.is_absolute() else Path.cwd() / path, self.root / path]
        for candidate in candidates:
            if candidate.suffix == ".md" and candidate.is_file():
                try:
                    rel = candidate.resolve().relative_to((self.root / "content").resolve())
                except ValueError:
                    raise PressError(f"{ref} is not under {self.root / 'content'}") from None
                ref = rel.with_suffix("").as_posix()
                break
        if ref not in self.records.articles:
            raise PressError(f"no article '{ref}' — give an id like <assembly>/<slug> or a path to content/<assembly>/<slug>.md")
        return ref


def load(root: Path | str = ".", today: dt.date | None = None) -> Press:
    """Read every record under ``root`` and decide every motion and article."""
    root = Path(root)
    if not (root / "editorial").is_dir() and not (root / "content").is_dir():
        raise PressError(f"{root} is not a press: it has neither content/ nor editorial/ (use --root)")
    records = read_records(root)
    return Press(root=root, records=records, decisions=decide(records, today))
