"""The mkdocs plugin (entry point ``papershelf.plugin:PapershelfPlugin``)."""

from papershelf.plugin.hooks import PapershelfPlugin

__all__ = ["PapershelfPlugin"]
