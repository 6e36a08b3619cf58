"""Score My Quiz, its item types and the integrity of attempts."""
