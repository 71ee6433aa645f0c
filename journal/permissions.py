"""Who may change what: evidence stays as its author wrote it."""


def may_change(author_id: int | None, person_id: int) -> bool:
    """Only the author edits or deletes an entry.

    A mentee's feedback or a supervisor's testimony sits in the mentor's portfolio, but it is
    their evidence: the mentor may tag it, never rewrite or remove it.
    """
    return author_id is not None and author_id == person_id
