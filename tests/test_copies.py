"""What a person's copy holds and how other people are redacted: rules without a database."""

from journal.copies import (
    Share,
    entry_share,
    invitation_record,
    own_entry_data,
    prompt_record,
    redact,
    released_data,
    scrub_notice,
    session_record,
)

ANNA, JON, PRIYA = 1, 2, 3


def test_your_own_portfolio_and_what_you_wrote_are_shared_whole():
    assert entry_share(ANNA, author_id=ANNA, owner_id=ANNA, about_them=False) is Share.WHOLE
    assert entry_share(ANNA, author_id=JON, owner_id=ANNA, about_them=False) is Share.WHOLE
    assert entry_share(JON, author_id=JON, owner_id=ANNA, about_them=True) is Share.WHOLE


def test_a_session_someone_else_wrote_about_you_is_shared_as_when_and_how_long():
    assert entry_share(JON, author_id=ANNA, owner_id=ANNA, about_them=True) is Share.SESSION
    row = {
        "ref": "E-0001",
        "kind": "session",
        "occurred_on": "2026-11-23",
        "duration_minutes": 60,
        "data": {"summary": "Priya said her asthma is worse.", "reflection": "I rushed."},
        "author_id": ANNA,
    }
    assert session_record(row) == {
        "ref": "E-0001",
        "kind": "session",
        "occurred_on": "2026-11-23",
        "duration_minutes": 60,
    }


def test_an_entry_neither_yours_nor_about_you_is_not_shared():
    assert entry_share(JON, author_id=ANNA, owner_id=ANNA, about_them=False) is Share.NONE


def test_what_you_wrote_in_someone_elses_portfolio_leaves_out_the_names_of_others():
    data = {"summary": "Handover", "mentee_names": ["Ola"]}
    assert own_entry_data(data, owner=False) == {"summary": "Handover"}
    assert own_entry_data(data, owner=True) == data


def test_a_prompt_is_shared_without_the_words_of_others_it_carried():
    row = {
        "id": 7,
        "kind": "notice",
        "portfolio_id": 1,
        "due_at": "2026-11-23T12:00:00+00:00",
        "state": "sent",
        "sent_at": "2026-11-23T12:00:01+00:00",
        "answered_at": None,
        "payload": {"who": "Jon", "text": "Doing it for real helped."},
        "claimed_by": "worker-1",
    }
    record = prompt_record(row)
    assert "payload" not in record and "claimed_by" not in record
    assert record["kind"] == "notice" and record["state"] == "sent"


def test_an_invitation_is_shared_without_its_code():
    row = {"id": 1, "code": "secret", "role": "mentee", "portfolio_id": 1, "used_at": None}
    assert invitation_record(row) == {"id": 1, "role": "mentee", "portfolio_id": 1, "used_at": None}


def test_a_name_is_redacted_as_a_whole_word_and_in_its_parts_in_any_case():
    names = {"Priya Shah": "Mentee B"}
    text = "Priya Shah came late; Priya's asthma. Shahid stayed. priya and SHAH too."
    assert redact(text, names) == (
        "Mentee B came late; Mentee B's asthma. Shahid stayed. Mentee B and Mentee B too."
    )


def test_a_name_typed_in_another_case_or_with_other_letters_of_its_case_is_redacted():
    names = {"Jonathan": "Mentee A", "Işık": "Mentee B"}
    text = "jonathan mentioned his back pain; JONATHAN is tired. ışık and IŞIK too."
    assert redact(text, names) == (
        "Mentee A mentioned his back pain; Mentee A is tired. Mentee B and Mentee B too."
    )


def test_redaction_reaches_nested_data_and_leaves_other_values():
    names = {"Jon": "[redacted]"}
    data = {"summary": "Jon led", "mentee_names": ["Jon", "Ola"], "rating": 4, "n": None}
    assert redact(data, names) == {
        "summary": "[redacted] led",
        "mentee_names": ["[redacted]", "Ola"],
        "rating": 4,
        "n": None,
    }


def test_a_one_letter_part_and_an_empty_name_redact_nothing_on_their_own():
    assert redact("Al B and Al, B and b", {"": "x", "Al B": "Mentee A"}) == (
        "Mentee A and Mentee A, B and b"
    )


def test_a_notice_of_what_an_erased_person_gave_keeps_only_that_something_arrived():
    payload = {
        "event": "feedback",
        "who": "Jon",
        "ref": "E-0001",
        "rating": 4,
        "text": "Doing it for real helped.",
        "saved": "E-0002",
    }
    assert scrub_notice(payload, "Jon", "Mentee A") == {
        "event": "feedback",
        "who": "Mentee A",
        "ref": "E-0001",
        "saved": "E-0002",
    }


def test_a_notice_of_someone_else_only_loses_the_erased_persons_name():
    payload = {"who": "Priya", "text": "Jon was a great help."}
    assert scrub_notice(payload, "Jon", "Mentee A") == {
        "who": "Priya",
        "text": "Mentee A was a great help.",
    }


def test_what_a_mentor_wrote_is_released_with_every_other_person_redacted():
    data = {
        "summary": "Priya mentioned her asthma; Ola and Jon led the run.",
        "mentee_names": ["Ola"],
        "format": "group",
    }
    released = released_data(data, others=["Priya", "Mentee B"])
    assert released == {
        "summary": "[redacted] mentioned her asthma; [redacted] and Jon led the run.",
        "format": "group",
    }
