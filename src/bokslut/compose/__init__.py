"""Compose: the report's data and the chapters (Markdown with expressions) → the document.

``report`` puts a workspace's parts, data and chapters together (what ``check`` and
``build`` both start from); ``chapters`` renders the chapters in a sandbox
(``sandbox``), ``charts`` builds the charts they place.
"""
