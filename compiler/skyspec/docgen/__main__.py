"""`python -m skyspec.docgen [DIR]`: regenerate the generated pages of docs/."""

import sys

from . import main

sys.exit(main(sys.argv[1:]))
