"""Small helpers about people, shared by site, API and exports."""


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def first_name(user) -> str:
    return (user.first_name or display_name(user)).split(" ")[0]
