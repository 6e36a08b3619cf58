"""Signals other features subscribe to, so certificates never import them (Flask's blinker).

`certificate_changed` is sent with the certificate as sender whenever one is issued,
revoked or reissued (with the new edition), after the change is flushed and before it is
committed: a receiver's writes land in the same transaction, and a receiver that fails
undoes the change with them.
"""

from __future__ import annotations

from flask.signals import Namespace

_signals = Namespace()

certificate_changed = _signals.signal("certificate-changed")
