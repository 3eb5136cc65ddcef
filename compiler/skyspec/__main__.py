import gc

gc.disable()  # before the imports too: see skyspec.cli.main

from .cli import run  # noqa: E402

run()
