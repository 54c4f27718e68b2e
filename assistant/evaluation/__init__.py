"""Evaluation: run a question set through the Assistant, score it, and report."""
