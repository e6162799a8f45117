"""The platform API at /api/v1/: the marketplace's own systems, with an API key, over JSON.

HTTP only: authentication, limits, validation and the error shape are here; every rule is the core's
(`bot/core/platform/`).
"""
