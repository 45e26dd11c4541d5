"""The top of the house: the computing areas in their order (``areas``), the checks run
over the composed report (``check``), and the build that refuses what they refuse
(``build``). The shells (CLI, web) call these; nothing below imports them.
"""
