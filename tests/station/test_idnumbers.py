from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from station import idnumbers
from station.models import Person

from ..factories import PersonFactory, valid_id_number

GOOD = idnumbers.make_id_number("610125", date(1958, 3, 9), 123)


def test_a_valid_number_passes_and_is_normalized():
    lower_x = GOOD[:17] + GOOD[17].lower()
    assert idnumbers.validate_id_number(f" {lower_x} ") == GOOD


@pytest.mark.parametrize(
    "number, reason",
    [
        (GOOD[:17] + ("0" if GOOD[17] != "0" else "1"), "check digit"),
        ("610125" + "19581309" + "123" + "0", "not a real date"),
        (GOOD[:-1], "18 characters"),
        (GOOD + "1", "18 characters"),
        ("61012519580309A23X", "17 digits"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(number, reason, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as info:
        idnumbers.validate_id_number(number)
    assert reason in " ".join(info.value.messages)


def test_a_bad_date_number_with_correct_check_digit_is_refused():
    first17 = "610125" + "19580230" + "123"  # 30 February
    with pytest.raises(ValidationError):
        idnumbers.validate_id_number(first17 + idnumbers.check_digit(first17))


def test_birth_date_must_match_the_number():
    with pytest.raises(ValidationError):
        idnumbers.validate_id_number(GOOD, birth_date=date(1958, 3, 10))


def test_mask_keeps_first_and_last_four():
    assert idnumbers.mask("610125195803091234") == "6101**********1234"


def test_stored_value_is_not_the_plain_number(person_a):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM station_person WHERE id = %s", [person_a.pk])
        raw, digest = cursor.fetchone()
    assert person_a.id_number not in raw
    assert person_a.id_number not in digest
    assert Person.objects.get(pk=person_a.pk).id_number == person_a.id_number


def test_person_clean_fills_birth_date_and_refuses_duplicates(community_a):
    number = valid_id_number(date(1961, 7, 1))
    first = Person(name="甲", community=community_a, id_number=number)
    first.full_clean()
    first.save()
    assert first.birth_date == date(1961, 7, 1)
    second = Person(name="乙", community=community_a, id_number=number.lower())
    with pytest.raises(ValidationError) as info:
        second.full_clean()
    assert "id_number" in info.value.message_dict


def test_duplicate_id_number_is_refused_by_the_database(community_a):
    from django.db import IntegrityError, transaction

    person = PersonFactory(community=community_a)
    clone = Person(name="重复", community=community_a, id_number=person.id_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
