"""`python -m gateway ...`: the hallmesh CLI; with no subcommand it runs the gateway."""
import sys

from gateway.cli import SUBCOMMANDS, main

argv = sys.argv[1:]
if not argv or argv[0] not in SUBCOMMANDS + ("-h", "--help"):
    argv = ["gateway"] + argv
sys.exit(main(argv))
