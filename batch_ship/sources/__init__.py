"""Order sources: the Source interface, the registry that picks one by name or content, readers."""
