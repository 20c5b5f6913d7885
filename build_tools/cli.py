"""``papershelf``: one console command with a subcommand per tool."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Subcommand -> module (add_arguments, run, HELP). Imported only when needed: the
# benchmark and importer pull in a lot, and `papershelf build` after an edit should
# not wait for them.
TOOLS = {
    "validate": "build_tools.validate",
    "build": "build_tools.build",
    "serve": "build_tools.serve",
    "list": "build_tools.listing",
    "new": "build_tools.new",
    "bench": "build_tools.bench",
    "import": "build_tools.import_daily",
    "search-size": "build_tools.search_size",
    "first-view": "build_tools.first_view",
    "search-eval": "build_tools.search_eval",
    "related-eval": "build_tools.related_eval",
    "start-list": "build_tools.start_list",
    "links": "build_tools.links",
    "differential": "build_tools.differential",
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    chosen = [name for name in TOOLS if arguments[:1] == [name]]
    modules = {name: importlib.import_module(TOOLS[name]) for name in chosen or TOOLS}
    parser = argparse.ArgumentParser(
        prog="papershelf", description="Tools for a Papershelf reading list."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in modules.items():
        module.add_arguments(commands.add_parser(name, help=module.HELP, description=module.HELP))
    args = parser.parse_args(arguments)
    return int(modules[args.command].run(args))


if __name__ == "__main__":
    sys.exit(main())
