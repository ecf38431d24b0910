"""jobsift."""
