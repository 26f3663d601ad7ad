"""What the plugin's handlers (:mod:`press.site`) and the generator (:mod:`press.site.generator`)
both use: the orderings and times of articles and motions. Both import this module; it imports
neither. (A build's own state lives in its :class:`press.site.BuildContext`, never here.)
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pelican.contents import Article


def newest_first(article: Article):
    """Latest approval first; within one meeting, the motion taken later first."""
    approved = article.press.first_approved
    return (-article.date.timestamp(), -approved.motion.index, article.press.article.id)


def motion_datetime(outcome) -> dt.datetime:
    """When a motion was decided: its meeting's start (the record's ``time:``, else the time in the
    assembly's ``meets``, else midnight) plus one minute per motion before it.

    Distinct for every motion of an assembly and the same on every build, so feed readers can tell
    entries apart and never see them change."""
    meeting, assembly = outcome.meeting, outcome.assembly
    starts = meeting.time or assembly.usual_time or dt.time(0, 0)
    begin = dt.datetime.combine(meeting.date, starts, ZoneInfo(assembly.timezone))
    return begin + dt.timedelta(minutes=outcome.motion.index)
