"""(being written) Its part of "download my data" and of deleting an account."""


def export_data(user) -> dict:
    return {}


def forget_user(user) -> None:
    pass
