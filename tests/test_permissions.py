from journal.permissions import may_change


def test_the_author_may_change_their_entry():
    assert may_change(7, 7)


def test_a_mentor_may_not_change_a_mentees_feedback():
    assert not may_change(8, 7)


def test_an_entry_without_author_is_changed_by_nobody():
    assert not may_change(None, 7)


def test_only_free_text_fields_of_a_session_are_editable():
    from journal.entries import Kind, editable_fields

    keys = [f.key for f in editable_fields(Kind.SESSION)]
    assert keys == ["plan", "summary", "progress", "next_steps", "reflection"]
