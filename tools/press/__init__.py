"""Assembly Press: publish only what an assembly voted to publish.

The flow is one way: ``records`` (YAML and Markdown -> typed model, with file:line problems)
-> ``decisions`` (pure: outcome of every motion, state of every article, delegates) -> ``site``
(the Pelican plugin and feeds) -> ``cli`` (the ``press`` command).
"""

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
    Records as Records,
    Rules as Rules,
    digest_bytes as digest_bytes,
    read_records as read_records,
)
