"""What a signed-in user must still do before they may use ardesk. Pure: no Django import.

Sign-in is a short sequence: password, then (when required) the second factor, then (when an
administrator handed out a temporary password) a new password. The middleware and the sign-in
views both ask `next_step`, so a page can never be reached by skipping a step.
"""

from __future__ import annotations

from enum import StrEnum

from ardesk.identity.roles import Role, needs_mfa


class Step(StrEnum):
    DONE = "done"
    VERIFY = "verify"  # enter a code from the confirmed authenticator
    ENROL = "enrol"  # no authenticator yet, but the role requires one
    CHANGE_PASSWORD = "change_password"  # noqa: S105 (a step's name, not a password)


def mfa_required(*, role: Role | str, require_mfa_setting: bool, has_device: bool) -> bool:
    """A confirmed authenticator is always asked for, even for roles that enrolled voluntarily."""
    return has_device or (require_mfa_setting and needs_mfa(role))


def next_step(*, mfa_required: bool, has_device: bool, verified: bool, must_change_password: bool) -> Step:
    """The step this session must complete next; DONE when it may use every page its role allows."""
    if mfa_required and not verified:
        return Step.VERIFY if has_device else Step.ENROL
    if must_change_password:
        return Step.CHANGE_PASSWORD
    return Step.DONE
