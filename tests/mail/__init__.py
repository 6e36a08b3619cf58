"""The outbox and the limits on the mail the site sends."""
