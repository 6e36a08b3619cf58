"""The audit trail: who did what in the console (or from the command line), when, from where
and why, written in the same transaction as the action and never changed afterwards.

`record()` adds an event to the session of the action it describes, so the event and the
action are committed (or rolled back) together. The table refuses UPDATE and DELETE in the
database itself (a trigger on PostgreSQL and on SQLite), so no page, command or stray query
can rewrite what happened.
"""
