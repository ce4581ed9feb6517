"""The password rule: 8 to 128 characters of anything, and not a common or guessable one."""
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128


def password_problem(password: str, *, user_inputs: list[str] = ()) -> str | None:
    """A sentence saying how to fix the password, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Enter a password of at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Enter a password of at most {MAX_LENGTH} characters."
    # zxcvbn's cost grows with length; the first 64 characters tell enough about guessability.
    result = zxcvbn(password[:64], user_inputs=[value for value in user_inputs if value])
    if result["score"] < 2:
        return ("This password is too common or too easy to guess. "
                "Try a few unrelated words together, like a short phrase.")
    return None
