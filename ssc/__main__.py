"""Allow ``python -m ssc``."""

from ssc.cli import main

raise SystemExit(main())
