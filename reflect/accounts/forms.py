"""Forms of the account pages."""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from allauth.account.forms import LoginForm
from django import forms
from django.contrib.auth import password_validation


class SignInForm(LoginForm):
    """allauth's sign-in form (`ACCOUNT_FORMS["login"]`): one field, `login`, for a username
    or an e-mail address, and the password; autocomplete hints for password managers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Username or e-mail address"
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        password = self.fields["password"]
        password.help_text = ""
        password.widget.attrs.pop("placeholder", None)
        password.widget.attrs.update({"autocomplete": "current-password"})


class ChoosePasswordForm(forms.Form):
    """Choose a password (invitation link): twice, checked by the site's password rules."""

    password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not only numbers; not a common password, nor close to your "
        "name or username.",
    )
    password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", "The two passwords are not the same. Type the same password twice.")
        elif one:
            try:
                password_validation.validate_password(one, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


def _plain_labels(form, labels: dict[str, str]) -> None:
    """Labels in the site's plain sentence case ("New password again", not "New Password
    (again)"); the password hints go: the validators' messages say what is wrong."""
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
            form.fields[name].widget.attrs.pop("placeholder", None)


PASSWORD_LABELS = {
    "oldpassword": "Current password",
    "password1": "New password",
    "password2": "New password again",
}


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_labels(self, {"email": "E-mail address"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_labels(self, PASSWORD_LABELS)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_labels(self, PASSWORD_LABELS)


class SetPasswordForm(allauth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_labels(self, PASSWORD_LABELS)
