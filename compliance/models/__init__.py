"""The compliance app's models: requests as cases, incidents, staff training."""

from .cases import *  # noqa: F401,F403
from .incidents import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
