"""The domain of mentorlog: frameworks, tagging, coverage, hours and grading, in plain Python."""
