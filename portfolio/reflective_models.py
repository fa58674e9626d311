"""Reflective models as guided sections: each model is a list of sections with a short prompt
(the question the learner answers) and a hint (what a good answer tends to include).

Written in our own words for this product. `Reflection.sections` stores section key →
sanitised HTML; `sections_for(model_key)` says which keys a reflection of that model has.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    prompt: str
    hint: str


@dataclass(frozen=True)
class ReflectiveModel:
    key: str
    label: str
    summary: str
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


GIBBS = ReflectiveModel(
    key="gibbs",
    label="Gibbs reflective cycle",
    summary="Six steps that walk from what happened to what you will do next time.",
    sections=(
        Section(
            "description",
            "Description",
            "What happened?",
            "Set the scene briefly: where you were, who was involved (by role, never by name) and what "
            "you did. Keep it short; the later sections matter more.",
        ),
        Section(
            "feelings",
            "Feelings",
            "What were you thinking and feeling at the time?",
            "Be honest, including about discomfort, surprise or frustration. How did your feelings "
            "change during and after the event?",
        ),
        Section(
            "evaluation",
            "Evaluation",
            "What went well, and what went less well?",
            "Look at it from more than one side: yours, the person's, the team's, the community's.",
        ),
        Section(
            "analysis",
            "Analysis",
            "Why did things go the way they did?",
            "Link what you saw to what you know: evidence, guidance, the wider causes of ill health "
            "such as housing, income, racism or access to services.",
        ),
        Section(
            "conclusion",
            "Conclusion",
            "What have you learnt, and what else could you have done?",
            "Name the learning plainly. What would you do differently with the same people in the same "
            "place?",
        ),
        Section(
            "action_plan",
            "Action plan",
            "What will you do next?",
            "Concrete, checkable steps: something to read, a skill to practise, someone to talk to, "
            "a change to propose.",
        ),
    ),
)

ROLFE = ReflectiveModel(
    key="rolfe",
    label="Rolfe: what? so what? now what?",
    summary="Three questions: a quick framework for shorter reflections.",
    sections=(
        Section(
            "what",
            "What?",
            "What happened, and what was your part in it?",
            "Describe the situation and your role without naming or identifying anyone.",
        ),
        Section(
            "so_what",
            "So what?",
            "Why does it matter?",
            "What does it tell you about the people involved, the system they live in, and yourself?",
        ),
        Section(
            "now_what",
            "Now what?",
            "What will you do with what you learnt?",
            "Say what you will change in your practice or learning, and how you will know it worked.",
        ),
    ),
)

KOLB = ReflectiveModel(
    key="kolb",
    label="Kolb experiential learning",
    summary="Learning as a cycle: experience, reflect, make sense of it, try it out.",
    sections=(
        Section(
            "experience",
            "Concrete experience",
            "What did you do or take part in?",
            "The experience itself, described plainly and without identifying anyone.",
        ),
        Section(
            "observation",
            "Reflective observation",
            "Looking back, what did you notice?",
            "What stood out, what surprised you, what did others seem to experience?",
        ),
        Section(
            "conceptualisation",
            "Abstract conceptualisation",
            "How do you make sense of it?",
            "Connect it to theory, evidence or earlier experience. What general idea does it point to?",
        ),
        Section(
            "experimentation",
            "Active experimentation",
            "What will you try next time?",
            "Describe the change you will test and the situation in which you will test it.",
        ),
    ),
)

FREE = ReflectiveModel(
    key="free",
    label="Free writing",
    summary="One open space, for reflections that do not fit a framework.",
    sections=(
        Section(
            "free",
            "Reflection",
            "What happened, what did it mean to you, and what will you do with it?",
            "Write in your own way. Leave out anything that could identify a patient or carer.",
        ),
    ),
)

MODELS: dict[str, ReflectiveModel] = {m.key: m for m in (GIBBS, ROLFE, KOLB, FREE)}


def get_model(key: str | None) -> ReflectiveModel:
    """The reflective model with `key`; free writing for an unknown or empty key."""
    return MODELS.get(key or "", FREE)


def sections_for(key: str | None) -> tuple[Section, ...]:
    return get_model(key).sections
