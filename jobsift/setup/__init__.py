"""First-run setup: the starter config (``jobsift init``) and API authorisation (``jobsift auth``)."""
