class DomainError(Exception):
    """A state change that the rules do not allow. The message is translated
    and meant for the person who tried it."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
