"""Subcommands kept in modules of their own: `<name>.py` exposes a click command `<name>`,
registered on the main group by :func:`skyspec.cli._register_commands`; `_common.py` holds
the helpers they share with the command line. Nothing here may import skyspec.cli."""
