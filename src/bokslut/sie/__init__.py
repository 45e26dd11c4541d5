"""SIE 1–4 (4E and 4I): reading, checking and writing, per SIE-gruppen's specification 4B.

The reader (:mod:`bokslut.sie.reader`) knows the format, not reports: it turns
bytes into a faithful :class:`~bokslut.sie.model.SieFile` with every record's
line number and a list of findings. See docs/sie.md for what is accepted and why.
"""
