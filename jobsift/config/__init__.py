"""Configuration: jobsift.toml, then ``JOBSIFT_*`` environment, then CLI flags.

``sections``: the settings (typed dataclasses with help text); ``coerce``: typed values from TOML
and environment strings; ``validate``: checks across settings; ``load``: reading the file and the
environment overrides (``JOBSIFT_<SECTION>__<KEY>``, e.g. ``JOBSIFT_FETCH__TIMEOUT=5``).
"""

from __future__ import annotations

from jobsift.config.load import config_from_dict, load_config
from jobsift.config.sections import (
    Config,
    DatabaseConfig,
    DigestConfig,
    FetchConfig,
    FiltersConfig,
    OutcomesConfig,
    ScheduleConfig,
    ScoringConfig,
    ServeConfig,
    SmtpConfig,
    SourceConfig,
    WebhookConfig,
)

__all__ = [
    "Config",
    "DatabaseConfig",
    "DigestConfig",
    "FetchConfig",
    "FiltersConfig",
    "OutcomesConfig",
    "ScheduleConfig",
    "ScoringConfig",
    "ServeConfig",
    "SmtpConfig",
    "SourceConfig",
    "WebhookConfig",
    "config_from_dict",
    "load_config",
]
