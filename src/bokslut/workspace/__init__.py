"""The workspace: a report as a folder (bokslut.toml, data/, text/, .bokslut/, build/)."""
