"""Staff pages under /staff: login, the overview, moderation, users and the audit log."""
