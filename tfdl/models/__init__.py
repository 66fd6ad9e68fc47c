"""Models following tfdl's density-model protocol (log_prob, sample, .keras)."""
