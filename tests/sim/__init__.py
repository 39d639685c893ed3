"""Local simulators of the company's external systems, for tests and the demo site."""
