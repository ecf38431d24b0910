"""jobsift: sift freelance and remote job feeds before you pay to apply."""

__version__ = "0.1.0"
