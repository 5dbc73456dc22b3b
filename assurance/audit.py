"""The audit trail now lives in the shared core (:mod:`ssc.audit`), below both domains.

``assurance.audit`` stays importable as the very same module only for the TUI and its tests,
which still import it (the TUI is next); everything else imports :mod:`ssc.audit`.
"""

import sys

from ssc import audit as _audit

sys.modules[__name__] = _audit
