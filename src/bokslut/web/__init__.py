"""The web application: writing, reviewing and approving the report together.

A thin layer (style.md: fava, datasette): chapters are read and written in the
workspace folder through the same code the CLI uses, composed by the same engine
as ``bokslut build``, and drilled into through :mod:`bokslut.pipeline.drill`. Only
what the folder cannot hold – users, roles, statuses, comments, save history and
the report's state – lives in the web database (:mod:`bokslut.web.db`).
"""
