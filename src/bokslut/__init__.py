"""bokslut: municipal annual and interim reports computed from the organisation's own data."""

__version__ = "0.1.0"
