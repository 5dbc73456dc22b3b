"""The audit trail now lives in the shared core (:mod:`ssc.audit`), below both domains.

``assurance.audit`` stays importable as the very same module, so that existing imports (and
tests that patch its attributes) keep working.
"""

import sys

from ssc import audit as _audit

sys.modules[__name__] = _audit
