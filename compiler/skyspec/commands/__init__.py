"""Subcommands kept in modules of their own: `<name>.py` exposes a click command `<name>`,
listed in :data:`skyspec.cli.LAZY` and imported when used; `_common.py` holds
the helpers they share with the command line. Nothing here may import skyspec.cli."""
