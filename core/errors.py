"""Domain exceptions. Each message says what to do next; entry points print it as is."""


class CitewiseError(Exception):
    """Base class: an expected failure with a message meant for the user."""


class ConfigError(CitewiseError):
    """A setting has a value that cannot work."""


class ModelMissing(CitewiseError):
    """Model weights are not where the settings say."""


class ProvisionError(CitewiseError):
    """Model weights could not be fetched, assembled or verified."""


class IndexMissing(CitewiseError):
    """No published index to serve from."""


class IndexMismatch(CitewiseError):
    """The published index was built with other settings or another format."""


class Locked(CitewiseError):
    """Another process holds a lock (a second indexer, a second provisioner)."""
