"""Site-wide pages: home, language choice, privacy notice, health."""
