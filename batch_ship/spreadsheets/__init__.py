"""Fast, safe spreadsheet reading (read.py) and writing (write.py)."""
