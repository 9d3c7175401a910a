"""Built-in templates (courier and marketplace TOML files, the HTML report), shipped in the wheel."""
