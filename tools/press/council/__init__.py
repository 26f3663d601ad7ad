"""The council of delegates: the assemblies' delegates deciding together on the national front page.

``records`` reads ``editorial/council.yml`` and the council's meetings (form only); ``decisions``
derives the seats on each date, evaluates the council's motions, the features on the front page
and each assembly's mandate record. Both are pure layers of the one-way flow of :mod:`press`.
"""

from .decisions import CouncilDecisions as CouncilDecisions, CouncilOutcome as CouncilOutcome, Feature as Feature
from .decisions import MandateEntry as MandateEntry, Seat as Seat, seats_on as seats_on
from .records import COUNCIL as COUNCIL, Council as Council, CouncilMeeting as CouncilMeeting, CouncilMotion as CouncilMotion
