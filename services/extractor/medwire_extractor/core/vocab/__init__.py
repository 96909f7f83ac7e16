"""The word lists the finders read, one module per finder, kept apart from the logic that reads
them (as trafilatura keeps its XPaths apart): a list changes here, a rule in the finder."""
