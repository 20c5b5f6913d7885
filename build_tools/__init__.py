"""Command-line tools of Papershelf, one module per ``papershelf`` subcommand."""
