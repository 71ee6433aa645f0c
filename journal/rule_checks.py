"""The result of checking a portfolio against a framework rule: data for the export's cover,
never an exception."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    CHECK = "check"  # a person has to look: the software cannot tell


@dataclass(frozen=True)
class RuleCheck:
    framework_id: str
    rule: str
    status: Status
    message: str

    @property
    def failed(self) -> bool:
        return self.status == Status.FAILED
