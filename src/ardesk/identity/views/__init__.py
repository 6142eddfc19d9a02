"""Pages of the identity app: sign-in steps (signin, second_factor), tokens, and administration (users, teams)."""
