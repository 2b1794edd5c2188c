import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lms.accounts.phone import display_phone, mask_phone, normalize_phone


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "１３８１２３４５６７８",  # full-width digits from a Chinese IME
        "１３８ １２３４ ５６７８",
        "+86 138 1234 5678",
        "+８６１３８１２３４５６７８",
        "0086 13812345678",
        "8613812345678",
        " (138) 1234-5678 ",
    ],
)
def test_every_way_of_typing_a_number_gives_the_same_number(typed):
    assert normalize_phone(typed) == "+8613812345678"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1381234567", "11"),
        ("138123456789", "11"),
        ("12812345678", "13"),
        ("138abc45678", "digits"),
        ("", "digits"),
    ],
)
def test_a_malformed_number_is_refused_with_a_reason(typed, says):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        normalize_phone(typed)
    with translation.override("en"):
        assert says in error.value.messages[0]


def test_numbers_are_shown_in_groups_and_masked_for_others():
    assert display_phone("+8613812345678") == "138 1234 5678"
    assert mask_phone("+8613812345678") == "138****5678"
