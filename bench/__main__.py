"""``python -m bench``: the pipeline benchmark (see :mod:`bench.pipeline`)."""

import sys

from bench.pipeline import main

sys.exit(main())
