"""Pictures of what the simulated hardware shows: printed tickets and display frames."""
