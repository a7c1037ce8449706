"""Errors raised by services; one DRF exception handler and the pages map them to answers."""


class ApplicationError(Exception):
    """A request that breaks a rule of labsite; answered with 400 unless a subclass says otherwise."""

    status_code = 400

    def __init__(self, message: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotAllowed(ApplicationError):
    """The actor may not do this (403)."""

    status_code = 403


class NotFound(ApplicationError):
    """The thing named does not exist or is not visible to the actor (404)."""

    status_code = 404


class RuleConflict(ApplicationError):
    """The request is well-formed but conflicts with the lab's rules or state (409).

    `conflicts` is a list of dicts, one per failing item: {"item", "device", "reason", ...}.
    """

    status_code = 409

    def __init__(self, message: str, conflicts: list[dict] | None = None, extra: dict | None = None):
        super().__init__(message, extra)
        self.conflicts = conflicts or []
