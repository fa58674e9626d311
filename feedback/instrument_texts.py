"""Version 1 of the five instruments, as shipped (copied into the database by migration
0003_respondent_types_instruments). Written for this project in plain words; not taken from
any published questionnaire.

Never edit these texts to change an instrument: instruments in use are frozen. Change one in
the database (`feedback.services.instruments.revise`), which makes the next version. These
constants stay what version 1 was, so a fresh database gets the same version 1.

Keys are unique across all instruments and never renamed (stored ratings, the API and
exports use them). Each item maps to one or more of the study's eight theme codes.
"""

from __future__ import annotations

THEME_CODES = (
    "community_engagement",
    "community_working",
    "change_agent",
    "context",
    "third_sector_lmic",
    "lived_experience",
    "advocacy",
    "equity_power",
)

QUALITY_SCALE = [[1, "Poor"], [2, "Fair"], [3, "Good"], [4, "Very good"], [5, "Excellent"]]
AGREEMENT_SCALE = [
    [1, "Strongly disagree"],
    [2, "Disagree"],
    [3, "Neither agree nor disagree"],
    [4, "Agree"],
    [5, "Strongly agree"],
]


def _items(*rows):
    return [{"key": key, "prompt": prompt, "themes": list(themes)} for key, prompt, themes in rows]


V1 = [
    {
        "key": "patient",
        "title": "Feedback from a patient or patient representative",
        "question": "What was it like talking with {name}?",
        "scale": QUALITY_SCALE,
        "roles": ["patient_representative", "carer", "community_member"],
        "items": _items(
            (
                "listening",
                "They gave me time to talk and really listened to what I said.",
                ["lived_experience"],
            ),
            ("respect", "They treated me with respect and dignity.", ["lived_experience", "equity_power"]),
            (
                "circumstances",
                "They tried to understand my life outside the clinic: home, work, money, family.",
                ["context"],
            ),
            (
                "explaining",
                "They explained things clearly, without jargon, and checked that I understood.",
                ["lived_experience"],
            ),
            ("questions", "They welcomed my questions and answered them honestly.", ["lived_experience"]),
            (
                "priorities",
                "They asked what matters most to me.",
                ["lived_experience", "community_engagement"],
            ),
            (
                "acting",
                "They took what matters to me into account in what they suggested or did.",
                ["advocacy", "lived_experience"],
            ),
            (
                "trust",
                "I would be happy for them to care for me or someone close to me.",
                ["lived_experience"],
            ),
        ),
    },
    {
        "key": "carer",
        "title": "Feedback from a carer",
        "question": "What was it like when {name} met you and the person you look after?",
        "scale": QUALITY_SCALE,
        "roles": ["carer", "family_member"],
        "items": _items(
            (
                "carer_included",
                "They treated me as someone who knows the person I look after well.",
                ["lived_experience", "community_engagement"],
            ),
            (
                "carer_listened",
                "They listened to what I told them about the person I look after.",
                ["lived_experience"],
            ),
            (
                "carer_own_life",
                "They asked how caring affects my own life: work, money, health, sleep.",
                ["context", "equity_power"],
            ),
            ("carer_explained", "They explained things in words I can use at home.", ["lived_experience"]),
            (
                "carer_support",
                "They told me about help for carers, or who could tell me about it.",
                ["community_working", "advocacy"],
            ),
            (
                "carer_dignity",
                "They treated the person I look after with respect and dignity.",
                ["lived_experience", "equity_power"],
            ),
            (
                "carer_trust",
                "I would trust them to help care for the person I look after.",
                ["lived_experience"],
            ),
        ),
    },
    {
        "key": "community_partner",
        "title": "Feedback from a community partner",
        "question": "What was it like having {name} with your organisation?",
        "scale": AGREEMENT_SCALE,
        "roles": ["project_lead", "staff_member", "volunteer", "community_member"],
        "items": _items(
            (
                "cp_prepared",
                "They came prepared and knew what our organisation does.",
                ["third_sector_lmic", "context"],
            ),
            (
                "cp_respect",
                "They treated the people we work with respectfully, without judging them.",
                ["equity_power", "lived_experience"],
            ),
            (
                "cp_learned",
                "They listened to our staff and volunteers and learned from them.",
                ["community_engagement"],
            ),
            (
                "cp_context",
                "They understood how housing, money and neighbourhood affect people's health.",
                ["context"],
            ),
            (
                "cp_barriers",
                "They noticed unfair barriers people face and took them seriously.",
                ["equity_power", "advocacy"],
            ),
            (
                "cp_useful",
                "They did something useful for us or for the people we work with.",
                ["community_working", "change_agent"],
            ),
            (
                "cp_welcome_back",
                "We would welcome them, or learners like them, back.",
                ["community_engagement", "third_sector_lmic"],
            ),
        ),
    },
    {
        "key": "placement_supervisor",
        "title": "Feedback from a placement supervisor",
        "question": "How did {name} do on their placement with you?",
        "scale": AGREEMENT_SCALE,
        "roles": ["placement_supervisor", "project_lead", "staff_member"],
        "items": _items(
            (
                "ps_reliable",
                "They were reliable: on time, kept to what was agreed, and told us if plans changed.",
                ["context"],
            ),
            (
                "ps_respect",
                "They showed respect for the people our organisation serves.",
                ["equity_power", "lived_experience"],
            ),
            (
                "ps_understood",
                "They understood what our organisation does and why it matters.",
                ["third_sector_lmic", "community_working"],
            ),
            (
                "ps_contributed",
                "They made a real contribution to our work.",
                ["community_working", "change_agent"],
            ),
            ("ps_teamwork", "They worked well with our staff and volunteers.", ["community_engagement"]),
            (
                "ps_spoke_up",
                "When something was not right for the people we serve, they said so in a fitting way.",
                ["advocacy"],
            ),
            ("ps_improvement", "They suggested or helped with a practical improvement.", ["change_agent"]),
        ),
    },
    {
        "key": "colleague",
        "title": "Feedback from a colleague",
        "question": "What is {name} like to work with?",
        "scale": AGREEMENT_SCALE,
        "roles": ["doctor", "nurse", "allied_health", "admin_staff", "other_colleague"],
        "items": _items(
            (
                "col_kindness",
                "They treat patients and families with kindness and respect.",
                ["lived_experience", "equity_power"],
            ),
            (
                "col_communication",
                "They communicate clearly with colleagues and hand over well.",
                ["community_working"],
            ),
            (
                "col_teamwork",
                "They work well in a team and help others when it matters.",
                ["community_working"],
            ),
            ("col_reliable", "They are reliable and follow things through.", ["context"]),
            (
                "col_fairness",
                "They treat every colleague fairly, whatever their job or background.",
                ["equity_power"],
            ),
            (
                "col_speaking_up",
                "They speak up for patients and raise concerns when care falls short.",
                ["advocacy"],
            ),
            ("col_improvement", "They help to make the service better.", ["change_agent"]),
            (
                "col_whole_person",
                "They think about patients' lives beyond the ward or clinic.",
                ["context", "community_engagement"],
            ),
        ),
    },
]
