"""The council of delegates: the assemblies' delegates deciding together on the national front page.

``records`` reads ``editorial/council.yml`` and the council's meetings (form only); ``decisions``
derives the seats on each date, evaluates the council's motions, the features on the front page
and each assembly's mandate record. Both are pure layers of the one-way flow of :mod:`press`.

This package imports neither: importing ``press.council.records`` (the records layer) must not
import the decisions.
"""
