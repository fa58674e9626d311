"""People: users with roles, and API tokens for them."""

import factory
from django.contrib.auth import get_user_model

from reflect import roles as R
from reflect import tokens


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            R.grant(self, *extracted)
        if create:
            self.save()


def api_token(user) -> str:
    """A new API token key for `user` (as `POST /api/v1/auth/token/` would give)."""
    return tokens.issue(user)[1]
