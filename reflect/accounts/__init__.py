"""Accounts: sign-in (django-allauth), invitations, forgotten password, "my account",
single sign-on (OpenID Connect, SAML 2.0) and two-factor sign-in.

Modules: `services` (invitations, token revocation, who must use two-factor), `sso` (matching
a provider's verified e-mail to an account the programme created; role mapping), `adapters`
(allauth's hooks), `forms`, `views`, `urls`, `middleware`, `lockout` (django-axes' username
rule), `sso_settings` (environment variables → allauth settings).
"""
