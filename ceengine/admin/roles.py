"""Who may do what in the admin console: the roles, and the one table the guard reads.

Every admin endpoint needs a role. By default a page or an export (GET) needs a reviewer and
any action (POST) needs staff; the exceptions are declared here, in one place, so a new page
gets the safe default without anyone remembering it (tests/admin/test_accounts.py walks the
whole URL map against `required_role`).
"""

from __future__ import annotations

OWNER, STAFF, REVIEWER = "owner", "staff", "reviewer"
# Each role may do everything the roles after it may.
RANK = {REVIEWER: 1, STAFF: 2, OWNER: 3}
ROLE_LABELS = {
    OWNER: "Owner: everything, including admin accounts",
    STAFF: "Staff: everything but admin accounts",
    REVIEWER: "Reviewer: reads reports and downloads exports, changes nothing",
}

# Open to anyone: signing in, the second step of signing in, accepting an invitation.
OPEN_ENDPOINTS = frozenset({"admin.login", "admin.login_code", "admin.accept_invitation"})
# A signed-in admin's own account (signing out, their own two-factor sign-in): every role,
# and reachable before an owner has set up two-factor sign-in.
OWN_ACCOUNT_ENDPOINTS = frozenset({"admin.logout", "admin.two_factor", "admin.two_factor_confirm"})
# The declared exceptions to the default (endpoint -> the least role it needs).
REQUIRED_ROLES = {
    # a confirmation page, but of a staff action (deleting a reflection)
    "admin.delete": STAFF,
    # an admin's own second factor, once it is on: new recovery codes, turning it off
    "admin.two_factor_recovery_codes": REVIEWER,
    "admin.two_factor_off": REVIEWER,
    "admin.accounts": OWNER,
    "admin.account": OWNER,
    "admin.reset_two_factor": OWNER,
    "admin.invite": OWNER,
    "admin.cancel_invitation": OWNER,
    "admin.change_role": OWNER,
    "admin.deactivate": OWNER,
    "admin.reactivate": OWNER,
}


def required_role(endpoint: str, method: str) -> str | None:
    """The least role that may call `endpoint` with `method`; None for the open endpoints."""
    if endpoint in OPEN_ENDPOINTS:
        return None
    if endpoint in OWN_ACCOUNT_ENDPOINTS:
        return REVIEWER
    if endpoint in REQUIRED_ROLES:
        return REQUIRED_ROLES[endpoint]
    return REVIEWER if method in ("GET", "HEAD") else STAFF


def may(role: str, needed: str | None) -> bool:
    """Whether an admin with `role` may do what needs `needed`."""
    return needed is None or RANK.get(role, 0) >= RANK[needed]


def refusal(needed: str) -> str:
    """The 403 page's message: what the page needs, and who can grant it."""
    if needed == OWNER:
        return "Only an owner can manage admin accounts. Ask an owner of the console."
    return (
        "Your role is reviewer: you can read reports and download exports, but not change "
        "anything. Ask an owner of the console if you need to."
    )
