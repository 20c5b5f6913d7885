"""``papershelf``: one console command with a subcommand per tool."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from build_tools import bench, build, import_daily, listing, new, search_size, validate

TOOLS = {
    "validate": validate,
    "build": build,
    "list": listing,
    "new": new,
    "bench": bench,
    "import": import_daily,
    "search-size": search_size,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="papershelf", description="Tools for a Papershelf reading list."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in TOOLS.items():
        module.add_arguments(commands.add_parser(name, help=module.HELP, description=module.HELP))
    args = parser.parse_args(argv)
    return int(TOOLS[args.command].run(args))


if __name__ == "__main__":
    sys.exit(main())
