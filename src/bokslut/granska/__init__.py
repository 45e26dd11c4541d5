"""`bokslut granska`: read a finished report that bokslut did not make and find its contradictions.

Data flows one way: a reader per format (read_*.py) turns a file into the common
:class:`~bokslut.granska.model.Document` (text blocks with their page or line, tables
understood by :mod:`bokslut.granska.grid`); the checks (sums, quantities, text_figures,
directions) each return :class:`~bokslut.granska.model.Discrepancy` values; report.py
writes the summary, the JSON and the HTML. The CLI shell is bokslut.cli.granska_cmds.
"""
