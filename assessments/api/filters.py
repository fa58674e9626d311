from django_filters import rest_framework as filters

from ..models import Assessment


class AssessmentFilter(filters.FilterSet):
    """`reflection, learner, cohort, rubric, assessor, status` (contract)."""

    reflection = filters.NumberFilter(field_name="reflection_id")
    learner = filters.NumberFilter(field_name="reflection__learner_id")
    cohort = filters.NumberFilter(field_name="reflection__learner__enrolment__cohort_id")
    rubric = filters.NumberFilter(field_name="rubric_id")
    assessor = filters.NumberFilter(field_name="assessor_id")
    status = filters.ChoiceFilter(choices=Assessment.Status.choices)

    class Meta:
        model = Assessment
        fields = ["reflection", "learner", "cohort", "rubric", "assessor", "status"]
