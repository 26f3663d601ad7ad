"""What the plugin's handlers (:mod:`press.site`) and the generator (:mod:`press.site.generator`)
share during a build: the press model, render memo and output list of each running build, and the
orderings and times both use. Both import this module; it imports neither.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pelican.contents import Article

from ..model import Press
from .outputs import OutputList

# The press model of each running build, keyed by the identity of Pelican's settings dict. It is
# kept out of the settings themselves: Pelican pickles settings into its caches.
_PRESSES: dict[int, Press] = {}
_MEMOS: dict[int, object] = {}  # settings id -> RenderMemo of the running build
_OUTPUTS: dict[int, OutputList] = {}  # settings id -> the positive list of the running build


def memo_of(settings: dict):
    """The build's :class:`~press.site.memo.RenderMemo`, or None (a plain ``pelican`` run)."""
    return _MEMOS.get(id(settings))


def outputs_of(settings: dict) -> OutputList:
    """The positive list of the running build (a plain ``pelican`` run gets its own)."""
    if id(settings) not in _OUTPUTS:
        _OUTPUTS[id(settings)] = OutputList(settings["OUTPUT_PATH"])
    return _OUTPUTS[id(settings)]


def newest_first(article: Article):
    """Latest approval first; within one meeting, the motion taken later first."""
    approved = article.press.first_approved
    return (-article.date.timestamp(), -approved.motion.index, article.press.article.id)


def press_of(settings: dict) -> Press:
    return _PRESSES[id(settings)]


def motion_datetime(outcome) -> dt.datetime:
    """When a motion was decided: its meeting's start (the record's ``time:``, else the time in the
    assembly's ``meets``, else midnight) plus one minute per motion before it.

    Distinct for every motion of an assembly and the same on every build, so feed readers can tell
    entries apart and never see them change."""
    meeting, assembly = outcome.meeting, outcome.assembly
    starts = meeting.time or assembly.usual_time or dt.time(0, 0)
    begin = dt.datetime.combine(meeting.date, starts, ZoneInfo(assembly.timezone))
    return begin + dt.timedelta(minutes=outcome.motion.index)
