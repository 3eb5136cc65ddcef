import gc

gc.disable()  # before the imports too: see skyspec.cli.main

from .cli import main  # noqa: E402

main(prog_name="skyspec")
