"""`ssc completion SHELL`: a tab-completion script generated from the parser itself.

Generated (by shtab) rather than written by hand, so every sub-command, option and choice the
parser knows completes, and a new one completes without anyone remembering to add it. The
script is static: pressing TAB runs the shell's own code, never Python.
"""

from __future__ import annotations

import argparse
from pathlib import Path

SHELLS = ("bash", "zsh", "tcsh")

#: Where the script goes so the shell finds it by itself.
INSTALL = {
    "bash": "ssc completion bash > ~/.local/share/bash-completion/completions/ssc",
    "zsh": "ssc completion zsh > ~/.zfunc/_ssc  (with fpath+=(~/.zfunc) before compinit)",
    "tcsh": "ssc completion tcsh > ~/.ssc.tcsh and `source ~/.ssc.tcsh` in ~/.tcshrc",
}


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the `ssc` parser."""
    parser = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, tcsh)",
        description="Print the tab-completion script for SHELL, generated from ssc's parser.",
        epilog="Install: " + "; ".join(INSTALL.values()),
    )
    parser.add_argument("shell", choices=SHELLS)
    parser.set_defaults(handler=completion_command)


def _files_complete_as_files(parser: argparse.ArgumentParser) -> None:
    """Arguments that take a path complete file names (shtab's default completes nothing)."""
    import shtab

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _files_complete_as_files(sub)
        elif (
            action.choices is None
            and action.nargs != 0
            and (
                action.type is Path
                or any(w in str(action.metavar or action.dest).upper() for w in ("PATH", "FILE"))
            )
        ):
            action.complete = shtab.DIRECTORY if action.metavar == "DIR" else shtab.FILE  # type: ignore[attr-defined]


def completion_command(args: argparse.Namespace, env) -> int:
    import shtab

    from ssc.cli import build_parser

    parser = build_parser()
    _files_complete_as_files(parser)
    env.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0
