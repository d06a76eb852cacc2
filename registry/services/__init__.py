"""Business rules: everything here takes plain values and knows nothing of HTTP."""
