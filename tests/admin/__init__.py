"""The admin console: its doors, reports, exports and concurrent actions."""
