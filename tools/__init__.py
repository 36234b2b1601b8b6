"""Developer tools of cw_logging that are not part of the package (run from the repository root)."""
