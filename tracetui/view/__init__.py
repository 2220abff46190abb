"""What a screen shows, computed without Textual: rows, time axis, outlines, detail text,
diff rows, the runs table and its query language."""
