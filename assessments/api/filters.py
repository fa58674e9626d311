from django_filters import rest_framework as filters

from reflect.api.filters import IdFilter

from ..models import Assessment


class AssessmentFilter(filters.FilterSet):
    """`reflection, learner, cohort, rubric, assessor, status` (contract)."""

    reflection = IdFilter(field_name="reflection_id")
    learner = IdFilter(field_name="reflection__learner_id")
    cohort = IdFilter(field_name="reflection__learner__enrolment__cohort_id")
    rubric = IdFilter(field_name="rubric_id")
    assessor = IdFilter(field_name="assessor_id")
    status = filters.ChoiceFilter(choices=Assessment.Status.choices)

    class Meta:
        model = Assessment
        fields = ["reflection", "learner", "cohort", "rubric", "assessor", "status"]
