"""`bokslut check`: every consistency check the data allows (DESIGN.md §4).

The checks look at the report exactly as it is published: :mod:`.pipeline`
composes it with the same function as ``bokslut build`` and runs every check
over the ledger (:mod:`.ledger`, :mod:`.statements`), the inputs
(:mod:`.inputs`), the composed document (:mod:`.document`) and the goal
follow-up (:mod:`.goals`). Each check returns findings and never raises.
"""
