"""Who may do what: password hashing, the log-in rate limit and the permission rules.

Every endpoint asks :func:`allowed` on the server; the pages only hide what a user
may not do, they never decide it. Roles:

* administratör – everything, and assigns sections, roles and deadlines;
* läsare (e.g. a revisor) – reads everything, drafts and comments included, writes nothing;
* skribent of a section – edits it, restores its history, marks it ready or takes it back;
* godkännare of a section – approves it or sends it back with a comment.

A writer or approver reads the whole report but sees the comments of their own sections only.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bokslut.web.db import ReportState, SectionRole, User

MIN_PASSWORD_LENGTH = 10
# After this many failed log-ins for a name or from an address within the window, wait.
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A hash to verify against when the name does not exist, so that a wrong name and a wrong
# password take the same time and the answer does not tell which names exist.
DUMMY_HASH = _hasher.hash("bokslut-ingen-sadan-anvandare")


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken"
    return None


class Action(StrEnum):
    READ = "lasa"
    EDIT = "redigera"  # save, restore
    MARK_READY = "klarmarkera"  # also take back to pågår
    APPROVE = "godkanna"  # also send back with a comment
    COMMENT = "kommentera"
    SEE_COMMENTS = "se-kommentarer"
    ADMINISTER = "administrera"  # users, roles, assignments, the report's state


def allowed(user: User, action: Action, section: str | None, state: ReportState) -> bool:
    """Whether ``user`` may do ``action`` on ``section`` while the report is in ``state``."""
    if action is Action.READ:
        return True
    if action is Action.ADMINISTER:
        return user.is_admin
    writer = section is not None and user.has(section, SectionRole.WRITER)
    approver = section is not None and user.has(section, SectionRole.APPROVER)
    if action is Action.SEE_COMMENTS:
        return user.is_admin or user.global_role.value == "lasare" or writer or approver
    if section is None:
        return False
    open_ = state is ReportState.OPEN
    if action in (Action.EDIT, Action.MARK_READY):
        return open_ and (user.is_admin or writer)
    if action is Action.APPROVE:
        return open_ and (user.is_admin or approver)
    if action is Action.COMMENT:
        # Comments go on in a locked report: the approvers' final read is when they are needed.
        return state is not ReportState.FIXED and (user.is_admin or writer or approver)
    return False
