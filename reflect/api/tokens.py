"""`/api/v1/auth/tokens/`: a person's own API tokens (an extension of the contract).

`GET` lists the live ones (never a key: only its first characters), `DELETE {id}` revokes one;
another person's token is 404, as if it did not exist. Tokens come from
`POST /api/v1/auth/token/` (`portfolio.api.views.ObtainTokenView`).
"""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from reflect import tokens
from reflect.models import ApiToken


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="True for the token this request was sent with")

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "client", "created_at", "expires_at", "last_used_at", "current"]
        read_only_fields = fields

    def get_current(self, obj) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == obj.pk


@extend_schema_view(
    list=extend_schema(summary="Your live API tokens (never their keys)"),
    destroy=extend_schema(summary="Revoke one of your API tokens", responses={204: None}),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return tokens.tokens_of(self.request.user)

    def get_object(self):
        try:  # a malformed id names no token: 404, as for any unknown one
            uuid.UUID(str(self.kwargs[self.lookup_field]))
        except ValueError:
            raise NotFound() from None
        return super().get_object()

    def destroy(self, request, *args, **kwargs):
        token = self.get_object()
        tokens.revoke(request.user, token.pk, via="api")
        return Response(status=status.HTTP_204_NO_CONTENT)
