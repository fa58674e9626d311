"""Demo placements and reflections in every status and kind across the eight themes, moved
through the real services (so revisions, review events and the audit log exist)."""

from __future__ import annotations

import datetime

from .. import services
from ..models import Allocation, Placement, Reflection
from .files import as_upload, demo_pdf, demo_png

# --- Reflections (issue #3) ---------------------------------------------------------------
# Written as learners write; no real patient data (people are described by role and age
# range, places by town). Each: (title, kind, setting, placement key, days ago, themes,
# model, sections).
DEMO_PLACEMENTS = {
    "rehab": ("Community Rehabilitation Team", "community", "Merthyr Tydfil", "Team lead, rehab@example.org"),
    "foodbank": ("Riverside Food Bank", "third_sector", "Cardiff", "Volunteer coordinator, food@example.org"),
    "refugee": (
        "Sanctuary Health Drop-in",
        "third_sector",
        "Swansea",
        "Clinic manager, sanctuary@example.org",
    ),
    "lmic": ("Mbarara District Hospital", "lmic", "Mbarara, Uganda", "Elective lead, elective@example.org"),
    "gp": ("Valleys Deep End GP Practice", "primary_care", "Rhondda", "Practice manager, gp@example.org"),
}

DEMO_REFLECTIONS = [
    (
        "Following an older patient home after her hip fracture",
        "community_placement",
        "community",
        "rehab",
        40,
        ["context", "community_working", "lived_experience"],
        "gibbs",
        {
            "description": "<p>I joined the community rehab physio on the first home visit for a woman in "
            "her "
            "eighties, discharged five days after a hip fracture repair. On the ward she had walked the "
            "corridor "
            "with a frame. At home, the toilet was upstairs and the stairs had no second rail.</p>",
            "feelings": "<p>I felt embarrassed that I had written <em>“mobile with frame, safe for "
            "discharge”</em> "
            "in the notes a week earlier. I had never asked where she would sleep.</p>",
            "evaluation": "<p>The physio was brilliant: she fixed a temporary rail plan with the council "
            "handyperson "
            "scheme the same afternoon. What went less well was everything before discharge.</p>",
            "analysis": "<p>Discharge checklists ask about function, not about the house. Housing stock in "
            "the "
            "valleys is old terraces with steep stairs; falls risk is partly a housing problem.</p>",
            "conclusion": "<p>“Safe for discharge” means safe <strong>somewhere</strong>. I need to ask "
            "where.</p>",
            "action_plan": "<ul><li>Ask every patient I clerk about stairs, heating and who is at home.</li>"
            "<li>Read the local falls-prevention housing guidance.</li></ul>",
        },
    ),
    (
        "An evening at the food bank",
        "third_sector",
        "third_sector",
        "foodbank",
        25,
        ["community_engagement", "equity_power", "advocacy"],
        "rolfe",
        {
            "what": "<p>I volunteered for a three-hour evening shift packing and handing out parcels. Many "
            "of the "
            "people collecting were in work. One man apologised for being there.</p>",
            "so_what": "<p>I had thought of food insecurity as something that happens to people who are not "
            "our "
            "patients. Several people mentioned type 2 diabetes and asked whether there was anything "
            "“less starchy”. The parcels are mostly pasta, rice and tins.</p>",
            "now_what": "<p>I will ask about food access when I talk about diet, and I have suggested to the "
            "coordinator that the practice nurse runs a short session on budget meals.</p>",
        },
    ),
    (
        "Interpreters at a refugee-health drop-in",
        "third_sector",
        "third_sector",
        "refugee",
        60,
        ["third_sector_lmic", "equity_power", "lived_experience"],
        "kolb",
        {
            "experience": "<p>I spent two sessions at a charity-run drop-in for people seeking asylum. A "
            "young "
            "man with chest pain had been given a leaflet in English at the emergency department.</p>",
            "observation": "<p>The volunteer interpreter changed the whole consultation. He had not "
            "understood "
            "that he could go back if the pain returned.</p>",
            "conceptualisation": "<p>Language is a determinant of access, not just a communication skill. "
            "Charging fears also kept people away from services they were entitled to.</p>",
            "experimentation": "<p>On my next ED shift I will book a professional interpreter early rather "
            "than "
            "relying on a family member, and check understanding by asking people to explain back.</p>",
        },
    ),
    (
        "Six weeks at a district hospital in Uganda",
        "lmic_attachment",
        "lmic",
        "lmic",
        120,
        ["third_sector_lmic", "change_agent", "context"],
        "gibbs",
        {
            "description": "<p>My elective was on the paediatric ward of a district hospital. Oxygen came "
            "from "
            "two concentrators shared between twenty beds, and power cuts were daily.</p>",
            "feelings": "<p>I was humbled and at times angry: children were triaged by whether a "
            "concentrator "
            "was free.</p>",
            "evaluation": "<p>The nurses had built a simple tally of oxygen use per shift, which let them "
            "argue "
            "for a third concentrator. It worked.</p>",
            "analysis": "<p>Data collected by the people doing the work changed a budget decision. That is "
            "the "
            "same skill as audit at home, with higher stakes.</p>",
            "conclusion": "<p>Improvement is not about resources alone; it is about who gets heard.</p>",
            "action_plan": "<p>Join the oxygen audit on my next paediatric block and present the Mbarara "
            "example at our global health society.</p>",
        },
    ),
    (
        "A lived-experience workshop on mental health crisis care",
        "lived_experience",
        "community",
        "",
        15,
        ["lived_experience", "advocacy"],
        "rolfe",
        {
            "what": "<p>Two peer workers led a workshop on what a mental health crisis feels like from the "
            "inside, and what helped or hurt when they sought help.</p>",
            "so_what": "<p>The most painful part of their stories was not the illness but being disbelieved "
            "in "
            "the waiting room. “Frequent attender” was a label they had read in their own notes.</p>",
            "now_what": "<p>I will write notes as if the person will read them, because they might.</p>",
        },
    ),
    (
        "Deep End practice: a morning of social prescribing",
        "community_placement",
        "primary_care",
        "gp",
        8,
        ["community_working", "community_engagement", "change_agent"],
        "free",
        {
            "free": "<p>I sat in with the link worker at a practice serving one of the most deprived areas "
            "in "
            "Wales. Most of the morning was about debt, damp housing and loneliness, not medicine.</p>"
            "<p>I was struck by how many problems a GP appointment is the wrong tool for, and how much the "
            "link "
            "worker knew about local groups. We mapped the walking groups and the credit union on a wall "
            "chart for the waiting room.</p>",
        },
    ),
    (
        "Speaking up about a discharge that was not safe",
        "other",
        "hospital",
        "",
        5,
        ["advocacy", "equity_power"],
        "gibbs",
        {
            "description": "<p>On a busy Friday a man in his seventies who lives alone was listed for "
            "discharge "
            "without his package of care being confirmed.</p>",
            "feelings": "<p>I was nervous to raise it as a student.</p>",
            "evaluation": "<p>I raised it with the F1, who thanked me and called the discharge team.</p>",
            "analysis": "",
            "conclusion": "",
            "action_plan": "",
        },
    ),
]

