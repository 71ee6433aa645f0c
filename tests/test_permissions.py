from datetime import UTC, datetime, timedelta

from journal.permissions import INVITATION_DAYS, JoinProblem, invitation_problem, may_change


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


NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def _problem(**changes):
    invitation = {
        "used_at": None,
        "expires_at": NOW + timedelta(days=INVITATION_DAYS),
        "created_by": 1,
        "person_id": 2,
        "now": NOW,
    }
    return invitation_problem(**{**invitation, **changes})


def test_a_fresh_invitation_lets_someone_else_join():
    assert _problem() is None


def test_an_invitation_works_once_for_seven_days_and_not_for_its_maker():
    assert _problem(used_at=NOW) == JoinProblem.USED
    assert _problem(expires_at=NOW) == JoinProblem.EXPIRED
    assert _problem(now=NOW + timedelta(days=INVITATION_DAYS, seconds=1)) == JoinProblem.EXPIRED
    assert _problem(person_id=1) == JoinProblem.OWN


def test_a_person_holds_one_role_in_a_portfolio():
    from journal.permissions import role_problem

    assert role_problem(held=(), offered="supervisor") is None
    assert role_problem(held=("mentee",), offered="mentee") == JoinProblem.ALREADY
    assert role_problem(held=("mentee",), offered="supervisor") == JoinProblem.OTHER_ROLE
    assert role_problem(held=("mentor",), offered="assessor") == JoinProblem.OTHER_ROLE
