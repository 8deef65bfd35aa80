"""The voice of young people: "You Said / We Did" records, feedback on them, sentiment and themes."""
