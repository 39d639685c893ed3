"""Set-up and test tooling of the TechSolutions Support workspace (./dev)."""
