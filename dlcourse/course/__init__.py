"""Course content: one checker module per exercise notebook (its questions, references, hints)."""
