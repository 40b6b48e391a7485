"""Subcommands of the ``numseries`` CLI, one module each (see :mod:`numseries.cli`)."""
