"""LeaseKeeper test suite."""
