"""Business rules, called alike by the CLI and the web views (each takes a session and an actor)."""
