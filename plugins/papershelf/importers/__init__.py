"""Outside listings -> entry files: parse, merge with the list, tag, write YAML entries.

Used by ``papershelf import``; the build never imports it.
"""
