"""The reports app's models: usage counts and reports (usage), monitoring (job runs, alerts, checks)."""

from .monitoring import *  # noqa: F401,F403
from .usage import *  # noqa: F401,F403
