"""The tables of what people write, each with its writer and its time (and, for WRITTEN, its
free text): the one list that the copy of a person's data (storage.copies), their erasure
(storage.erasure) and retention (storage.retention) all walk.

A record added to the assessment record, the EPA selection or the gateway goes here once: the
copy then includes it and retention counts it as activity, and erasure replaces the erased
person's name in WRITTEN's free text. Kept in a module of its own because all three read it
and none of them owns it.
"""

from __future__ import annotations

from storage.models import (
    AssessmentRecordRow,
    EpaLine,
    EpaPiece,
    EvidenceJudgement,
    GatewayRecord,
    QaSample,
    RecordingRow,
    SheetNote,
    StatementConfirmation,
)

# The assessment record: who wrote each row, and the free text in it (a name may be in it).
ASSESSMENT_RECORD = (
    (SheetNote, SheetNote.person_id, "text", SheetNote.recorded_at),
    (EvidenceJudgement, EvidenceJudgement.assessor_id, "comment", EvidenceJudgement.judged_at),
    (AssessmentRecordRow, AssessmentRecordRow.person_id, "text", AssessmentRecordRow.recorded_at),
    (QaSample, QaSample.iqa_id, "comment", QaSample.sampled_at),
)
# The ST1379 EPA selection (storage.epa_selection): the apprentice's KSB lines and what an
# employer observed; the same treatment (a copy, a name replaced, activity for retention).
WRITTEN = (
    *ASSESSMENT_RECORD,
    (EpaPiece, EpaPiece.selected_by, "observed", EpaPiece.selected_at),
    (EpaLine, EpaLine.written_by, "text", EpaLine.written_at),
)

# The ST1379 gateway, statement and recordings (issue 11): the portfolio's, with who wrote each.
GATEWAY_RECORDS = (
    (GatewayRecord, GatewayRecord.person_id, GatewayRecord.recorded_at),
    (StatementConfirmation, StatementConfirmation.person_id, StatementConfirmation.confirmed_at),
    (RecordingRow, RecordingRow.author_id, RecordingRow.created_at),
)
