"""Staff use cases: users, API tokens, sessions, moderation and the audit log.

Each use case checks its input, does the work through `app.repo`, writes the
audit entry and raises domain errors from `app.errors`; routers, pages and the
CLI call these and only shape the answer.
"""
