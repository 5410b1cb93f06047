"""``python -m dlnotes.data``（见 :mod:`dlnotes.data.cli`）。"""

import sys

from .cli import main

sys.exit(main())
