"""Assembly Press: publish only what an assembly voted to publish.

The flow is one way: ``records`` (YAML and Markdown -> typed model, with file:line problems)
-> ``decisions`` (pure: outcome of every motion, state of every article, delegates) -> ``site``
(the Pelican plugin and feeds) -> ``cli`` (the ``press`` command).
"""

from typing import TYPE_CHECKING

# The names below, imported on first use (PEP 562): a command that needs none of the model, such
# as `press verify` when nothing changed, does not pay for importing it.
_EXPORTS = {
    "ballots": ("Ballot", "BallotResult", "Cast", "Option"),
    "decisions": ("AWAITING", "EDITED", "PUBLISHED", "REJECTED", "RETRACTED", "STATES", "ArticleDecision", "Decisions",
                  "DelegateTerm", "Outcome", "decide"),
    "model": ("Press", "load"),
    "problems": ("PressError", "Problem"),
    "records": ("Article", "Assembly", "Meeting", "Member", "Motion", "Rules", "digest_bytes"),
    "reading": ("Records", "read_records"),
}  # fmt: skip
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    import importlib

    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    try:  # a submodule: press.records, press.model, …
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


if TYPE_CHECKING:
    from .ballots import Ballot as Ballot, BallotResult as BallotResult, Cast as Cast, Option as Option
    from .decisions import (
        AWAITING as AWAITING,
        EDITED as EDITED,
        PUBLISHED as PUBLISHED,
        REJECTED as REJECTED,
        RETRACTED as RETRACTED,
        STATES as STATES,
        ArticleDecision as ArticleDecision,
        Decisions as Decisions,
        DelegateTerm as DelegateTerm,
        Outcome as Outcome,
        decide as decide,
    )
    from .model import Press as Press, load as load
    from .problems import PressError as PressError, Problem as Problem
    from .records import (
        Article as Article,
        Assembly as Assembly,
        Meeting as Meeting,
        Member as Member,
        Motion as Motion,
        Rules as Rules,
        digest_bytes as digest_bytes,
    )
    from .reading import Records as Records, read_records as read_records
