"""Result records of grading: per test (TestRecord), per question, per submission."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from autograder.selfcheck import TestRecord

ENVIRONMENT = "environment"  # a status: the grading environment failed; not graded, no score written


@dataclass
class QuestionScore:
    question: str
    earned: float
    points: float


@dataclass
class SubmissionResult:
    """Everything grading learned about one student's submission of one assignment."""

    student: str
    aid: str
    notebook: str
    status: str = "graded"  # "graded" | "error" (nothing could be graded: every question 0) | ENVIRONMENT
    error: str = ""
    questions: list[QuestionScore] = field(default_factory=list)
    tests: list[TestRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cell_errors: dict[int, str] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    isolation: str = ""
    duration: float = 0.0
    memory_peak: int | None = None
    output: str = ""  # everything the student's code printed (for the course staff only)
    load_output: str = ""  # what it printed while the notebook loaded, before any test ran (feedback)
    timestamp: str | None = None
    plots: list[dict] = field(default_factory=list)  # {"title", "png" (base64)} or {"title", "note"}

    @property
    def score(self) -> float:
        return round(sum(q.earned for q in self.questions), 6)

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def timed_out(self) -> bool:
        return any(t.kind == "timeout" for t in self.tests)

    def question_scores(self) -> dict[str, float]:
        return {q.question: q.earned for q in self.questions}

    def to_dict(self) -> dict:
        data = asdict(self)
        data["cell_errors"] = {str(k): v for k, v in self.cell_errors.items()}
        data["score"], data["max_score"] = self.score, self.max_score
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        data = {k: v for k, v in data.items() if k not in ("score", "max_score")}
        data["questions"] = [QuestionScore(**q) for q in data.get("questions", [])]
        data["tests"] = [TestRecord(**t) for t in data.get("tests", [])]
        data["cell_errors"] = {int(k): v for k, v in data.get("cell_errors", {}).items()}
        return cls(**data)


def score_questions(questions: dict[str, float], tests: list[TestRecord]) -> list[QuestionScore]:
    """Points per grade cell: the share of its tests' points that passed, scaled to the cell's points."""
    out = []
    for question, points in questions.items():
        recs = [t for t in tests if t.question == question]
        total = sum(t.points for t in recs)
        earned = sum(t.earned for t in recs)
        out.append(QuestionScore(question, round(points * earned / total, 6) if total else 0.0, points))
    return out