# Status path for the n-th demo reflection of a learner: every status appears for every learner
# mix, and some reflections have a history of changes requested and resubmission.
_PATHS = [
    ["submit", "sign_off"],
    ["submit"],
    ["submit", "request_changes"],
    [],
    ["submit", "request_changes", "revise", "submit"],
    ["submit", "request_changes", "revise", "submit", "sign_off"],
    [],
]
_REQUESTS = [
    "Good description. Can you say more in the analysis about why this happened, not only what happened?",
    "Please link this to at least one of the social-accountability themes in your own words.",
]


def _attach_demo_files(reflection, learner) -> None:
    """Attach the demo's files through the service (checked and stored like any upload); the
    reflection is new, so a second run (which skips it) attaches nothing twice."""
    services.add_attachment(reflection, learner, as_upload("food-bank-display.png", demo_png()), via="demo")
    services.add_attachment(
        reflection, learner, as_upload("certificate-of-attendance.pdf", demo_pdf()), via="demo"
    )


def _seed_placements(ctx) -> dict:
    placements = {}
    for key, (organisation, type_, place, contact) in DEMO_PLACEMENTS.items():
        placements[key], _ = Placement.objects.get_or_create(
            organisation=organisation,
            place=place,
            defaults={
                "type": type_,
                "contact": contact,
                "starts_on": ctx.today - datetime.timedelta(days=200),
                "ends_on": ctx.today + datetime.timedelta(days=100),
            },
        )
    return placements


def seed_reflections(ctx) -> None:
    """Reflections in every status and kind across the eight themes, moved through the real
    services (so revisions, review events and the audit log exist). Idempotent: a learner's
    reflection with the same title is never created twice."""
    placements = _seed_placements(ctx)
    for i, learner in enumerate(ctx.learners):
        allocation = Allocation.objects.current().filter(learner=learner).select_related("tutor").first()
        tutor = allocation.tutor if allocation else None
        for j in range(len(DEMO_REFLECTIONS)):
            k = (i + j) % len(DEMO_REFLECTIONS)
            title, kind, setting, place, days, themes, model, sections = DEMO_REFLECTIONS[k]
            if Reflection.objects.filter(learner=learner, title=title).exists():
                continue
            if j >= 4 + (i % 3):  # 4 to 6 reflections each
                continue
            reflection = services.create_reflection(
                learner,
                {
                    "title": title,
                    "kind": kind,
                    "setting": setting,
                    "placement": placements.get(place),
                    "occurred_on": ctx.today - datetime.timedelta(days=days + (i % 5)),
                    "themes": themes,
                    "reflective_model": model,
                    "sections": sections,
                },
                via="demo",
            )
            if j == 0:  # each learner's first: a photo of a display and a certificate
                _attach_demo_files(reflection, learner)
            path = _PATHS[(i + j) % len(_PATHS)]
            if any(step != "submit" for step in path) and tutor is None:
                path = path[:1]
            for step in path:
                if step == "submit":
                    services.submit(reflection, learner, confirm_warnings=True, via="demo", notify=False)
                elif step == "request_changes":
                    services.request_changes(
                        reflection, tutor, _REQUESTS[(i + j) % len(_REQUESTS)], via="demo", notify=False
                    )
                elif step == "revise":
                    first = next(iter(reflection.sections))
                    services.update_reflection(
                        reflection,
                        learner,
                        {
                            "sections": {
                                first: reflection.sections[first]
                                + "<p>Looking back after my tutor's comments, the bigger picture is that "
                                "the things that decided the outcome happened outside the clinic.</p>"
                            }
                        },
                        reflection.version,
                        via="demo",
                    )
                elif step == "sign_off":
                    services.sign_off(
                        reflection, tutor, "Thoughtful and honest. Signed off.", via="demo", notify=False
                    )
    ctx.log(f"Reflections: {Reflection.objects.filter(learner__in=ctx.learners).count()} for demo learners.")
